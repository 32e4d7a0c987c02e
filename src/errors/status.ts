import { goQuote } from '../json/go-quote.js';
/**
 * Kubernetes `Status` errors: one error type and one table of constructors mirroring
 * `k8s.io/apimachinery/pkg/api/errors`, so every failure the server returns has the code,
 * reason, message and details a real kube-apiserver would give.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go
 */

/** A `metav1.StatusCause`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A `metav1.StatusDetails`. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The wire form of a `metav1.Status`, with the Go struct's field order. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  /** A `metav1.ListMeta`: only an expired continue token's 410 fills it (with a token to go on from). */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** The reasons of `metav1.StatusReason` that this server produces. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'NotImplemented'
  // StatusReasonUnknown: what a plain Go error becomes (`ErrorToAPIStatus`), e.g. server-side apply's typed conversion.
  | '';

/** An error that is answered to the client as a `Status` object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The `Status` body for this error. */
  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      // StatusReasonUnknown is empty, and `omitempty`.
      ...(this.reason ? { reason: this.reason } : {}),
      code: this.code,
    };
    if (this.details) {
      const { code, ...rest } = body;
      return { ...rest, details: this.details, code };
    }
    return body;
  }
}

/** A group and resource, as in `schema.GroupResource`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualifiedResource({ group, resource }: GroupResource): string {
  return group ? `${resource}.${group}` : resource;
}

function resourceDetails(gr: GroupResource, name?: string): StatusDetails {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (gr.group) details.group = gr.group;
  details.kind = gr.resource;
  return details;
}

/** 400 BadRequest, as `NewBadRequest`. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 406 NotAcceptable, as the response transform's `errNotAcceptable` (`handlers/response.go`). */
export function notAcceptable(message: string): ApiError {
  return new ApiError(406, 'NotAcceptable', message);
}

/** 401 Unauthorized as the authentication filter writes it. */
export function unauthorized(message = 'Unauthorized'): ApiError {
  return new ApiError(401, 'Unauthorized', message);
}

/** 404 NotFound for a named object: `pods "web" not found`. */
export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualifiedResource(gr)} "${name}" not found`,
    resourceDetails(gr, name),
  );
}

/** 404 for a path that no handler serves. */
export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 409 AlreadyExists. */
export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists`,
    resourceDetails(gr, name),
  );
}

/** 409 Conflict for a stale resourceVersion (`OptimisticLockErrorMsg`). */
export function conflict(gr: GroupResource, name: string, reason: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${reason}`,
    resourceDetails(gr, name),
  );
}

/** The message of `registry/generic/registry/store.go` `OptimisticLockErrorMsg`. */
export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 410 Expired, as the watch cache and continue tokens report it. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** A field error inside a 422 Invalid. */
export interface FieldError {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, ... */
  type: string;
  field: string;
  /** The message as `field.Error.ErrorBody()` renders it, e.g. `Required value`. */
  detail: string;
}

/** 422 Invalid, as `NewInvalid`: `Pod "web" is invalid: spec.containers: Required value`. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const rendered = errors.map((e) => `${e.field}: ${e.detail}`);
  const joined = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const details: StatusDetails = { name, ...(group ? { group } : {}), kind };
  details.causes = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  if (!name) delete details.name;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, details);
}

/** 405 MethodNotAllowed, as the router answers a method no route serves. */
export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** 413 RequestEntityTooLarge. */
export function requestEntityTooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** 501 for something this fake deliberately does not implement: never a silent approximation. */
export function notImplemented(what: string): ApiError {
  return new ApiError(501, 'NotImplemented', `fake-apiserver does not support ${what}`);
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/**
 * 403 Forbidden as `NewForbidden(qualifiedResource, name, err)`: `namespaces "kube-system" is forbidden: <reason>`
 * (without a name: `roles.rbac.authorization.k8s.io is forbidden: <reason>`).
 */
export function forbidden(gr: GroupResource, name: string, reason: string, causes?: StatusCause[]): ApiError {
  const subject = name ? `${qualifiedResource(gr)} ${goQuote(name)}` : qualifiedResource(gr);
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${reason}`, {
    ...resourceDetails(gr, name),
    ...(causes ? { causes } : {}),
  });
}

/** 403 Forbidden as the authorization filter writes it (`responsewriters.Forbidden`): the message is whole. */
export function forbiddenRequest(message: string, details: StatusDetails): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}

/** 404 NotFound with a message of its own (fake-apiserver's control endpoints). */
export function notFoundMessage(message: string, details: StatusDetails = {}): ApiError {
  return new ApiError(404, 'NotFound', message, details);
}

/** 409 AlreadyExists with a message of its own (fake-apiserver's control endpoints). */
export function alreadyExistsMessage(message: string, details: StatusDetails = {}): ApiError {
  return new ApiError(409, 'AlreadyExists', message, details);
}

/** 409 Conflict with a whole message and its causes (server-side apply's field manager conflicts). */
export function conflictMessage(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError(409, 'Conflict', message, causes ? { causes } : undefined);
}

/** 413 RequestEntityTooLarge with a message of its own (json-patch's operation count). */
export function requestEntityTooLargeMessage(message: string): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', message);
}

/** 415 UnsupportedMediaType with a message of its own. */
export function unsupportedMediaTypeMessage(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

/**
 * 422 as `NewGenericServerResponse(422, ...)` answers a patch that fails to apply: its own text is dropped.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
export function patchRejected(): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

/**
 * The 422 the patch handler answers when the patched object does not decode: ` "" is invalid: patch: Invalid
 * value: "<value>": <decoder's text>`, with one `patch` cause.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
export function patchInvalid(value: string, message: string): ApiError {
  const detail = `Invalid value: ${JSON.stringify(value)}: ${message}`;
  return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${detail}`, {
    causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'patch' }],
  });
}

/** 429 TooManyRequests. */
export function tooManyRequests(message: string, details?: StatusDetails): ApiError {
  return new ApiError(429, 'TooManyRequests', message, details);
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** 504 Timeout. */
export function timeout(message: string, details?: StatusDetails): ApiError {
  return new ApiError(504, 'Timeout', message, details);
}

/**
 * 500 for a plain Go error that was never a `Status` (`ErrorToAPIStatus`): the error's text, no reason
 * (StatusReasonUnknown), or the reason upstream's handler puts on it.
 */
export function untypedError(message: string, reason: '' | 'InternalError' = ''): ApiError {
  return new ApiError(500, reason, message);
}

/**
 * A `Status` of success: what a DELETE answers for a kind that does not return the object (its `details`, no
 * code, as the handler leaves it 0), or fake-apiserver's control endpoints (code 200).
 */
export function successStatus(
  details?: StatusDetails,
  code?: number,
): Omit<StatusBody, 'code'> & { code?: number } {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    ...(code !== undefined ? { code } : {}),
  };
}
