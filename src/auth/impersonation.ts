import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, type StatusDetails } from '../errors/status.js';
import { writeText } from '../http/respond.js';
import { authorize, forbiddenMessage } from '../rbac/authorizer.js';
import { rbacSourceFromStore } from '../rbac/store-source.js';
import type { AuthorizationAttributes, AuthorizationDecision } from '../rbac/types.js';
import type { ServerContext } from '../server/server-context.js';
import type { UserInfo } from './user-info.js';

/**
 * `ImpersonateUserHeader`, lower-cased as Node hands header names over.
 * @see https://github.com/kubernetes/api/blob/v0.33.0/authentication/v1/types.go
 */
export const IMPERSONATE_USER_HEADER = 'impersonate-user';
/**
 * `ImpersonateGroupHeader` (repeatable).
 * @see https://github.com/kubernetes/api/blob/v0.33.0/authentication/v1/types.go
 */
export const IMPERSONATE_GROUP_HEADER = 'impersonate-group';
/**
 * `ImpersonateUIDHeader`.
 * @see https://github.com/kubernetes/api/blob/v0.33.0/authentication/v1/types.go
 */
export const IMPERSONATE_UID_HEADER = 'impersonate-uid';
/**
 * `ImpersonateUserExtraHeaderPrefix`; the rest of the name is the percent-encoded key.
 * @see https://github.com/kubernetes/api/blob/v0.33.0/authentication/v1/types.go
 */
export const IMPERSONATE_EXTRA_HEADER_PREFIX = 'impersonate-extra-';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const AUTHENTICATION_V1 = 'authentication.k8s.io/v1';
const ALL_AUTHENTICATED = 'system:authenticated';
const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Request headers as `IncomingMessage.headersDistinct`: lower-cased names, one entry per header line. */
export type DistinctHeaders = Readonly<Record<string, readonly string[] | undefined>>;

/**
 * One thing a request asks to act as, as the `v1.ObjectReference` upstream builds for it (the extra key
 * travels in `fieldPath`, since an ObjectReference has no subresource).
 */
export interface ImpersonationRequest {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  fieldPath: string;
}

/**
 * Groups, extras or a uid without `Impersonate-User`; upstream answers it with `responsewriters.InternalError`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
 */
export class ImpersonationHeaderError extends Error {
  constructor(requests: readonly ImpersonationRequest[]) {
    super(`requested [${requests.map(formatReference).join(' ')}] without impersonating a user`);
    this.name = 'ImpersonationHeaderError';
  }
}

// Go's `%v` of a `v1.ObjectReference` value: its String() has a pointer receiver, so the struct's fields
// (Kind Namespace Name UID APIVersion ResourceVersion FieldPath) are printed bare.
function formatReference(r: ImpersonationRequest): string {
  return `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`;
}

// Node decodes header bytes as latin1; Go keeps them, and clients send UTF-8.
function headerText(value: string): string {
  return /[\u0080-\u00ff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
}

/**
 * `url.PathUnescape` of an extra key, falling back to the key as sent when an escape is malformed.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
 */
export function unescapeExtraKey(encodedKey: string): string {
  if (!encodedKey.includes('%')) return encodedKey;
  if (/%(?![0-9a-fA-F]{2})/.test(encodedKey)) return encodedKey;
  const bytes: number[] = [];
  for (const [part, hex] of encodedKey.matchAll(/%([0-9a-fA-F]{2})|[^%]+/g)) {
    if (hex) bytes.push(parseInt(hex, 16));
    else bytes.push(...Buffer.from(part, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The namespace and name of a service-account user name, or undefined unless it is exactly
 * `system:serviceaccount:<DNS label>:<DNS subdomain>`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go
 */
export function splitServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/**
 * The impersonation requests in the headers, in the order upstream checks them: the user (or service
 * account), each group, each extra value (key lower-cased and percent-decoded), the uid.
 * @throws ImpersonationHeaderError when groups, extras or a uid come without a user
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
 */
export function buildImpersonationRequests(headers: DistinctHeaders): ImpersonationRequest[] {
  const requests: ImpersonationRequest[] = [];
  const reference = (
    kind: ImpersonationRequest['kind'],
    name: string,
    rest: Partial<ImpersonationRequest> = {},
  ): ImpersonationRequest => ({ kind, namespace: '', name, apiVersion: '', fieldPath: '', ...rest });

  const requestedUser = headerText(headers[IMPERSONATE_USER_HEADER]?.[0] ?? '');
  const hasUser = requestedUser.length > 0;
  if (hasUser) {
    const serviceAccount = splitServiceAccountUsername(requestedUser);
    requests.push(
      serviceAccount
        ? reference('ServiceAccount', serviceAccount.name, { namespace: serviceAccount.namespace })
        : reference('User', requestedUser),
    );
  }

  const groups = headers[IMPERSONATE_GROUP_HEADER] ?? [];
  for (const group of groups) requests.push(reference('Group', headerText(group)));

  let hasUserExtra = false;
  for (const [headerName, values] of Object.entries(headers)) {
    if (!headerName.startsWith(IMPERSONATE_EXTRA_HEADER_PREFIX) || !values) continue;
    hasUserExtra = true;
    const extraKey = unescapeExtraKey(headerName.slice(IMPERSONATE_EXTRA_HEADER_PREFIX.length).toLowerCase());
    for (const value of values) {
      requests.push(
        reference('UserExtra', headerText(value), { apiVersion: AUTHENTICATION_V1, fieldPath: extraKey }),
      );
    }
  }

  const requestedUid = headerText(headers[IMPERSONATE_UID_HEADER]?.[0] ?? '');
  const hasUid = requestedUid.length > 0;
  if (hasUid) requests.push(reference('UID', requestedUid, { apiVersion: AUTHENTICATION_V1 }));

  if ((groups.length > 0 || hasUserExtra || hasUid) && !hasUser) throw new ImpersonationHeaderError(requests);
  return requests;
}

const RESOURCES: Record<ImpersonationRequest['kind'], string> = {
  ServiceAccount: 'serviceaccounts',
  User: 'users',
  Group: 'groups',
  UserExtra: 'userextras',
  UID: 'uids',
};

/**
 * The authorization attributes of one impersonation request: verb `impersonate` by the real requester.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
 */
export function impersonationAttributes(
  requestor: UserInfo,
  request: ImpersonationRequest,
): AuthorizationAttributes {
  const slash = request.apiVersion.indexOf('/');
  return {
    user: requestor,
    verb: 'impersonate',
    isResourceRequest: true,
    path: '',
    namespace: request.namespace,
    apiGroup: slash < 0 ? '' : request.apiVersion.slice(0, slash),
    apiVersion: slash < 0 ? request.apiVersion : request.apiVersion.slice(slash + 1),
    resource: RESOURCES[request.kind],
    subresource: request.kind === 'UserExtra' ? request.fieldPath : '',
    name: request.name,
  };
}

/** An impersonation the requester may not perform: the 403 of `responsewriters.Forbidden`. */
export class ImpersonationForbidden extends ApiError {
  constructor(
    readonly attributes: AuthorizationAttributes,
    reason: string,
  ) {
    const details: StatusDetails = {};
    if (attributes.name) details.name = attributes.name;
    if (attributes.apiGroup) details.group = attributes.apiGroup;
    details.kind = attributes.resource;
    super(403, 'Forbidden', forbiddenMessage(attributes, reason), details);
  }
}

/**
 * Who the request acts as: the requester itself without impersonation headers, otherwise the user built
 * from the headers once every requested attribute has been authorized, in order, as upstream builds it
 * (service accounts get their groups unless groups are given; `system:authenticated` is added unless it or
 * `system:unauthenticated` is there; `system:anonymous` gets `system:unauthenticated` instead).
 * @throws ImpersonationHeaderError for groups, extras or a uid without a user
 * @throws ImpersonationForbidden on the first denial
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
 */
export function resolveImpersonation(
  headers: DistinctHeaders,
  requestor: UserInfo,
  authorizer: (attributes: AuthorizationAttributes) => AuthorizationDecision,
): UserInfo {
  const requests = buildImpersonationRequests(headers);
  if (requests.length === 0) return requestor;

  const groupsSpecified = (headers[IMPERSONATE_GROUP_HEADER]?.length ?? 0) > 0;
  let username = '';
  let groups: string[] = [];
  const extra = new Map<string, string[]>();
  let uid = '';
  for (const request of requests) {
    switch (request.kind) {
      case 'ServiceAccount':
        username = `${SERVICE_ACCOUNT_PREFIX}${request.namespace}:${request.name}`;
        if (!groupsSpecified)
          groups = ['system:serviceaccounts', `system:serviceaccounts:${request.namespace}`];
        break;
      case 'User':
        username = request.name;
        break;
      case 'Group':
        groups.push(request.name);
        break;
      case 'UserExtra': {
        const values = extra.get(request.fieldPath) ?? [];
        values.push(request.name);
        extra.set(request.fieldPath, values);
        break;
      }
      case 'UID':
        uid = request.name;
        break;
    }
    const attributes = impersonationAttributes(requestor, request);
    const decision = authorizer(attributes);
    if (!decision.allowed) throw new ImpersonationForbidden(attributes, decision.reason);
  }

  if (username !== ANONYMOUS) {
    if (!groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED))
      groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }
  return {
    username,
    ...(uid ? { uid } : {}),
    groups,
    ...(extra.size > 0 ? { extra: Object.fromEntries(extra) } : {}),
  };
}

function isImpersonationHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === IMPERSONATE_USER_HEADER ||
    lower === IMPERSONATE_GROUP_HEADER ||
    lower === IMPERSONATE_UID_HEADER ||
    lower.startsWith(IMPERSONATE_EXTRA_HEADER_PREFIX)
  );
}

/** Deletes every impersonation header from the request (`headers`, `headersDistinct` and `rawHeaders`). */
export function removeImpersonationHeaders(req: IncomingMessage): void {
  for (const headers of [req.headers, req.headersDistinct] as Record<string, unknown>[]) {
    for (const name of Object.keys(headers)) if (isImpersonationHeader(name)) delete headers[name];
  }
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) if (isImpersonationHeader(raw[i]!)) raw.splice(i, 2);
}

function sanitize(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The impersonation filter, run between authentication and authorization: returns the user the request
 * acts as (with the impersonation headers removed), throws the 403 of a denied impersonation, or answers a
 * malformed one itself as upstream's `InternalError` does (500, plain text) and returns undefined.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
 */
export function applyImpersonation(
  server: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestor: UserInfo,
): UserInfo | undefined {
  let user: UserInfo;
  try {
    user = resolveImpersonation(req.headersDistinct, requestor, (attributes) => {
      const decision = authorize(rbacSourceFromStore(server), attributes);
      const path = (req.url ?? '/').split('?')[0];
      server.authorizations?.record('impersonation', req.method ?? 'GET', attributes, decision, path);
      return decision;
    });
  } catch (error) {
    if (error instanceof ImpersonationHeaderError) {
      server.log(`impersonation rejected: ${error.message}`);
      writeText(
        res,
        500,
        `${sanitize(`Internal Server Error: ${JSON.stringify(req.url ?? '')}: ${error.message}`)}\n`,
      );
      return undefined;
    }
    if (error instanceof ImpersonationForbidden) {
      res.setHeader('X-Content-Type-Options', 'nosniff');
    }
    throw error;
  }
  if (user !== requestor) removeImpersonationHeaders(req);
  return user;
}
