import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  ADMIN_USER,
  generateCa,
  generateClientCertificate,
  generateServingCertificate,
  type CertificateAndKey,
  type ServerPki,
} from './certificates.js';
import { KeyCache } from './key-cache.js';
import { keyCacheDirOf } from '../store/data-dir.js';
import { generateSigningKey, type SigningAlgorithm } from '../auth/signing-key.js';

/** Everything secret a server needs: its certificates and the service-account signing key. */
export interface KeyMaterial {
  pki: ServerPki;
  signingKey: KeyObject;
}

/** How to get key material. */
export interface KeyMaterialOptions {
  /** The listening host, which the serving certificate's SANs include. */
  host: string;
  /** A directory the user named to keep key material in between runs; nothing is kept without it. */
  cacheDir?: string;
  /**
   * A worker script (`pki-worker.js`) to generate certificates in, in parallel with the main thread's
   * start-up work: what the CLI does, since generating loads the heaviest module of all.
   */
  workerUrl?: URL;
  /** The service-account token signing algorithm, which decides the key's type. @default 'RS256' */
  signingAlgorithm?: SigningAlgorithm;
}

// One spelling of every PEM, whether generated now or read from the cache, so that files written in
// different runs compare equal.
function normalized(pair: CertificateAndKey): CertificateAndKey {
  const pem = (text: string) => `${text.replace(/\r\n/g, '\n').trim()}\n`;
  return { cert: pem(pair.cert), key: pem(pair.key) };
}

/**
 * The key material a server started with these options needs: its host's serving certificate, the key
 * cache it named (or the one `dataDir` implies), and its signing algorithm.
 */
export function keyMaterialOptionsOf(options: {
  host?: string;
  keyCacheDir?: string;
  dataDir?: string;
  tokenSigningAlgorithm?: SigningAlgorithm;
}): KeyMaterialOptions {
  const cacheDir = keyCacheDirOf(options);
  return {
    host: options.host ?? '127.0.0.1',
    ...(cacheDir ? { cacheDir } : {}),
    ...(options.tokenSigningAlgorithm ? { signingAlgorithm: options.tokenSigningAlgorithm } : {}),
  };
}

/** The part of the PKI a worker generates for a cache miss. */
export interface PkiRequest {
  host: string;
  ca?: CertificateAndKey;
  needServing: boolean;
  needAdmin: boolean;
}

/** Generates what a `PkiRequest` asks for, in this thread. */
export async function generatePkiParts(
  request: PkiRequest,
): Promise<{ ca: CertificateAndKey; serving?: CertificateAndKey; admin?: CertificateAndKey }> {
  const ca = request.ca ?? (await generateCa());
  const [serving, admin] = await Promise.all([
    request.needServing ? generateServingCertificate(ca, request.host) : undefined,
    request.needAdmin ? generateClientCertificate(ca, ADMIN_USER.name, ADMIN_USER.groups) : undefined,
  ]);
  return { ca, ...(serving ? { serving } : {}), ...(admin ? { admin } : {}) };
}

type PkiParts = Awaited<ReturnType<typeof generatePkiParts>>;

// Resolves `parts` with the worker's message; `exited` once its thread is gone, which is a little later.
function generateInWorker(
  request: PkiRequest,
  workerUrl: URL,
): { parts: Promise<PkiParts>; exited: Promise<void> } {
  const worker = new Worker(workerUrl, { workerData: request });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const parts = new Promise<PkiParts>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`certificate worker exited with code ${code}`)));
  });
  return { parts, exited };
}

/** Key material on its way. */
export interface PendingKeyMaterial {
  /** Resolves with the key material, or rejects with why there is none. */
  material: Promise<KeyMaterial>;
  /**
   * Resolves (never rejects) once nothing generates any more: the worker thread has exited and every
   * key-pair job has called back. A process must not end before. `process.exit()`, like
   * `worker.terminate()`, stops the worker's isolate; a key-pair job that completes then (its
   * `AfterThreadPoolWork` still runs) creates its `KeyObjectHandle` with `GetFunction(...).ToLocalChecked()`,
   * which is empty in a terminating isolate, and all of Node aborts: `FATAL ERROR: v8::ToLocalChecked
   * Empty MaybeLocal`, exit 134 (nodejs/node src/crypto/crypto_keys.cc, `KeyObjectHandle::Initialize`).
   * It observes `material` too, so that a rejection nobody else awaited is not left unhandled.
   */
  settled: Promise<void>;
}

/**
 * Starts getting key material at once: what the cache holds is read synchronously; the rest is generated
 * off the main thread (the signing key on libuv's pool, certificates in a worker if `workerUrl` is given),
 * then cached if a cache directory was named.
 */
export function prepareKeyMaterial(options: KeyMaterialOptions): PendingKeyMaterial {
  const cache = options.cacheDir ? new KeyCache(options.cacheDir) : undefined;
  const algorithm = options.signingAlgorithm ?? 'RS256';
  const cachedKey = cache?.readSigningKey(algorithm);
  const signingKey = cachedKey ? Promise.resolve(cachedKey) : generateSigningKey(algorithm);

  const ca = cache?.readCa();
  const serving = ca && cache?.readSigned({ servingHost: options.host }, ca);
  const admin = ca && cache?.readSigned('admin', ca);
  const request: PkiRequest = { host: options.host, ca, needServing: !serving, needAdmin: !admin };
  const { parts, exited } =
    ca && serving && admin
      ? { parts: Promise.resolve({ ca, serving, admin }), exited: Promise.resolve() }
      : options.workerUrl
        ? generateInWorker(request, options.workerUrl)
        : { parts: generatePkiParts(request), exited: Promise.resolve() };

  const material = Promise.all([parts, signingKey]).then(([generated, key]) => {
    const pki: ServerPki = {
      ca: normalized(generated.ca),
      serving: normalized((serving ?? generated.serving)!),
      admin: normalized((admin ?? generated.admin)!),
    };
    if (cache) {
      if (!ca) cache.writeCa(pki.ca);
      if (!serving) cache.writeSigned({ servingHost: options.host }, pki.serving);
      if (!admin) cache.writeSigned('admin', pki.admin);
      if (!cachedKey) cache.writeSigningKey(algorithm, key);
    }
    return { pki, signingKey: key };
  });
  const settled = Promise.allSettled([material, parts, signingKey, exited]).then(() => undefined);
  return { material, settled };
}
