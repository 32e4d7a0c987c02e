import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '../errors/status.js';
import type { Clock } from '../server/clock.js';
import { TokenRejection, type ServiceAccountTokenIssuer } from './service-account-tokens.js';
import { ANONYMOUS_USER, serviceAccountUser, withAuthenticatedGroup, type UserInfo } from './user-info.js';

/** Looks up a service account's uid, or undefined when it does not exist. */
export type ServiceAccountLookup = (namespace: string, name: string) => { uid: string } | undefined;

/** Looks up a pod's uid, or undefined when it does not exist. */
export type PodLookup = (namespace: string, name: string) => { uid: string } | undefined;

/** What the authenticator needs from the rest of the server. */
export interface AuthenticatorDeps {
  tokens: ServiceAccountTokenIssuer;
  clock: Clock;
  serviceAccount: ServiceAccountLookup;
  pod: PodLookup;
  /** Called with the reason of every rejected credential, for logs. */
  onReject?: (reason: string) => void;
}

/**
 * Extracts the bearer token as `bearertoken.go` does: the header is trimmed and split on single spaces
 * into at most three parts; the scheme is case-insensitive; an empty token means no credentials.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/authentication/request/bearertoken/bearertoken.go
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const auth = (authorization ?? '').trim();
  if (!auth) return undefined;
  const parts = splitN(auth, ' ', 3);
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1] ? parts[1] : undefined;
}

function splitN(text: string, separator: string, n: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < n - 1) {
    const index = rest.indexOf(separator);
    if (index < 0) break;
    parts.push(rest.slice(0, index));
    rest = rest.slice(index + separator.length);
  }
  parts.push(rest);
  return parts;
}

/** The user of a verified client certificate: CN is the name, O values the groups. */
function certificateUser(request: IncomingMessage): UserInfo | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  if (!cn) return undefined;
  const organizations = cert.subject.O;
  const groups =
    organizations === undefined ? [] : Array.isArray(organizations) ? organizations : [organizations];
  return { username: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups] };
}

/**
 * The request authentication chain: client certificate, then bearer token; a request that presents a
 * credential that fails is 401 (never anonymous), one that presents none is `system:anonymous`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubeapiserver/authenticator/config.go
 */
export function createAuthenticator(deps: AuthenticatorDeps): (request: IncomingMessage) => UserInfo {
  return (request) => {
    const fromCertificate = certificateUser(request);
    if (fromCertificate) return withAuthenticatedGroup(fromCertificate);
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return ANONYMOUS_USER;
    try {
      return withAuthenticatedGroup(authenticateServiceAccountToken(token, deps));
    } catch (error) {
      deps.onReject?.(error instanceof Error ? error.message : String(error));
      throw unauthorized();
    }
  };
}

function authenticateServiceAccountToken(token: string, deps: AuthenticatorDeps): UserInfo {
  const claims = deps.tokens.verify(token, deps.clock.now());
  const { namespace, serviceaccount, pod } = claims['kubernetes.io'];
  const account = deps.serviceAccount(namespace, serviceaccount.name);
  if (!account) {
    throw new TokenRejection(`service account ${namespace}/${serviceaccount.name} has been deleted`);
  }
  if (account.uid !== serviceaccount.uid) {
    throw new TokenRejection(
      `service account UID (${serviceaccount.uid}) does not match claim (${account.uid}): service account token has been invalidated`,
    );
  }
  const extra: Record<string, string[]> = {
    'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`],
  };
  if (pod) {
    const current = deps.pod(namespace, pod.name);
    if (!current || current.uid !== pod.uid)
      throw new TokenRejection('service account token has been invalidated');
    extra['authentication.kubernetes.io/pod-name'] = [pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [pod.uid];
  }
  return { ...serviceAccountUser(namespace, serviceaccount.name, serviceaccount.uid), extra };
}
