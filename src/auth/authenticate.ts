import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '../errors/status.js';
import type { Clock } from '../time/clock.js';
import {
  TokenRejection,
  type LegacyServiceAccountClaims,
  type ServiceAccountClaims,
  type ServiceAccountTokenIssuer,
} from './service-account-tokens.js';
import { ANONYMOUS_USER, serviceAccountUser, withAuthenticatedGroup, type UserInfo } from './user-info.js';

/** Looks up a service account's uid, or undefined when it does not exist. */
export type ServiceAccountLookup = (namespace: string, name: string) => { uid: string } | undefined;

/** Looks up a pod's uid, or undefined when it does not exist. */
export type PodLookup = (namespace: string, name: string) => { uid: string } | undefined;

/** Looks up a Secret's uid and its decoded `data.token`, or undefined when it does not exist. */
export type SecretLookup = (namespace: string, name: string) => { uid: string; token?: string } | undefined;

/** What the authenticator needs from the rest of the server. */
export interface AuthenticatorDeps {
  tokens: ServiceAccountTokenIssuer;
  clock: Clock;
  serviceAccount: ServiceAccountLookup;
  pod: PodLookup;
  secret: SecretLookup;
  /** Static bearer tokens (`--token-auth-file` style users). */
  staticTokens?: ReadonlyMap<string, UserInfo>;
  /** Whether requests without credentials are `system:anonymous` (true) or 401 (false). @default true */
  anonymous?: boolean;
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

/**
 * What the x509 authenticator makes of a request's client certificate: nothing when none was presented,
 * its user (CN the name, O values the groups) when it chains to our CA, and an error when it does not. As
 * on kube-apiserver, the TLS layer only requests a certificate (`tls.RequestClientCert`); verification
 * happens here, and an unverifiable certificate is a failed credential (401), never anonymous.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/authentication/request/x509/x509.go
 */
function certificateCredential(request: IncomingMessage): CertificateCredential | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  // The certificate is the connection's: examined once, not on every keep-alive request.
  if (!credentialOfSocket.has(socket))
    credentialOfSocket.set(socket, examineCertificate(socket as TLSSocket));
  return credentialOfSocket.get(socket);
}

type CertificateCredential = { user?: UserInfo; error?: string };

const credentialOfSocket = new WeakMap<object, CertificateCredential | undefined>();

function examineCertificate(socket: TLSSocket): CertificateCredential | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert?.raw) return undefined;
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'not signed by the cluster CA');
    return { error: `verifying certificate SN=${cert.serialNumber} failed: ${reason}` };
  }
  const cn = cert.subject?.CN;
  if (!cn) return undefined;
  const organizations = cert.subject.O;
  const groups =
    organizations === undefined ? [] : Array.isArray(organizations) ? organizations : [organizations];
  return { user: { username: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups] } };
}

/**
 * The request authentication chain: client certificate, then bearer token; a request that presents a
 * credential that fails is 401 (never anonymous), one that presents none is `system:anonymous`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubeapiserver/authenticator/config.go
 */
export function createAuthenticator(deps: AuthenticatorDeps): (request: IncomingMessage) => UserInfo {
  return (request) => {
    const certificate = certificateCredential(request);
    if (certificate?.user) return withAuthenticatedGroup(certificate.user);
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      // union.NewFailOnError: a failed credential is never anonymous.
      if (certificate?.error) {
        deps.onReject?.(certificate.error);
        throw unauthorized();
      }
      if (deps.anonymous === false) throw unauthorized();
      return ANONYMOUS_USER;
    }
    try {
      return authenticateToken(token, deps).user;
    } catch (error) {
      deps.onReject?.(error instanceof Error ? error.message : String(error));
      throw unauthorized();
    }
  };
}

/**
 * Authenticates a bearer token (static token, bound or legacy service-account JWT) as the token
 * authenticator chain does, for requests and for TokenReview. `audiences` restricts bound tokens to
 * those audiences (TokenReview's `spec.audiences`); the answer carries the audiences that matched.
 * Throws `TokenRejection`.
 */
export function authenticateToken(
  token: string,
  deps: AuthenticatorDeps,
  audiences?: readonly string[],
): { user: UserInfo; audiences: string[] } {
  const wanted = audiences && audiences.length > 0 ? audiences : deps.tokens.apiAudiences;
  const staticUser = deps.staticTokens?.get(token);
  if (staticUser) return { user: withAuthenticatedGroup(staticUser), audiences: [...wanted] };
  const verified = deps.tokens.verifyAny(
    token,
    deps.clock.now(),
    audiences && audiences.length > 0 ? audiences : undefined,
  );
  if (verified.kind === 'legacy') {
    return {
      user: withAuthenticatedGroup(authenticateLegacyToken(token, verified.claims, deps)),
      audiences: [...wanted],
    };
  }
  const claims = verified.claims;
  const matched = claims.aud.filter((aud) => wanted.includes(aud));
  return { user: withAuthenticatedGroup(authenticateBoundToken(claims, deps)), audiences: matched };
}

function authenticateLegacyToken(
  token: string,
  claims: LegacyServiceAccountClaims,
  deps: AuthenticatorDeps,
): UserInfo {
  const namespace = claims['kubernetes.io/serviceaccount/namespace'];
  const name = claims['kubernetes.io/serviceaccount/service-account.name'];
  const secretName = claims['kubernetes.io/serviceaccount/secret.name'];
  const secret = deps.secret(namespace, secretName);
  if (!secret)
    throw new TokenRejection(`secret ${namespace}/${secretName} referenced by token has been deleted`);
  if (secret.token !== token) throw new TokenRejection('token does not match the token in its secret');
  const account = deps.serviceAccount(namespace, name);
  if (!account) throw new TokenRejection(`service account ${namespace}/${name} has been deleted`);
  if (account.uid !== claims['kubernetes.io/serviceaccount/service-account.uid']) {
    throw new TokenRejection(
      'service account UID does not match the token: service account token has been invalidated',
    );
  }
  return serviceAccountUser(namespace, name, account.uid);
}

function authenticateBoundToken(claims: ServiceAccountClaims, deps: AuthenticatorDeps): UserInfo {
  const { namespace, serviceaccount, pod, secret, node } = claims['kubernetes.io'];
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
  if (secret) {
    const current = deps.secret(namespace, secret.name);
    if (!current || current.uid !== secret.uid)
      throw new TokenRejection('service account token has been invalidated');
  }
  if (node) {
    extra['authentication.kubernetes.io/node-name'] = [node.name];
    if (node.uid) extra['authentication.kubernetes.io/node-uid'] = [node.uid];
  }
  return { ...serviceAccountUser(namespace, serviceaccount.name, serviceaccount.uid), extra };
}
