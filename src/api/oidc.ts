import { createPublicKey } from 'node:crypto';
import type { ServerContext } from '../server/server-context.js';

/**
 * `/.well-known/openid-configuration` of the service-account issuer, with the field order of
 * `pkg/serviceaccount/openidmetadata.go`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/serviceaccount/openidmetadata.go
 */
export function openIdConfiguration(server: ServerContext): Record<string, unknown> {
  return {
    issuer: server.tokens.issuer,
    jwks_uri: `https://${server.serverAddress()}/openid/v1/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [server.tokens.algorithm],
  };
}

/** `/openid/v1/jwks`: the public signing key as a JWK set. */
export function jwksDocument(server: ServerContext): Record<string, unknown> {
  const jwk = createPublicKey(server.tokens.publicKeyPem).export({ format: 'jwk' });
  const { algorithm: alg, keyId: kid } = server.tokens;
  const key =
    jwk.kty === 'EC'
      ? { use: 'sig', kty: jwk.kty, kid, crv: jwk.crv, alg, x: jwk.x, y: jwk.y }
      : { use: 'sig', kty: jwk.kty, kid, alg, n: jwk.n, e: jwk.e };
  return { keys: [key] };
}
