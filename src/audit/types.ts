/**
 * The public types of request recording: kube-apiserver's `audit.k8s.io/v1` `Event`, field for field in
 * the Go structs' JSON order, and the filters and compact lines that make test assertions short.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go
 */

/**
 * How much of each request is recorded: `Metadata` (who, what, the outcome), `Request` (also the request
 * body of resource requests), `RequestResponse` (also the response body of resource requests).
 */
export type AuditLevel = 'Metadata' | 'Request' | 'RequestResponse';

/**
 * The stage an event was recorded at. This server records `ResponseComplete` for every request, and
 * `ResponseStarted` first for long-running ones (watch, `pods/log`), as kube-apiserver does; it does not
 * record `RequestReceived` (as a policy with `omitStages: [RequestReceived]`).
 */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** `authentication/v1.UserInfo` as the audit event carries it. */
export interface AuditUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** `audit/v1.ObjectReference`: the object a resource request is aimed at. */
export interface AuditObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  /** Empty (left out) for the core group. */
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/**
 * The `metav1.Status` of the response: `{ metadata: {}, code }` for a success, and the `status`, `message`,
 * `reason` and `details` of the `Status` the server answered for a failure.
 */
export interface AuditResponseStatus {
  metadata: Record<string, never>;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code?: number;
}

/**
 * One recorded request, exactly as kube-apiserver writes it to its audit log (`--audit-log-format=json`).
 * Events handed out are frozen.
 * @see https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event
 */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  /** The request's `Audit-Id` response header. */
  auditID: string;
  stage: AuditStage;
  /** Path and query as the client sent them. */
  requestURI: string;
  /** The Kubernetes verb (`get`, `list`, `watch`, `create`...); the lower-cased method for non-resource URLs. */
  verb: string;
  /** Who authenticated (`{}` when authentication failed). */
  user: AuditUserInfo;
  /** Who the request acted as, when it impersonated someone. */
  impersonatedUser?: AuditUserInfo;
  /** `X-Forwarded-For`, then `X-Real-Ip`, then the connection's address. */
  sourceIPs?: string[];
  userAgent?: string;
  /** What a resource request is aimed at; absent for non-resource URLs. */
  objectRef?: AuditObjectReference;
  responseStatus?: AuditResponseStatus;
  /** The request body of a resource request, at level `Request` and above (tokens redacted). */
  requestObject?: unknown;
  /** The response body of a resource request, at level `RequestResponse` (tokens redacted). */
  responseObject?: unknown;
  /** `2006-01-02T15:04:05.000000Z`, by the server's clock. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  /** `authorization.k8s.io/decision` (`allow`/`forbid`) and `authorization.k8s.io/reason`, once RBAC decided. */
  annotations?: Record<string, string>;
}

/** `audit/v1.EventList`, what `GET /fake-apiserver/v1/requests` answers. */
export interface AuditEventList {
  kind: 'EventList';
  apiVersion: 'audit.k8s.io/v1';
  metadata: Record<string, never>;
  items: AuditEvent[];
}

/** Which recorded requests to return; every field given must match. */
export interface RecordedRequestFilter {
  /** The user name, authenticated or impersonated (`system:serviceaccount:default:my-app`). */
  user?: string;
  /** One verb or any of several. */
  verb?: string | readonly string[];
  /** `pods`, or `pods/log` for a subresource. */
  resource?: string;
  subresource?: string;
  /** `''` matches cluster-scoped requests only. */
  namespace?: string;
  name?: string;
  /** The API group; `''` is the core group. */
  group?: string;
  /** The response's status code. */
  code?: number;
  /** `ResponseComplete` or `ResponseStarted`; by default both (only long-running requests have the latter). */
  stage?: AuditStage;
}

/** One write as a short line, for `expect(server.writes(...)).toEqual([...])`. */
export interface RecordedWrite {
  /** `create`, `update`, `patch`, `delete` or `deletecollection`. */
  verb: string;
  /** `configmaps`, or `pods/status` for a subresource. */
  resource: string;
  /** `''` for cluster-scoped objects. */
  namespace: string;
  /** `''` for a collection, and for a create by `generateName` (as in kube-apiserver's audit events). */
  name: string;
  code: number;
}
