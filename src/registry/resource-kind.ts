/** A Kubernetes object as stored and served: plain JSON. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
};

/** The fields of `metav1.ObjectMeta` this server reads or writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A subresource served under a kind, as listed in discovery (`pods/log`). */
export interface SubresourceDefinition {
  name: string;
  /** Kind of the object the subresource returns. */
  kind: string;
  /** Group/version when they differ from the parent's (e.g. `serviceaccounts/token`). */
  group?: string;
  version?: string;
  verbs: readonly string[];
}

/**
 * Where a kind keeps the numbers its `scale` subresource reads and writes, as a CRD's
 * `subresources.scale` declares them (JSON paths such as `.spec.replicas`).
 */
export interface ScaleDefinition {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** How a resource's names are validated (`ValidateObjectMeta`'s name function). */
export type NameValidation = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label' | 'pathSegment';

/**
 * One entry of the kind registry: everything that depends on "which resources exist" (routes,
 * discovery, fixtures, RBAC names, Tables, field selectors) reads it from here.
 */
export interface ResourceKind {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, as in URLs and RBAC rules. */
  resource: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources?: readonly SubresourceDefinition[];
  /**
   * `stored` kinds live in the object store; `review` kinds are create-only requests answered on
   * the spot (SelfSubjectAccessReview and friends) and never stored.
   */
  storage: 'stored' | 'review';
  nameValidation?: NameValidation;
  /**
   * Field selectors the kind supports beyond nothing: field path → value getter. Kinds without
   * custom conversion support `metadata.name` and `metadata.namespace` only.
   */
  fieldSelectors?: Readonly<Record<string, (obj: KubeObject) => string | undefined>>;
  /** Message for an unsupported field selector (pods use the legacy wording). */
  unsupportedFieldMessage?: (field: string) => string;
  /** Whether DELETE answers with the deleted object (pods, service accounts) or a Status. */
  deleteReturnsObject?: boolean;
  /** Fills the fields the real apiserver defaults on create (e.g. a pod's `status.phase`). */
  defaultOnCreate?: (obj: KubeObject) => void;
  /**
   * Normalizes and validates every write, create and update alike (e.g. a Secret's write-only `stringData`);
   * `current` is the stored object on an update, for checks such as an immutable selector.
   */
  normalizeOnWrite?: (obj: KubeObject, current?: KubeObject) => void;
  /** Whether `metadata.generation` is tracked and bumped on spec changes. */
  tracksGeneration?: boolean;
  /**
   * Whether an update bumps `metadata.generation` (kinds that track it), when that is not simply "`spec`
   * changed": a Deployment's annotations count too, a custom resource's every field outside metadata (and
   * status, with a status subresource).
   */
  generationChanged?: (next: KubeObject, current: KubeObject) => boolean;
  /** Where the `scale` subresource (when listed in `subresources`) finds its replicas and selector. */
  scale?: ScaleDefinition;
  /**
   * The OpenAPI v3 schema of the kind's objects, where one is known (a CRD version's
   * `schema.openAPIV3Schema`): list types and map keys for server-side apply, pruning and defaults.
   */
  openApiSchema?: Readonly<Record<string, unknown>>;
  /** What a CustomResourceDefinition says of the kind beyond the above, for its OpenAPI documents. */
  customResource?: CustomResourceFacts;
  /**
   * The warning kube-apiserver adds to every request on a deprecated kind (its Go type's
   * `APILifecycleDeprecated`), as `deprecation.WarningMessage` words it.
   * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apiserver/pkg/endpoints/deprecation/deprecation.go
   */
  deprecationWarning?: string;
  /** Where the kind came from: compiled in, or served from a CustomResourceDefinition. */
  origin?: 'built-in' | 'crd';
  /**
   * Fills what a create derives from the new object's uid, once the store has assigned it (a Job's generated
   * `controller-uid` selector and template labels).
   */
  completeWithUid?: (obj: KubeObject) => void;
  /**
   * The group/resource whose stored objects this kind serves, when they are another's: events.k8s.io/v1 events
   * are core events, as upstream keeps both in one etcd resource. Versions of one group/resource share a bucket
   * without it.
   */
  storedAs?: { group: string; resource: string };
  /** Converts between the served form and the stored form (of the kind `storedAs` names, or of the group's storage version). */
  conversion?: KindConversion;
}

/** The CRD facts apiextensions-apiserver's OpenAPI builder reads beyond the served kind. */
export interface CustomResourceFacts {
  /** `spec.names.listKind`. */
  listKind: string;
  /** The version's `selectableFields[].jsonPath`, as written. */
  selectableFields: readonly string[];
  /** `spec.preserveUnknownFields`. */
  preserveUnknownFields: boolean;
  /** The name of the version whose `storage` is true: the form objects are stored in. */
  storageVersion: string;
}

/**
 * A kind's conversion to and from the form its objects are stored in: applied to every write before it is stored,
 * and to every object read, listed, watched or returned. Both functions return new objects.
 */
export interface KindConversion {
  toStored(served: KubeObject): KubeObject;
  fromStored(stored: KubeObject): KubeObject;
}

/** `group/version` as written in `apiVersion` (`v1` for the core group). */
export function apiVersionOf(kind: Pick<ResourceKind, 'group' | 'version'>): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}
