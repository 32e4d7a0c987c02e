import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

// Kept apart from the token issuer, so that the command can start generating a key before it loads
// jsonwebtoken and the rest of the server.

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The signing algorithms on offer: RS256 (an RSA-2048 key, what kubeadm clusters use, the default) or
 * ES256 (a P-256 key, which kube-apiserver accepts too, and which takes a millisecond to generate where
 * RSA-2048 takes up to a second). A server verifies with its own algorithm only: pinned, so `none`, HS256
 * confusion and the other algorithm are refused.
 */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;

/** A service-account token signing algorithm. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Generates a signing key for the algorithm. */
export async function generateSigningKey(algorithm: SigningAlgorithm): Promise<KeyObject> {
  const { privateKey } =
    algorithm === 'ES256'
      ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
      : await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return privateKey;
}

/** The algorithm a private key signs with, or undefined for a key of another kind. */
export function signingAlgorithmOf(key: KeyObject): SigningAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}
