import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../src/index.js';
import { run } from './support/external.js';

const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');

/** Runs the command until it has printed its exports, then stops it; resolves with its port. */
async function startAndStop(args: string[], whileRunning: (port: number) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /^export KUBERNETES_SERVICE_PORT=(\d+)$/.exec(line);
        if (match) resolvePort(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    await whileRunning(port);
  } finally {
    child.kill('SIGTERM');
  }
}

describe('--key-cache', () => {
  it('reuses the CA of the first run, so a ca.crt saved then still verifies the server for curl', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-key-cache-'));
    const cache = join(dir, 'cache');
    await startAndStop(['--sa-dir', join(dir, 'sa-1'), '--key-cache', cache], async () => {});
    const cachedFiles = await readdir(cache);
    expect(cachedFiles.sort()).toEqual(
      expect.arrayContaining(['admin.pem', 'ca.pem', 'service-account.key']),
    );
    const mtimes = await Promise.all(cachedFiles.map(async (f) => (await stat(join(cache, f))).mtimeMs));

    await startAndStop(['--sa-dir', join(dir, 'sa-2'), '--key-cache', cache], async (port) => {
      const token = await readFile(join(dir, 'sa-2', 'token'), 'utf8');
      const curl = await run('curl', [
        '-sS',
        '--cacert',
        join(dir, 'sa-1', 'ca.crt'),
        '-H',
        `Authorization: Bearer ${token}`,
        `https://127.0.0.1:${port}/api`,
      ]);
      expect(curl.stderr).toBe('');
      expect(JSON.parse(curl.stdout)).toMatchObject({ kind: 'APIVersions' });
    });
    // Nothing was generated again.
    expect(await Promise.all(cachedFiles.map(async (f) => (await stat(join(cache, f))).mtimeMs))).toEqual(
      mtimes,
    );
    expect(await readFile(join(dir, 'sa-2', 'ca.crt'), 'utf8')).toBe(
      await readFile(join(dir, 'sa-1', 'ca.crt'), 'utf8'),
    );
  });

  it('is shared between the command and the programmatic server, and kept out of sight without it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-key-cache-'));
    const cache = join(dir, 'cache');
    await using first = await startFakeApiServer({ keyCacheDir: cache });
    await using second = await startFakeApiServer({ keyCacheDir: cache });
    await using uncached = await startFakeApiServer({});
    expect(second.caCert).toBe(first.caCert);
    expect(uncached.caCert).not.toBe(first.caCert);
    // Both sign service-account tokens with the cached key: the same key id.
    const keyId = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
    expect(keyId(second.issueToken('default/default'))).toBe(keyId(first.issueToken('default/default')));
    expect(keyId(uncached.issueToken('default/default'))).not.toBe(
      keyId(first.issueToken('default/default')),
    );
  });

  it('stops start-up with a clear error when the cache cannot be written', async () => {
    const result = await run(process.execPath, [BIN, '--port', '0', '--key-cache', '/proc/version/cache']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\[fake-apiserver\] cannot write the key cache \/proc\/version\/cache/);
  });
});
