import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCa, generateServingCertificate, type CertificateAndKey } from './certificates.js';
import { KeyCache } from './key-cache.js';

let ca: CertificateAndKey;
let otherCa: CertificateAndKey;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([generateCa(), generateCa()]);
});

async function freshCache(): Promise<KeyCache> {
  return new KeyCache(join(await mkdtemp(join(tmpdir(), 'key-cache-')), 'cache'));
}

describe('KeyCache', () => {
  it('reads back what it wrote, owner-only, in a directory it creates', async () => {
    const cache = await freshCache();
    expect(cache.readCa()).toBeUndefined();
    cache.writeCa(ca);
    expect(cache.readCa()).toEqual({ cert: `${ca.cert.trim()}\n`, key: `${ca.key.trim()}\n` });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    cache.writeSigningKey('RS256', privateKey);
    expect(cache.readSigningKey('ES256')).toBeUndefined();
    expect(cache.readSigningKey('RS256')?.export({ type: 'pkcs8', format: 'pem' })).toEqual(
      privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    expect((await stat(cache.dir)).mode & 0o777).toBe(0o700);
    for (const file of await readdir(cache.dir)) {
      expect((await stat(join(cache.dir, file))).mode & 0o777).toBe(0o600);
    }
  });

  it('keeps one serving certificate per set of names, and only those the cached CA signed', async () => {
    const cache = await freshCache();
    const serving = await generateServingCertificate(ca, '127.0.0.1');
    cache.writeSigned({ servingHost: '127.0.0.1' }, serving);
    expect(cache.readSigned({ servingHost: '127.0.0.1' }, ca)?.cert.trim()).toBe(serving.cert.trim());
    expect(cache.readSigned({ servingHost: '10.1.2.3' }, ca)).toBeUndefined();
    expect(cache.readSigned({ servingHost: '127.0.0.1' }, otherCa)).toBeUndefined();
  });

  it('treats unreadable files as absent', async () => {
    const cache = await freshCache();
    cache.writeCa(ca);
    await writeFile(join(cache.dir, 'ca.pem'), 'not a certificate');
    await writeFile(join(cache.dir, 'service-account.key'), 'not a key');
    expect(cache.readCa()).toBeUndefined();
    expect(cache.readSigningKey('RS256')).toBeUndefined();
  });

  it('replaces a symlink planted in the cache instead of writing through it', async () => {
    const cache = await freshCache();
    cache.writeCa(ca);
    const outside = join(await mkdtemp(join(tmpdir(), 'outside-')), 'victim');
    await writeFile(outside, 'untouched');
    await symlink(outside, join(cache.dir, 'admin.pem'));
    cache.writeSigned('admin', await generateServingCertificate(ca, 'localhost'));
    expect(await readFile(outside, 'utf8')).toBe('untouched');
  });

  it('names the directory it cannot write', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'key-cache-')), 'a-file');
    await writeFile(file, '');
    expect(() => new KeyCache(file).writeCa(ca)).toThrow(/cannot write the key cache .*a-file/);
  });
});
