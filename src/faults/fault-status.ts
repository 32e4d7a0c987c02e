import type { UserInfo } from '../auth/user-info.js';
import {
  ApiError,
  conflict,
  expired,
  forbiddenRequest,
  internalError,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
  pathNotFound,
  serviceUnavailable,
  type StatusBody,
  timeout,
  tooManyRequests,
  unauthorized,
} from '../errors/status.js';
import type { RequestInfo } from '../http/request-info.js';
import { forbiddenMessage } from '../rbac/authorizer.js';

/** The codes a `status` fault may answer, each with the `Status` kube-apiserver sends for it. */
export const STATUS_FAULT_CODES: readonly number[] = [401, 403, 404, 409, 410, 429, 500, 503, 504];
/** The codes whose upstream constructor takes a message (the rest derive it from the request). */
export const MESSAGE_STATUS_CODES: readonly number[] = [410, 429, 500, 503, 504];
/** The codes that carry a `Retry-After`. */
export const RETRY_AFTER_STATUS_CODES: readonly number[] = [429, 503, 504];

/** A `status` fault's settings. */
export interface StatusFaultSettings {
  code: number;
  message?: string;
  retryAfterSeconds?: number;
}

/** The request a fault answers, as far as the `Status` depends on it. */
export interface FaultedRequest {
  info: RequestInfo;
  user: UserInfo;
  /** The `resourceVersion` query parameter, if any. */
  resourceVersion: string | undefined;
  /** The store's current resourceVersion. */
  currentResourceVersion: number;
  /** The rule's id, named in the default message of a 500. */
  ruleId: string;
}

/** The error to answer, and headers kube-apiserver sets beside it (`Retry-After` on a 503). */
export interface StatusFaultResponse {
  error: ApiError;
  headers: Record<string, string>;
}

function groupResource(info: RequestInfo) {
  return { group: info.apiGroup, resource: info.resource };
}

function forbidden(request: FaultedRequest): ApiError {
  const { info, user } = request;
  const details: Record<string, string> = {};
  if (info.name) details.name = info.name;
  if (info.apiGroup) details.group = info.apiGroup;
  details.kind = info.resource;
  return forbiddenRequest(forbiddenMessage({ ...info, user }, ''), details);
}

/**
 * The 410 `Status` the watch cache sends for a resourceVersion older than its history
 * (`too old resource version: 5 (12)`): for the requested version, or the current one when none was asked.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache_history.go
 */
export function tooOldResourceVersion(resourceVersion: string | undefined, current: number): ApiError {
  const requested = resourceVersion && /^\d+$/.test(resourceVersion) ? resourceVersion : String(current);
  return expired(`too old resource version: ${requested} (${current + 1})`);
}

/** The body of the watch `ERROR` event a `watchError` fault sends. */
export function watchErrorStatus(resourceVersion: string | undefined, current: number): StatusBody {
  return tooOldResourceVersion(resourceVersion, current).toStatus();
}

/**
 * The `Status` kube-apiserver answers with a code, as its own code paths build it:
 * 401 from the authentication filter, 403 from RBAC (`pods is forbidden: User ...`), 404 `pods "x" not
 * found`, 409 the optimistic-lock conflict, 410 the watch cache's too-old resourceVersion, 429 the
 * not-ready cacher's `storage is (re)initializing` with `retryAfterSeconds`, 500 `Internal error occurred`,
 * 503 the shutting-down apiserver's (with a `Retry-After` header), 504 the timeout filter's.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go
 */
export function statusFaultResponse(
  settings: StatusFaultSettings,
  request: FaultedRequest,
): StatusFaultResponse {
  const { code, message, retryAfterSeconds } = settings;
  const { info } = request;
  switch (code) {
    case 401:
      return { error: unauthorized(), headers: {} };
    case 403:
      return { error: forbidden(request), headers: {} };
    case 404:
      return { error: info.name ? notFound(groupResource(info), info.name) : pathNotFound(), headers: {} };
    case 409:
      return { error: conflict(groupResource(info), info.name, OPTIMISTIC_LOCK_MESSAGE), headers: {} };
    case 410:
      return {
        error: message
          ? expired(message)
          : tooOldResourceVersion(request.resourceVersion, request.currentResourceVersion),
        headers: {},
      };
    case 429: {
      // NewTooManyRequests always sets details; retryAfterSeconds 0 is omitted on the wire.
      const seconds = retryAfterSeconds ?? 1;
      const details = seconds > 0 ? { retryAfterSeconds: seconds } : {};
      return {
        error: tooManyRequests(message ?? 'storage is (re)initializing', details),
        headers: {},
      };
    }
    case 500:
      return {
        error: internalError(message ?? `fault injected by fake-apiserver rule "${request.ruleId}"`),
        headers: {},
      };
    case 503: {
      const seconds = retryAfterSeconds ?? 1;
      return {
        error: serviceUnavailable(message ?? 'apiserver is shutting down'),
        headers: seconds > 0 ? { 'Retry-After': String(seconds) } : {},
      };
    }
    case 504: {
      const details = retryAfterSeconds ? { retryAfterSeconds } : {};
      const text = message ?? 'request did not complete within the allotted timeout';
      return { error: timeout(`Timeout: ${text}`, details), headers: {} };
    }
    default:
      throw new Error(`status fault ${code} has no Status template`);
  }
}
