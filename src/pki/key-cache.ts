import { makeDirectoriesSync } from '../files/make-directories.js';
import { createHash, X509Certificate, type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import { servingNames, type CertificateAndKey } from './certificates.js';
import { signingAlgorithmOf, type SigningAlgorithm } from '../auth/signing-key.js';

/** A certificate is reused only while it stays valid at least this long. */
const MIN_REMAINING_MS = 24 * 3600 * 1000;

function signingKeyFile(algorithm: SigningAlgorithm): string {
  return algorithm === 'RS256' ? 'service-account.key' : `service-account-${algorithm.toLowerCase()}.key`;
}

/**
 * Key material kept between runs in a directory the user named (`--key-cache`): the CA, the
 * service-account signing key, the admin client certificate and one serving certificate per set of
 * SANs. Reading is synchronous and cheap; anything missing, expiring, or not signed by the cached CA is
 * treated as absent and generated again.
 */
export class KeyCache {
  constructor(readonly dir: string) {}

  /** The cached CA, if valid. */
  readCa(): CertificateAndKey | undefined {
    const pair = this.#readPair('ca.pem');
    return pair && this.#valid(pair.cert) ? pair : undefined;
  }

  /** A cached certificate signed by `ca` (`admin`, or the serving certificate for `host`), if valid. */
  readSigned(name: 'admin' | { servingHost: string }, ca: CertificateAndKey): CertificateAndKey | undefined {
    const pair = this.#readPair(this.#fileOf(name));
    if (!pair || !this.#valid(pair.cert)) return undefined;
    const issuer = new X509Certificate(ca.cert);
    return new X509Certificate(pair.cert).verify(issuer.publicKey) ? pair : undefined;
  }

  /** The cached service-account signing key for an algorithm, if any. */
  readSigningKey(algorithm: SigningAlgorithm): KeyObject | undefined {
    const pem = this.#read(signingKeyFile(algorithm));
    if (!pem) return undefined;
    try {
      const key = createPrivateKey(pem);
      return signingAlgorithmOf(key) === algorithm ? key : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores the CA. */
  writeCa(ca: CertificateAndKey): void {
    this.#write('ca.pem', `${ca.cert.trim()}\n${ca.key.trim()}\n`);
  }

  /** Stores a certificate signed by the CA. */
  writeSigned(name: 'admin' | { servingHost: string }, pair: CertificateAndKey): void {
    this.#write(this.#fileOf(name), `${pair.cert.trim()}\n${pair.key.trim()}\n`);
  }

  /** Stores the signing key of an algorithm (PKCS#8 PEM). */
  writeSigningKey(algorithm: SigningAlgorithm, key: KeyObject): void {
    this.#write(signingKeyFile(algorithm), key.export({ type: 'pkcs8', format: 'pem' }).toString());
  }

  #fileOf(name: 'admin' | { servingHost: string }): string {
    if (name === 'admin') return 'admin.pem';
    const { dnsNames, ips } = servingNames(name.servingHost);
    const sans = [...dnsNames, ...ips].join(',');
    return `serving-${createHash('sha256').update(sans).digest('hex').slice(0, 16)}.pem`;
  }

  #valid(certPem: string): boolean {
    try {
      return Date.parse(new X509Certificate(certPem).validTo) - Date.now() > MIN_REMAINING_MS;
    } catch {
      return false;
    }
  }

  #readPair(file: string): CertificateAndKey | undefined {
    const text = this.#read(file);
    const cert = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(text ?? '')?.[0];
    const key = /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----[^-]+-----END (?:EC |RSA )?PRIVATE KEY-----/.exec(
      text ?? '',
    )?.[0];
    return cert && key ? { cert: `${cert}\n`, key: `${key}\n` } : undefined;
  }

  #read(file: string): string | undefined {
    try {
      return readFileSync(join(this.dir, file), 'utf8');
    } catch {
      return undefined;
    }
  }

  // Written to a fresh temporary file (O_EXCL: never through a symlink planted there) and renamed into
  // place, so a concurrent start reads the old file or the new one, never half of one.
  #write(file: string, content: string): void {
    const target = join(this.dir, file);
    const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      makeDirectoriesSync(this.dir, 0o700);
      writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
      renameSync(temporary, target);
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was created where nothing could be.
      }
      throw new FakeApiServerError(
        'KEY_CACHE_UNWRITABLE',
        `cannot write the key cache ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'give --key-cache a directory you can write, or leave it out',
      );
    }
  }
}
