/**
 * The public shape of recorded authorization decisions, their explanations and the least-privilege
 * report (re-exported from the package root).
 */

/** An RBAC `PolicyRule`, as in a Role or ClusterRole. */
export interface RbacPolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** An RBAC `Subject`. */
export interface RbacSubject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** Names a Role, ClusterRole, RoleBinding or ClusterRoleBinding. */
export interface RbacObjectReference {
  kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding' | string;
  name: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
}

/** The attributes RBAC decides on, as kube-apiserver derives them from the URL and method. */
export interface AuthorizationRequestAttributes {
  /** `get`, `list`, `watch`, `create`, ... for resource requests; the lower-cased method otherwise. */
  verb: string;
  /** `/api/v1/namespaces/default/pods` style requests; false for `/healthz`, `/api`, `/apis/apps/v1`... */
  resourceRequest: boolean;
  /** Empty for cluster-scoped resources, cluster-wide lists and non-resource requests. */
  namespace: string;
  /** `""` is core. */
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  /** The object's name; for list and watch, an exact `metadata.name` field selector's. */
  name: string;
  /** The URL path (decoded, without the query). */
  path: string;
}

/** What allowed a request. */
export type AuthorizationAllowedBy =
  | {
      kind: 'privilegedGroup';
      /** `system:masters`: allowed before RBAC is asked. */
      group: string;
    }
  | {
      kind: 'rbac';
      binding: RbacObjectReference;
      role: RbacObjectReference;
      /** The binding's subject that names the user. */
      subject: RbacSubject;
      /** The first rule that allowed it. */
      rule: RbacPolicyRule;
    };

/** What kept a rule from allowing a request. */
export type AuthorizationMismatchField =
  | 'subject'
  | 'namespace'
  | 'scope'
  | 'role'
  | 'verb'
  | 'apiGroup'
  | 'resource'
  | 'subresource'
  | 'resourceName'
  | 'nonResourceURL';

/** One reason a rule did not allow a request. */
export interface AuthorizationMismatch {
  field: AuthorizationMismatchField;
  /** e.g. `verb "list" is not in [get, watch]` */
  message: string;
}

/** A rule (or a binding whose role is missing) that came close to allowing a denied request. */
export interface AuthorizationNearMiss {
  binding: RbacObjectReference;
  role: RbacObjectReference;
  /** Absent when the role does not exist. */
  rule?: RbacPolicyRule;
  /** Every reason it did not apply, the most telling first. */
  mismatches: AuthorizationMismatch[];
}

/** Why a request was denied, and what would allow it. */
export interface AuthorizationDenial {
  /**
   * The rules bound to the user (or to a subject that nearly names it) that came closest, closest first:
   * at most three, none with more than one reason beyond the closest's. Empty when nothing bound to the
   * user concerns this resource or path.
   */
  closest: AuthorizationNearMiss[];
  /** The bindings that apply to the user (in any namespace), for when nothing came close. */
  boundRoles: { binding: RbacObjectReference; role: RbacObjectReference }[];
  /** The least rule that would allow the request, and where it must be bound. */
  needs: {
    /** `Role` (with a RoleBinding in `namespace`) or `ClusterRole` (with a ClusterRoleBinding). */
    kind: 'Role' | 'ClusterRole';
    namespace?: string;
    rule: RbacPolicyRule;
  };
}

/** One authorization decision the server made. */
export interface AuthorizationDecisionRecord {
  /** 1, 2, 3... in the order decided. */
  readonly seq: number;
  /** By the server's clock. */
  readonly time: Date;
  readonly user: string;
  readonly groups: readonly string[];
  /**
   * `request`: the request's own authorization; `impersonation`: one `Impersonate-*` header, checked for
   * the real user before the request goes on as the impersonated one.
   */
  readonly check: 'request' | 'impersonation';
  /** The HTTP method. */
  readonly method: string;
  /** The request's URL path (without the query). */
  readonly path: string;
  readonly attributes: Readonly<AuthorizationRequestAttributes>;
  readonly allowed: boolean;
  /** The authorizer's reason: `RBAC: allowed by ...`, role-resolution errors on a denial, or empty. */
  readonly reason: string;
  /** For an allowed decision. */
  readonly allowedBy?: AuthorizationAllowedBy;
  /** For a denied one: computed when the request was denied, against the RBAC objects of that moment. */
  readonly denial?: AuthorizationDenial;
}

/** Which decisions `authorizationDecisions` returns; every given criterion must hold. */
export interface AuthorizationDecisionFilter {
  /** The user name, e.g. `system:serviceaccount:default:my-app`. */
  user?: string;
  allowed?: boolean;
  check?: 'request' | 'impersonation';
  /** Only decisions with a greater `seq`, e.g. the last one seen before a test step. */
  after?: number;
}

/** Options of `rbacReport`. */
export interface RbacReportOptions {
  /** Whose requests: a user name, e.g. `system:serviceaccount:default:my-app`. */
  user: string;
  /**
   * The name of every generated object. By default, a service account's name in its own namespace and
   * `NAMESPACE:NAME` elsewhere and for the cluster-wide objects (so two accounts cannot collide); a user's name.
   */
  name?: string;
  /**
   * Also grant requests that every cluster's default roles allow any service account or authenticated user
   * (discovery, `/healthz`, `/version`, self-reviews...); they are listed in a comment otherwise.
   * @default false
   */
  includeDefaultGranted?: boolean;
  /**
   * Restrict verbs to `resourceNames` when every request for them named an object.
   * @default true
   */
  resourceNames?: boolean;
}
