import { isIPv4, isIPv6 } from 'node:net';
import type { UserInfo } from '../auth/user-info.js';
import type { RequestInfo } from '../http/request-info.js';
import { redactObject, redactRequestUri, redactText } from './redact.js';
import type {
  AuditEvent,
  AuditLevel,
  AuditObjectReference,
  AuditResponseStatus,
  AuditStage,
  AuditUserInfo,
} from './types.js';

/**
 * Builds `audit.k8s.io/v1` events from what the pipeline learnt about a request, as kube-apiserver's
 * `LogRequestMetadata`, `LogImpersonatedUser`, `LogRequestObject`, `LogResponseObject` and the audit
 * filter fill them in. Pure: no clock, no I/O.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/audit/request.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/audit.go
 */

/** `authorization.k8s.io/decision`, set by the authorization filter. */
export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
/** `authorization.k8s.io/reason`: the authorizer's reason, `""` when it gave none. */
export const REASON_ANNOTATION = 'authorization.k8s.io/reason';

const MAX_USER_AGENT_LENGTH = 1024;
const USER_AGENT_TRUNCATE_SUFFIX = '...TRUNCATED';

/** What is known about a request when one of its events is built. */
export interface RequestFacts {
  auditID: string;
  level: AuditLevel;
  /** The request target as sent (`req.url`). */
  requestURI: string;
  /** Undefined only when the URL could not be parsed. */
  info: RequestInfo | undefined;
  /** Who authenticated; undefined when authentication failed. */
  user: UserInfo | undefined;
  impersonatedUser: UserInfo | undefined;
  sourceIPs: string[];
  userAgent: string | undefined;
  receivedAt: Date;
  /** The decoded request body (an object, or a patch document), when one was read and decoded. */
  requestBody: unknown;
  /** The RBAC decision, once authorization ran. */
  authorization: { allowed: boolean; reason: string } | undefined;
}

/** What is known about the response when an event is built. */
export interface ResponseFacts {
  /** The status code written; undefined when the connection closed before anything was written. */
  code: number | undefined;
  /** The `Status` body the server answered, if it answered one. */
  status: StatusLike | undefined;
  /** The JSON body the server answered, when the level records it. */
  body: unknown;
}

/** The fields of a `metav1.Status` body that an audit event copies. */
export interface StatusLike {
  kind?: unknown;
  status?: unknown;
  message?: unknown;
  reason?: unknown;
  details?: unknown;
  code?: unknown;
}

/** Whether a response body is a `metav1.Status`. */
export function isStatusBody(body: unknown): body is StatusLike {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { kind?: unknown }).kind === 'Status' &&
    (body as { apiVersion?: unknown }).apiVersion === 'v1'
  );
}

/**
 * `metav1.MicroTime` as JSON: RFC 3339 in UTC with exactly six fractional digits. The server's clock has
 * millisecond precision, so the last three digits are zero.
 */
export function microTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, -1)}000Z`;
}

/** The user agent, cut as kube-apiserver cuts it. */
export function truncateUserAgent(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  return userAgent.length > MAX_USER_AGENT_LENGTH
    ? `${userAgent.slice(0, MAX_USER_AGENT_LENGTH)}${USER_AGENT_TRUNCATE_SUFFIX}`
    : userAgent;
}

// Go's net.ParseIP(...).String(): IPv4-mapped IPv6 prints as IPv4; IPv6 in its canonical compressed form.
function canonicalIp(text: string): string | undefined {
  const trimmed = text.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(trimmed)) return trimmed;
  if (isIPv6(trimmed)) return new URL(`http://[${trimmed}]`).hostname.slice(1, -1);
  return undefined;
}

/**
 * The request's source IPs as `utilnet.SourceIPs`: each valid `X-Forwarded-For` address, then
 * `X-Real-Ip` unless already listed, then the connection's address unless it is the last one already.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/net/http.go
 */
export function sourceIps(
  forwardedFor: string | undefined,
  realIp: string | undefined,
  remoteAddress: string | undefined,
): string[] {
  const ips: string[] = [];
  for (const part of forwardedFor ? forwardedFor.split(',') : []) {
    const ip = canonicalIp(part);
    if (ip) ips.push(ip);
  }
  const real = realIp ? canonicalIp(realIp) : undefined;
  if (real && !ips.includes(real)) ips.push(real);
  const remote = remoteAddress ? canonicalIp(remoteAddress) : undefined;
  if (remote && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}

function auditUser(user: UserInfo): AuditUserInfo {
  const out: AuditUserInfo = {};
  if (user.username) out.username = user.username;
  if (user.uid) out.uid = user.uid;
  if (user.groups.length > 0) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) {
    out.extra = Object.fromEntries(Object.entries(user.extra).map(([key, values]) => [key, [...values]]));
  }
  return out;
}

function objectMeta(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const metadata = (body as { metadata?: unknown }).metadata;
  return metadata !== null && typeof metadata === 'object'
    ? (metadata as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The objectRef of `LogRequestMetadata`, completed as `LogRequestObject` does from a decoded request
 * object's metadata (a create names its object in the body): only the fields the URL left empty. A patch
 * document is not an object and completes nothing.
 */
function objectReference(info: RequestInfo, verb: string, body: unknown): AuditObjectReference {
  const meta = verb === 'patch' ? undefined : objectMeta(body);
  const namespace = info.namespace || text(meta?.namespace);
  const name = info.name || text(meta?.name);
  const uid = text(meta?.uid);
  const resourceVersion = text(meta?.resourceVersion);
  const ref: AuditObjectReference = {};
  if (info.resource) ref.resource = info.resource;
  if (namespace) ref.namespace = namespace;
  if (name) ref.name = name;
  if (uid) ref.uid = uid;
  if (info.apiGroup) ref.apiGroup = info.apiGroup;
  if (info.apiVersion) ref.apiVersion = info.apiVersion;
  if (resourceVersion) ref.resourceVersion = resourceVersion;
  if (info.subresource) ref.subresource = info.subresource;
  return ref;
}

/**
 * The responseStatus: the bounded fields of a `Status` answer (`LogResponseObject`), with the code
 * written; `{ metadata: {}, code }` for anything else; kube-apiserver's "Connection closed early" success
 * when nothing was written at all.
 */
function responseStatus(response: ResponseFacts): AuditResponseStatus {
  if (response.code === undefined) {
    return { metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 };
  }
  const out: AuditResponseStatus = { metadata: {} };
  const status = response.status;
  if (status) {
    if (status.status === 'Success' || status.status === 'Failure') out.status = status.status;
    if (typeof status.message === 'string' && status.message) out.message = redactText(status.message);
    if (typeof status.reason === 'string' && status.reason) out.reason = status.reason;
    if (status.details !== null && typeof status.details === 'object') {
      out.details = redactObject(status.details) as Record<string, unknown>;
    }
  }
  out.code = response.code;
  return out;
}

function atLeast(level: AuditLevel, wanted: AuditLevel): boolean {
  const order: Record<AuditLevel, number> = { Metadata: 0, Request: 1, RequestResponse: 2 };
  return order[level] >= order[wanted];
}

/** Whether the level records response bodies: `RequestResponse`. */
export function recordsResponseBodies(level: AuditLevel): boolean {
  return atLeast(level, 'RequestResponse');
}

/**
 * One audit event for a request at a stage. Request and response bodies are included as the level asks,
 * for resource requests only, redacted.
 */
export function buildAuditEvent(
  request: RequestFacts,
  response: ResponseFacts,
  stage: AuditStage,
  stageTime: Date,
): AuditEvent {
  const { info } = request;
  const verb = info?.verb ?? '';
  const resourceRequest = info?.isResourceRequest === true;
  const userAgent = truncateUserAgent(request.userAgent);
  const requestObject =
    resourceRequest && request.requestBody !== undefined && atLeast(request.level, 'Request')
      ? redactObject(request.requestBody)
      : undefined;
  const responseObject =
    resourceRequest && response.body !== undefined && recordsResponseBodies(request.level)
      ? redactObject(response.body)
      : undefined;
  // One literal, so that the keys come out in the Go struct's order.
  const event: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: request.level,
    auditID: request.auditID,
    stage,
    requestURI: redactRequestUri(request.requestURI),
    verb,
    user: request.user ? auditUser(request.user) : {},
    ...(request.impersonatedUser ? { impersonatedUser: auditUser(request.impersonatedUser) } : {}),
    ...(request.sourceIPs.length > 0 ? { sourceIPs: [...request.sourceIPs] } : {}),
    ...(userAgent ? { userAgent } : {}),
    ...(resourceRequest ? { objectRef: objectReference(info, verb, request.requestBody) } : {}),
    responseStatus: responseStatus(response),
    ...(requestObject !== undefined ? { requestObject } : {}),
    ...(responseObject !== undefined ? { responseObject } : {}),
    requestReceivedTimestamp: microTime(request.receivedAt),
    stageTimestamp: microTime(stageTime),
    ...(request.authorization
      ? {
          annotations: {
            [DECISION_ANNOTATION]: request.authorization.allowed ? 'allow' : 'forbid',
            [REASON_ANNOTATION]: request.authorization.reason,
          },
        }
      : {}),
  };
  return event;
}
