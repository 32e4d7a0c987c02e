import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isolatedNpxEnv, run } from './support/external.js';
import { send } from './support/https-client.js';

const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the CLI and resolves with the two export lines once they are printed. */
function startCli(args: string[]): Promise<{ child: ChildProcess; exports: string[] }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) resolvePromise({ child, exports: lines });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing the exports`)));
  });
}

describe('the fake-apiserver command', () => {
  it('prints the exports once listening with sa-dir and kubeconfig written, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-cli-'));
    const { child, exports } = await startCli([
      '--port',
      '0',
      '--sa-dir',
      join(dir, 'sa'),
      '--kubeconfig',
      join(dir, 'kubeconfig'),
    ]);
    expect(exports[0]).toBe('export KUBERNETES_SERVICE_HOST=127.0.0.1');
    const port = Number(/^export KUBERNETES_SERVICE_PORT=(\d+)$/.exec(exports[1]!)?.[1]);
    expect(port).toBeGreaterThan(0);

    // The kubelet's projected-volume layout: names are symlinks into ..data, itself a link to a timestamped dir.
    expect((await lstat(join(dir, 'sa', 'token'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'sa', 'token'))).toBe('..data/token');
    expect(await readlink(join(dir, 'sa', '..data'))).toMatch(
      /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/,
    );

    const ca = await readFile(join(dir, 'sa', 'ca.crt'), 'utf8');
    const token = await readFile(join(dir, 'sa', 'token'), 'utf8');
    const response = await send(`https://127.0.0.1:${port}`, ca, { path: '/api/v1', token });
    expect(response.status).toBe(200);
    expect(response.json().resources.some((r: { name: string }) => r.name === 'pods/log')).toBe(true);

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('authenticates static users from a token auth file and User fixtures, with anonymous access off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-cli-users-'));
    const fixtures = resolve(import.meta.dirname, 'fixtures/users');
    const { exports } = await startCli([
      ...['--port', '0', '--sa-dir', join(dir, 'sa'), '--anonymous-auth', 'false'],
      ...[
        '--fixtures',
        resolve(import.meta.dirname, '../fixtures'),
        '--fixtures',
        join(fixtures, 'users.yaml'),
      ],
      ...['--token-auth-file', join(fixtures, 'tokens.csv')],
    ]);
    const url = `https://127.0.0.1:${exports[1]!.split('=')[1]}`;
    const ca = await readFile(join(dir, 'sa', 'ca.crt'), 'utf8');
    const whoami = async (token: string) =>
      (
        await send(url, ca, {
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          token,
          body: {},
        })
      ).json().status.userInfo;
    expect(await whoami('alice-token')).toEqual({
      username: 'alice',
      groups: ['developers', 'qa', 'system:authenticated'],
    });
    expect(await whoami('bob-token')).toEqual({
      username: 'bob',
      uid: '1001',
      groups: ['ops', 'developers', 'system:authenticated'],
    });
    expect((await whoami('carol-token')).groups).toEqual(['system:authenticated']);
    expect((await send(url, ca, { path: '/version' })).status).toBe(401);
  });

  it('refuses a broken fixture with exit code 2, naming the file and document, and serves nothing', async () => {
    const result = await run(process.execPath, [
      BIN,
      '--port',
      '0',
      '--fixtures',
      resolve(import.meta.dirname, 'fixtures/bad'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      '[fake-apiserver] test/fixtures/bad/broken.yaml, document 2: metadata is missing',
    );
  });

  it('refuses a key cache it cannot create with exit code 2, at once', async () => {
    // /proc refuses new entries with ENOENT: Node's recursive mkdir would spin there forever.
    const result = await run(
      process.execPath,
      [BIN, '--port', '0', '--key-cache', '/proc/fake-apiserver-nope'],
      {
        timeoutMs: 20_000,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '[fake-apiserver] cannot write the key cache /proc/fake-apiserver-nope/ca.pem: ENOENT',
    );
  });

  it('refuses unknown options with exit code 2', async () => {
    const result = await run(process.execPath, [BIN, '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("[fake-apiserver] Unknown option '--no-such-flag'");
  });

  it('runs through npx from the repository root', async () => {
    const result = await run('npx', ['--no-install', 'fake-apiserver', '--version'], {
      cwd: resolve(import.meta.dirname, '..'),
      env: isolatedNpxEnv(),
    });
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('prints help and version', async () => {
    expect((await run(process.execPath, [BIN, '--help'])).stdout).toContain(
      'Usage: fake-apiserver [options]',
    );
    const pkg = JSON.parse(await readFile(resolve(import.meta.dirname, '../package.json'), 'utf8'));
    expect((await run(process.execPath, [BIN, '--version'])).stdout).toBe(`${pkg.version}\n`);
  });

  it('shuts down when the shell that started it goes away', async () => {
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" --port 0 & echo $!; wait`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(shell);
    const pid = await new Promise<number>((r) =>
      createInterface({ input: shell.stdout! }).once('line', (l) => r(Number(l))),
    );
    // Killed 1.5 s in, start-up may still be going on under load: the parent followed is the one read when
    // the command's modules loaded, not the one that adopted it since.
    await new Promise((r) => setTimeout(r, 1500));
    expect(() => process.kill(pid, 0)).not.toThrow();
    shell.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});
