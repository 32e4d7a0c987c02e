import type { UserInfo } from '../auth/user-info.js';
import { ApiError, badRequest, forbidden, notFound, type StatusBody } from '../errors/status.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { authorize, PRIVILEGED_GROUPS, visitRulesFor, type RbacSource } from './authorizer.js';
import { compactRules, compactString, covers } from './policy-comparator.js';
import { goQuote, goQuoteList } from '../json/go-quote.js';
import { rbacSourceFromStore } from './store-source.js';
import type { AuthorizationAttributes, AuthorizationDecision, PolicyRule, RoleRef } from './types.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The authorizer the checks ask (`bind`, `escalate`): the server's whole chain. */
export type Authorizer = (attributes: AuthorizationAttributes) => AuthorizationDecision;

/** What the escalation checks read: RBAC objects and the authorizer (by default RBAC over the same objects). */
export interface EscalationEnv {
  source: RbacSource;
  authorizer?: Authorizer;
}

/** One create or update of a Role, ClusterRole, RoleBinding or ClusterRoleBinding. */
export interface RbacWrite {
  user: UserInfo;
  /** The request's attributes (`RequestInfo`): group, resource, namespace, and the name (empty on create). */
  request: { apiGroup: string; resource: string; namespace: string; name: string };
  /** The object to be stored. */
  object: KubeObject;
  /** The stored object, on update. */
  old?: KubeObject;
}

// The 500 kube-apiserver writes for a plain (non-Status) error from storage: `ErrorToAPIStatus` leaves the
// reason empty, and the empty reason is omitted on the wire.
class UnknownReasonError extends ApiError {
  override toStatus(): StatusBody {
    const { reason: _reason, ...status } = super.toStatus();
    return status;
  }
}

/**
 * `EscalationAllowed`: members of `system:masters` skip every escalation check.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/escalation_check.go
 */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.some((group) => (PRIVILEGED_GROUPS as readonly string[]).includes(group));
}

function authorizerOf(env: EscalationEnv): Authorizer {
  return env.authorizer ?? ((attributes) => authorize(env.source, attributes));
}

function resourceAttributes(
  user: UserInfo,
  verb: string,
  fields: Pick<AuthorizationAttributes, 'namespace' | 'apiGroup' | 'resource' | 'name'>,
): AuthorizationAttributes {
  return { user, verb, isResourceRequest: true, path: '', apiVersion: '*', subresource: '', ...fields };
}

/**
 * `RoleEscalationAuthorized`: may the user `escalate` the role the request names? The name is the
 * request's, so a rule restricted by `resourceNames` never allows a create (whose request has no name).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/escalation_check.go
 */
export function roleEscalationAuthorized(env: EscalationEnv, write: RbacWrite): boolean {
  const { request } = write;
  if (request.apiGroup !== RBAC_GROUP || !['roles', 'clusterroles'].includes(request.resource)) return false;
  return authorizerOf(env)(resourceAttributes(write.user, 'escalate', request)).allowed;
}

/**
 * `BindingAuthorized`: may the user `bind` the referenced role, in the binding's namespace (or
 * cluster-wide for a ClusterRoleBinding)?
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/escalation_check.go
 */
export function bindingAuthorized(
  env: EscalationEnv,
  user: UserInfo,
  roleRef: RoleRef,
  bindingNamespace: string,
): boolean {
  let resource: string;
  if (roleRef.kind === 'ClusterRole') resource = 'clusterroles';
  else if (roleRef.kind === 'Role') resource = 'roles';
  else return false;
  return authorizerOf(env)(
    resourceAttributes(user, 'bind', {
      namespace: bindingNamespace,
      apiGroup: roleRef.apiGroup ?? '',
      resource,
      name: roleRef.name,
    }),
  ).allowed;
}

/**
 * The rules a role reference grants, as the registry-backed `GetRoleReferenceRules` of the RBAC storage
 * resolves them: a missing role is the storage's NotFound (`roles.rbac.authorization.k8s.io "x" not found`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/rule.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/rest/storage_rbac.go
 */
export function roleReferenceRules(
  source: RbacSource,
  roleRef: RoleRef,
  bindingNamespace: string,
): PolicyRule[] {
  switch (roleRef.kind) {
    case 'Role': {
      // The storage's NamespaceKeyFunc refuses a namespaced Get without a namespace.
      if (!bindingNamespace) throw badRequest('Namespace parameter required.');
      const role = source.role(bindingNamespace, roleRef.name);
      if (!role) throw notFound({ group: RBAC_GROUP, resource: 'roles' }, roleRef.name);
      return role.rules ?? [];
    }
    case 'ClusterRole': {
      const role = source.clusterRole(roleRef.name);
      if (!role) throw notFound({ group: RBAC_GROUP, resource: 'clusterroles' }, roleRef.name);
      return role.rules ?? [];
    }
    default:
      throw new UnknownReasonError(
        500,
        'InternalError',
        `unsupported role reference kind: ${goQuote(String(roleRef.kind))}`,
      );
  }
}

/**
 * Every rule that applies to the user in the namespace and the errors met resolving them, as `RulesFor`
 * of the registry-backed resolver the RBAC storage uses.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/rule.go
 */
export function rulesFor(
  source: RbacSource,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors = visitRulesFor(source, user, namespace, ({ rule }) => {
    rules.push(rule);
    return false;
  });
  // The authorizer resolves roles through listers (`role.rbac...`); the storage's resolver reads the
  // registry, whose NotFound names the plural resource.
  return {
    rules,
    errors: errors.map((e) => e.replace(/^(cluster)?role(\.rbac\.authorization\.k8s\.io ")/, '$1roles$2')),
  };
}

/** `utilerrors.NewAggregate(...).Error()`: one message as it is, several deduplicated within brackets. */
function aggregateMessage(errors: readonly string[]): string {
  if (errors.length === 1) return errors[0]!;
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * `ConfirmNoEscalation`: undefined when the user's rules in the namespace cover `rules`, otherwise the
 * error text: `user "u" (groups=["g"]) is attempting to grant RBAC permissions not currently held:` and
 * the missing rules, compacted, one per line in sorted order, then any `; resolution errors: [...]`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/rule.go
 */
export function confirmNoEscalation(
  source: RbacSource,
  user: UserInfo,
  namespace: string,
  rules: readonly PolicyRule[],
): string | undefined {
  const owner = rulesFor(source, user, namespace);
  const { covered, uncovered } = covers(owner.rules, rules);
  if (covered) return undefined;
  const missing = [...new Set(compactRules(uncovered).map(compactString))].sort(byteOrder);
  let message = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}`;
  if (owner.errors.length > 0) message += `; resolution errors: [${aggregateMessage(owner.errors)}]`;
  return message;
}

/** `errors.NewForbidden(groupResource, name, err)` for an RBAC resource. */
function forbiddenRbac(resource: string, name: string, message: string): ApiError {
  return forbidden({ group: RBAC_GROUP, resource }, name, message);
}

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

// Semantic equality as the Go structs see JSON: absent, null and empty strings, lists and maps are all
// the zero value.
function semanticallyEqual(a: unknown, b: unknown): boolean {
  if (isEmptyValue(a) || isEmptyValue(b)) return isEmptyValue(a) && isEmptyValue(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => semanticallyEqual(item, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    return [...keys].every((key) => semanticallyEqual(left[key], right[key]));
  }
  return a === b;
}

/**
 * `IsOnlyMutatingGCFields`: the update changes nothing but owner references, finalizers (and selfLink),
 * which the garbage collector must be able to write without holding the role's permissions.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/helpers.go
 */
export function isOnlyMutatingGCFields(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return false;
  const strip = ({ apiVersion: _apiVersion, kind: _kind, ...rest }: KubeObject) => rest;
  const copied = strip(structuredClone(obj));
  const metadata = ((copied.metadata as Record<string, unknown> | undefined) ??= {});
  const oldMetadata = (old.metadata ?? {}) as Record<string, unknown>;
  for (const field of ['ownerReferences', 'finalizers', 'selfLink']) {
    if (oldMetadata[field] === undefined) delete metadata[field];
    else metadata[field] = oldMetadata[field];
  }
  return semanticallyEqual(copied, strip(old));
}

function hasAggregationRule(obj: KubeObject | undefined): boolean {
  const rule = obj?.aggregationRule as { clusterRoleSelectors?: unknown[] | null } | null | undefined;
  return (rule?.clusterRoleSelectors ?? []).length > 0;
}

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/**
 * The privilege-escalation checks of the RBAC storage, in upstream order, for a create (`old` absent) or an
 * update of one of the four RBAC kinds; throws the `ApiError` kube-apiserver answers with.
 * - Role/ClusterRole: allowed for `system:masters`, for a user who may `escalate` it, or when the user's
 *   rules (in the request's namespace; cluster-wide for a ClusterRole) cover the new rules. Setting or
 *   changing an `aggregationRule` additionally needs full authority (`*` on everything).
 * - RoleBinding/ClusterRoleBinding: allowed for `system:masters`, for a user who may `bind` the referenced
 *   role, or when the user's rules cover the role's (a missing role is then the storage's NotFound).
 * - An update that changes only garbage-collector fields is always allowed.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/role/policybased/storage.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/clusterrole/policybased/storage.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/rolebinding/policybased/storage.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/clusterrolebinding/policybased/storage.go
 */
export function checkRbacWrite(env: EscalationEnv, write: RbacWrite): void {
  const { user, request, object, old } = write;
  if (request.apiGroup !== RBAC_GROUP) return;
  const resource = request.resource;
  if (!['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'].includes(resource)) return;
  if (escalationAllowed(user)) return;
  const isUpdate = old !== undefined;
  const name = object.metadata?.name ?? '';

  if (resource === 'roles' || resource === 'clusterroles') {
    if (roleEscalationAuthorized(env, write)) return;
    if (isUpdate && isOnlyMutatingGCFields(object, old)) return;
    const rules = (object.rules as PolicyRule[] | null | undefined) ?? [];
    const missing = confirmNoEscalation(env.source, user, request.namespace, rules);
    if (missing) throw forbiddenRbac(resource, name, missing);
    if (
      resource === 'clusterroles' &&
      (hasAggregationRule(object) || (isUpdate && hasAggregationRule(old)))
    ) {
      if (confirmNoEscalation(env.source, user, request.namespace, FULL_AUTHORITY)) {
        throw forbiddenRbac(resource, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
    }
    return;
  }

  if (isUpdate && isOnlyMutatingGCFields(object, old)) return;
  const bindingNamespace = resource === 'rolebindings' ? request.namespace : '';
  const given = (object.roleRef ?? {}) as Partial<RoleRef>;
  // SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding have run before storage sees the object.
  const roleRef: RoleRef = {
    kind: given.kind ?? '',
    name: given.name ?? '',
    apiGroup: given.apiGroup || RBAC_GROUP,
  };
  if (bindingAuthorized(env, user, roleRef, bindingNamespace)) return;
  const rules = roleReferenceRules(env.source, roleRef, bindingNamespace);
  const missing = confirmNoEscalation(env.source, user, request.namespace, rules);
  if (missing) throw forbiddenRbac(resource, name, missing);
}

/**
 * The escalation checks for a write that reached the resource handlers: a no-op for every kind but the
 * four RBAC ones.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/escalation_check.go
 */
export function confirmRbacWrite(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  object: KubeObject,
  old?: KubeObject,
): void {
  if (kind.group !== RBAC_GROUP) return;
  const { info } = ctx;
  checkRbacWrite(
    { source: rbacSourceFromStore(server) },
    {
      user: ctx.user,
      request: {
        apiGroup: info.apiGroup,
        resource: info.resource,
        namespace: info.namespace,
        name: info.name,
      },
      object,
      ...(old ? { old } : {}),
    },
  );
}
