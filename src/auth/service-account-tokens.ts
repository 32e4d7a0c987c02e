import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { generateSigningKey, signingAlgorithmOf, type SigningAlgorithm } from './signing-key.js';

export { SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-key.js';

/** The issuer a default kube-apiserver puts in its tokens (`--service-account-issuer`). */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The private claims of a bound service-account token (`kubernetes.io`). */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid?: string };
  warnafter?: number;
}

/** The claims of a projected service-account token. */
export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  jti: string;
  sub: string;
  'kubernetes.io': KubernetesClaims;
}

/** What a token is issued for. */
export interface TokenRequestSpec {
  namespace: string;
  name: string;
  uid: string;
  /** Defaults to the API audiences (the issuer). */
  audiences?: string[];
  /** Lifetime; defaults to 3600 s as TokenRequest does. */
  expirationSeconds?: number;
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid?: string };
  /**
   * Issue the token valid for a year but with `warnafter` at the requested lifetime, as
   * `--service-account-extend-token-expiration` does for the kubelet's pod-bound 3607 s tokens.
   */
  extendExpiration?: boolean;
}

/** The claims of a legacy Secret-based token (`pkg/serviceaccount/legacy.go`): no exp, aud, iat or jti. */
export interface LegacyServiceAccountClaims {
  iss: typeof LEGACY_ISSUER;
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
  sub: string;
}

/** The issuer of legacy Secret-based tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

/** The token lifetime the kubelet asks for, for which expiration is extended. */
export const KUBELET_TOKEN_SECONDS = 3607;

const EXTENDED_EXPIRATION_SECONDS = 24 * 365 * 60 * 60;

/** A verified token: a bound (projected or TokenRequest) one, or a legacy Secret-based one. */
export type VerifiedServiceAccountToken =
  { kind: 'bound'; claims: ServiceAccountClaims } | { kind: 'legacy'; claims: LegacyServiceAccountClaims };

const VERIFIED_CACHE_LIMIT = 10_000;

/** Why a token was refused: kept for logs, never sent to clients (they get a bare 401). */
export class TokenRejection extends Error {}

/**
 * Signs and verifies service-account JWTs with the claims `pkg/serviceaccount/claims.go` writes.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/serviceaccount/claims.go
 */
export class ServiceAccountTokenIssuer {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #verified = new Map<string, ServiceAccountClaims>();
  /** The one algorithm this issuer signs and accepts. */
  readonly algorithm: SigningAlgorithm;
  /** The key id, derived from the public key as kube-apiserver does (sha256 of its DER, base64url). */
  readonly keyId: string;

  private constructor(
    privateKey: KeyObject,
    readonly issuer: string,
    readonly apiAudiences: readonly string[],
  ) {
    const algorithm = signingAlgorithmOf(privateKey);
    if (!algorithm) throw new Error('a service-account signing key must be RSA or EC P-256');
    this.algorithm = algorithm;
    this.#privateKey = privateKey;
    this.#publicKey = createPublicKey(privateKey);
    const der = this.#publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(der).digest('base64url');
  }

  /** An issuer with a new key for `algorithm` (RS256: RSA-2048). */
  static async create(
    algorithm: SigningAlgorithm = 'RS256',
    issuer = DEFAULT_ISSUER,
    apiAudiences: readonly string[] = [issuer],
  ) {
    return new ServiceAccountTokenIssuer(await generateSigningKey(algorithm), issuer, apiAudiences);
  }

  /** An issuer signing with an existing key (RSA: RS256, P-256: ES256), e.g. one kept between runs. */
  static fromKey(privateKey: KeyObject, issuer = DEFAULT_ISSUER, apiAudiences: readonly string[] = [issuer]) {
    return new ServiceAccountTokenIssuer(privateKey, issuer, apiAudiences);
  }

  /** The public key in PEM form, for users who verify tokens themselves. */
  get publicKeyPem(): string {
    return this.#publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Issues a token; `now` is injectable for tests of expiry. */
  issue(spec: TokenRequestSpec, now = new Date()): { token: string; claims: ServiceAccountClaims } {
    const iat = Math.floor(now.getTime() / 1000);
    const lifetime = spec.expirationSeconds ?? 3600;
    const claims: ServiceAccountClaims = {
      aud: spec.audiences && spec.audiences.length > 0 ? [...spec.audiences] : [...this.apiAudiences],
      exp: iat + (spec.extendExpiration ? EXTENDED_EXPIRATION_SECONDS : lifetime),
      iat,
      nbf: iat,
      iss: this.issuer,
      jti: randomUUID(),
      sub: `system:serviceaccount:${spec.namespace}:${spec.name}`,
      'kubernetes.io': {
        namespace: spec.namespace,
        ...(spec.node ? { node: spec.node } : {}),
        ...(spec.pod ? { pod: spec.pod } : {}),
        ...(spec.secret ? { secret: spec.secret } : {}),
        serviceaccount: { name: spec.name, uid: spec.uid },
        ...(spec.extendExpiration ? { warnafter: iat + lifetime } : {}),
      },
    };
    const token = jwt.sign(claims, this.#privateKey, { algorithm: this.algorithm, keyid: this.keyId });
    return { token, claims };
  }

  /**
   * Issues a legacy token for a `kubernetes.io/service-account-token` Secret, as the tokens controller does.
   * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/serviceaccount/legacy.go
   */
  issueLegacy(spec: { namespace: string; name: string; uid: string; secretName: string }): string {
    const claims: LegacyServiceAccountClaims = {
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': spec.namespace,
      'kubernetes.io/serviceaccount/secret.name': spec.secretName,
      'kubernetes.io/serviceaccount/service-account.name': spec.name,
      'kubernetes.io/serviceaccount/service-account.uid': spec.uid,
      sub: `system:serviceaccount:${spec.namespace}:${spec.name}`,
    };
    return jwt.sign(claims, this.#privateKey, {
      algorithm: this.algorithm,
      keyid: this.keyId,
      noTimestamp: true,
    });
  }

  /**
   * Verifies a token of either kind by its issuer: bound tokens for the API audiences (or `audiences`,
   * as TokenReview asks), legacy tokens by signature and claims only (the caller checks the Secret).
   */
  verifyAny(token: string, now = new Date(), audiences?: readonly string[]): VerifiedServiceAccountToken {
    // A token verified before is a bound one: skip decoding it again (the hot path of every request).
    if (!audiences && this.#verified.has(token)) return { kind: 'bound', claims: this.verify(token, now) };
    const payload = jwt.decode(token, { json: true });
    if (payload?.iss === LEGACY_ISSUER) return { kind: 'legacy', claims: this.#verifyLegacy(token) };
    return { kind: 'bound', claims: this.verify(token, now, audiences) };
  }

  #verifyLegacy(token: string): LegacyServiceAccountClaims {
    checkProtectedHeader(token, this.keyId);
    let decoded: unknown;
    try {
      decoded = jwt.verify(token, this.#publicKey, {
        algorithms: [this.algorithm],
        issuer: LEGACY_ISSUER,
      });
    } catch (error) {
      throw new TokenRejection(error instanceof Error ? error.message : String(error));
    }
    const claims = decoded as Partial<LegacyServiceAccountClaims>;
    const namespace = claims['kubernetes.io/serviceaccount/namespace'];
    const name = claims['kubernetes.io/serviceaccount/service-account.name'];
    if (
      !namespace ||
      !name ||
      !claims['kubernetes.io/serviceaccount/secret.name'] ||
      !claims['kubernetes.io/serviceaccount/service-account.uid']
    ) {
      throw new TokenRejection('legacy token lacks required claims');
    }
    if (claims.sub !== `system:serviceaccount:${namespace}:${name}`) {
      throw new TokenRejection('sub does not match the service account claims');
    }
    return claims as LegacyServiceAccountClaims;
  }

  /**
   * Verifies signature (this issuer's algorithm only), issuer, audience and time claims. Throws `TokenRejection` with
   * the reason the real authenticator would log.
   */
  verify(token: string, now = new Date(), audiences?: readonly string[]): ServiceAccountClaims {
    if (audiences) return this.#verifyUncached(token, now, audiences);
    const cached = this.#verified.get(token);
    if (cached) {
      // The signature, issuer and audience were checked once; the time claims are checked every time.
      checkTimeClaims(cached, now);
      return cached;
    }
    const claims = this.#verifyUncached(token, now, this.apiAudiences);
    if (this.#verified.size >= VERIFIED_CACHE_LIMIT) this.#verified.clear();
    this.#verified.set(token, claims);
    return claims;
  }

  #verifyUncached(token: string, now: Date, audiences: readonly string[]): ServiceAccountClaims {
    checkProtectedHeader(token, this.keyId);
    let decoded: unknown;
    try {
      decoded = jwt.verify(token, this.#publicKey, {
        algorithms: [this.algorithm],
        issuer: this.issuer,
        audience: [...audiences] as [string, ...string[]],
        // The time claims are checked below, with kube-apiserver's leeway.
        ignoreExpiration: true,
        ignoreNotBefore: true,
      });
    } catch (error) {
      throw new TokenRejection(error instanceof Error ? error.message : String(error));
    }
    const claims = validateClaims(decoded);
    checkTimeClaims(claims, now);
    return claims;
  }
}

/**
 * The clock skew kube-apiserver tolerates on `exp`, `nbf` and `iat`: go-jose's `jwt.DefaultLeeway`, which
 * `pkg/serviceaccount/claims.go` applies through `Claims.Validate`.
 */
export const TOKEN_LEEWAY_SECONDS = 60;

/** Names go-jose understands in a `crit` header (`supportedCritical`); any other fails verification. */
const SUPPORTED_CRITICAL = new Set(['b64']);

/**
 * Checks the protected header as kube-apiserver's verifier does before it trusts the signature: a `kid` must
 * name this issuer's key (`GetPublicKeys(kid)` finds no other key: "invalid signature, no keys found"), and
 * a `crit` header may only list extensions go-jose implements. `jku`, `x5u`, `jwk` and `x5c` are never
 * used to find a key: verification is with this issuer's key alone.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/serviceaccount/jwt.go
 */
function checkProtectedHeader(token: string, keyId: string): void {
  let header: { kid?: unknown; crit?: unknown };
  try {
    header = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as typeof header;
  } catch {
    throw new TokenRejection('token header is not JSON');
  }
  if (header === null || typeof header !== 'object')
    throw new TokenRejection('token header is not an object');
  if (header.kid !== undefined && header.kid !== '' && header.kid !== keyId) {
    throw new TokenRejection('invalid signature, no keys found');
  }
  if (header.crit !== undefined) {
    const names = header.crit;
    if (
      !Array.isArray(names) ||
      names.some((name) => typeof name !== 'string' || !SUPPORTED_CRITICAL.has(name))
    )
      throw new TokenRejection('square/go-jose: error in cryptographic primitive');
  }
}

/**
 * Checks `exp`, `nbf` and `iat` as go-jose's `Claims.ValidateWithLeeway` does with the default leeway: a
 * token is refused once `now` is more than the leeway past `exp`, or more than the leeway before `nbf` or
 * `iat`.
 */
function checkTimeClaims(claims: ServiceAccountClaims, now: Date): void {
  const leewayMs = TOKEN_LEEWAY_SECONDS * 1000;
  const nowMs = now.getTime();
  const { exp, nbf, iat } = claims as { exp: unknown; nbf?: unknown; iat?: unknown };
  if ([nbf, iat].some((claim) => claim !== undefined && typeof claim !== 'number') || typeof exp !== 'number')
    throw new TokenRejection('token time claims are not numbers');
  if (nowMs - leewayMs > exp * 1000) throw new TokenRejection('service account token has expired');
  if (typeof nbf === 'number' && nowMs + leewayMs < nbf * 1000)
    throw new TokenRejection('service account token is not valid yet');
  if (typeof iat === 'number' && nowMs + leewayMs < iat * 1000)
    throw new TokenRejection('service account token is issued in the future');
}

function validateClaims(decoded: unknown): ServiceAccountClaims {
  if (decoded === null || typeof decoded !== 'object') throw new TokenRejection('token has no claims');
  const claims = decoded as Partial<ServiceAccountClaims>;
  const k8s = claims['kubernetes.io'];
  if (!k8s || typeof k8s.namespace !== 'string' || typeof k8s.serviceaccount?.name !== 'string') {
    throw new TokenRejection('token lacks the kubernetes.io claim');
  }
  if (typeof claims.exp !== 'number') throw new TokenRejection('token has no expiry');
  if (claims.sub !== `system:serviceaccount:${k8s.namespace}:${k8s.serviceaccount.name}`) {
    throw new TokenRejection('sub does not match the kubernetes.io claim');
  }
  return claims as ServiceAccountClaims;
}
