import { existsSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServerError, startFakeApiServer } from '../../src/index.js';
import { KUBECONFIG_MARKER } from '../../src/kubeconfig/write-kubeconfig.js';
import { clientAvailable, kubectlBinary, run } from '../support/external.js';
import { send } from '../support/https-client.js';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const SA_DIR_HINT = 'give the serviceaccount directory (--sa-dir, --root, dir) a new or empty directory';
const KUBECONFIG_HINT =
  'give --kubeconfig (kubeconfig) a new path, an empty file or one fake-apiserver wrote; it overwrites no other file';
const KUBECTL = kubectlBinary(33);

let dir: string;
// A file outside every path given to the server: nothing may write it or remove it.
let outside: string;
const OUTSIDE_CONTENT = 'precious: do not touch\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-files-'));
  outside = join(dir, 'outside.txt');
  await writeFile(outside, OUTSIDE_CONTENT, { mode: 0o644 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function refusal(promise: Promise<unknown>): Promise<FakeApiServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FakeApiServerError);
  expect((error as FakeApiServerError).code).toBe('FILE_NOT_OURS');
  return error as FakeApiServerError;
}

async function expectOutsideUntouched(): Promise<void> {
  expect(await readFile(outside, 'utf8')).toBe(OUTSIDE_CONTENT);
  expect(await modeOf(outside)).toBe(0o644);
}

/** A new directory under the test's own. */
async function place(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  return path;
}

describe('the serviceaccount directory writer', () => {
  it('refuses a non-empty directory it did not write, naming it, and writes nothing anywhere', async () => {
    const saDir = await place('foreign-sa');
    await writeFile(join(saDir, 'notes.txt'), 'mine\n');
    const kubeconfig = join(dir, 'foreign-sa.kubeconfig');
    const auditLog = join(dir, 'foreign-sa.audit.log');
    const error = await refusal(
      startFakeApiServer({ saDir, kubeconfig, auditLog, tokenSigningAlgorithm: 'ES256' }),
    );
    expect(error.message).toBe(
      `[fake-apiserver] refusing to write ${saDir}: the directory is not empty and is not a serviceaccount directory fake-apiserver wrote (it holds notes.txt)\n  hint: ${SA_DIR_HINT}`,
    );
    expect(await readdir(saDir)).toEqual(['notes.txt']);
    expect(await readFile(join(saDir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(kubeconfig)).toBe(false);
    expect(existsSync(auditLog)).toBe(false);
  });

  const planted: [string, (saDir: string) => Promise<void>, string][] = [
    [
      'a token symlink to a file outside',
      (d) => symlink(outside, join(d, 'token')),
      `token points at ${'OUTSIDE'}`,
    ],
    [
      'a token that is a regular file',
      (d) => writeFile(join(d, 'token'), 'x'),
      'token is not a symbolic link into ..data',
    ],
    ['a ..data symlink out of the directory', (d) => symlink('..', join(d, '..data')), '..data points at ..'],
    [
      'a data directory that is a symlink',
      (d) => symlink(dir, join(d, '..2026_01_01_00_00_00.1')),
      '..2026_01_01_00_00_00.1 is not a directory',
    ],
  ];
  for (const [what, plant, why] of planted) {
    it(`refuses a directory with ${what}, and writes nothing through it`, async () => {
      const saDir = await place(`planted-${what.replace(/\W+/g, '-')}`);
      await plant(saDir);
      const error = await refusal(startFakeApiServer({ saDir, tokenSigningAlgorithm: 'ES256' }));
      expect(error.message).toContain(`refusing to write ${saDir}: `);
      expect(error.message).toContain(`(${why.replace('OUTSIDE', outside)})`);
      expect((await readdir(saDir)).length).toBe(1);
      await expectOutsideUntouched();
    });
  }

  it('writes the token readable by its owner only, and rewrites its own directory on a later start', async () => {
    const saDir = join(dir, 'ours');
    await mkdir(saDir); // an empty directory (as mkdtemp makes) is fine
    for (let start = 0; start < 2; start++) {
      const server = await startFakeApiServer({ saDir, tokenSigningAlgorithm: 'ES256' });
      expect(await modeOf(join(saDir, 'token'))).toBe(0o600);
      expect(await modeOf(join(saDir, 'ca.crt'))).toBe(0o644);
      expect(await modeOf(join(saDir, 'namespace'))).toBe(0o644);
      expect((await lstat(join(saDir, 'token'))).isSymbolicLink()).toBe(true);
      expect(await readFile(join(saDir, 'token'), 'utf8')).toBe(server.serviceAccountMount!.token);
      await server.close();
    }
    // One data directory: the earlier one was removed by the swap, nothing else is there.
    const entries = await readdir(saDir);
    expect(entries.filter((name) => /^\.\.\d{4}_/.test(name))).toHaveLength(1);
    expect(entries.filter((name) => !/^\.\.\d{4}_/.test(name)).sort()).toEqual([
      '..data',
      'ca.crt',
      'namespace',
      'token',
    ]);
  });

  it('stops at a link planted after the first write: rotate() refuses and removes nothing outside', async () => {
    const victim = await place('victim');
    await writeFile(join(victim, 'keep.txt'), 'keep\n');
    const saDir = join(dir, 'rotated');
    await using server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
    const mount = await server.mountServiceAccount({ dir: saDir });
    // The previous ..data target is what the swap removes: point it outside.
    await rm(join(saDir, '..data'));
    await symlink('../victim', join(saDir, '..data'));
    const error = await refusal(mount.rotate());
    expect(error.message).toContain('(..data points at ../victim)');
    expect(await readFile(join(victim, 'keep.txt'), 'utf8')).toBe('keep\n');
    expect(await readlink(join(saDir, '..data'))).toBe('../victim');
  });

  it('rotates past a file someone put into the current data directory, leaving it and its directory', async () => {
    const saDir = join(dir, 'visited');
    await using server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
    const mount = await server.mountServiceAccount({ dir: saDir });
    const first = await readlink(join(saDir, '..data'));
    const firstToken = mount.token;
    await writeFile(join(saDir, first, 'notes.txt'), 'mine\n');

    await mount.rotate();
    const second = await readlink(join(saDir, '..data'));
    expect(second).not.toBe(first);
    // Our three files are gone from the old directory; the visitor's file and so its directory stay.
    expect(await readdir(join(saDir, first))).toEqual(['notes.txt']);
    expect(await readFile(join(saDir, first, 'notes.txt'), 'utf8')).toBe('mine\n');
    const token = await readFile(join(saDir, 'token'), 'utf8');
    expect(token).toBe(mount.token);
    expect(token).not.toBe(firstToken);
    const review = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      token,
      body: {},
    });
    expect(review.json().status.userInfo.username).toBe('system:serviceaccount:default:default');

    // The next rotation accepts the leftover directory and removes the one it emptied.
    await mount.rotate();
    expect(existsSync(join(saDir, second))).toBe(false);
    expect(await readFile(join(saDir, first, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(join(saDir, 'token'), 'utf8')).toBe(mount.token);
  });

  it('refuses a foreign directory through mountServiceAccount and the mounts endpoint too', async () => {
    const saDir = await place('foreign-mount');
    await writeFile(join(saDir, 'config.yaml'), 'a: 1\n');
    await using server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
    const error = await refusal(server.mountServiceAccount({ dir: saDir }));
    expect(error.message).toContain('(it holds config.yaml)');
    expect(await readdir(saDir)).toEqual(['config.yaml']);
  });
});

describe('the kubeconfig writer', () => {
  it('writes the kubeconfig 0600 with its marker first, and rewrites only a file it wrote or an empty one', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, '', { mode: 0o644 }); // as `mktemp` makes one, but readable by all
    await chmod(kubeconfig, 0o644);
    for (let start = 0; start < 2; start++) {
      const server = await startFakeApiServer({ kubeconfig, tokenSigningAlgorithm: 'ES256' });
      expect(await modeOf(kubeconfig)).toBe(0o600);
      expect(await readFile(kubeconfig, 'utf8')).toBe(`${KUBECONFIG_MARKER}\n${server.kubeconfig}`);
      await server.close();
    }
  });

  it('refuses to overwrite a kubeconfig it did not write, naming it', async () => {
    const kubeconfig = join(dir, 'users-kubeconfig');
    const original = "apiVersion: v1\nkind: Config\nclusters: []\n# the user's own cluster\n";
    await writeFile(kubeconfig, original, { mode: 0o600 });
    const saDir = join(dir, 'not-written-sa');
    const error = await refusal(startFakeApiServer({ kubeconfig, saDir, tokenSigningAlgorithm: 'ES256' }));
    expect(error.message).toBe(
      `[fake-apiserver] refusing to write ${kubeconfig}: the file exists and fake-apiserver did not write it\n  hint: ${KUBECONFIG_HINT}`,
    );
    expect(await readFile(kubeconfig, 'utf8')).toBe(original);
    expect(existsSync(saDir)).toBe(false);
  });

  it('refuses a symlink at the kubeconfig path, even to a kubeconfig of its own', async () => {
    const own = join(dir, 'own-kubeconfig');
    await (await startFakeApiServer({ kubeconfig: own, tokenSigningAlgorithm: 'ES256' })).close();
    const link = join(dir, 'linked-kubeconfig');
    await symlink(outside, link);
    const error = await refusal(startFakeApiServer({ kubeconfig: link, tokenSigningAlgorithm: 'ES256' }));
    expect(error.message).toContain(
      `refusing to write ${link}: the kubeconfig path is a symbolic link, and fake-apiserver writes through none`,
    );
    await expectOutsideUntouched();
    const ownLink = join(dir, 'linked-own-kubeconfig');
    await symlink(own, ownLink);
    await refusal(startFakeApiServer({ kubeconfig: ownLink, tokenSigningAlgorithm: 'ES256' }));
  });
});

describe('the audit log and RBAC report writers', () => {
  it('refuses an audit log path that is a symlink, and appends to a regular file without truncating it', async () => {
    const link = join(dir, 'audit-link.log');
    await symlink(outside, link);
    const error = await refusal(startFakeApiServer({ auditLog: link, tokenSigningAlgorithm: 'ES256' }));
    expect(error.message).toContain(`refusing to write ${link}: the audit log path is a symbolic link`);
    await expectOutsideUntouched();

    const log = join(dir, 'audit.log');
    await writeFile(log, '{"earlier":"line"}\n');
    await (await startFakeApiServer({ auditLog: log, tokenSigningAlgorithm: 'ES256' })).close();
    expect((await readFile(log, 'utf8')).startsWith('{"earlier":"line"}\n')).toBe(true);
  });

  it('refuses at start an RBAC report path holding a file it did not write, or a symlink', async () => {
    const report = join(dir, 'rbac.yaml');
    await writeFile(report, 'kind: Role\n');
    const error = await refusal(
      startFakeApiServer({ rbacReportFile: report, tokenSigningAlgorithm: 'ES256' }),
    );
    expect(error.message).toContain(
      `refusing to write ${report}: the file exists and fake-apiserver did not write it`,
    );
    expect(await readFile(report, 'utf8')).toBe('kind: Role\n');

    const link = join(dir, 'rbac-link.yaml');
    await symlink(outside, link);
    await refusal(startFakeApiServer({ rbacReportFile: link, tokenSigningAlgorithm: 'ES256' }));
    await expectOutsideUntouched();

    // Its own report is rewritten on the next run.
    const own = join(dir, 'own-rbac.yaml');
    await (await startFakeApiServer({ rbacReportFile: own, tokenSigningAlgorithm: 'ES256' })).close();
    expect(await readFile(own, 'utf8')).toMatch(/^# fake-apiserver saw no request/);
    await (await startFakeApiServer({ rbacReportFile: own, tokenSigningAlgorithm: 'ES256' })).close();
  });
});

describe('the command', () => {
  it('exits 2 naming a foreign --sa-dir or --kubeconfig, writing nothing', async () => {
    const saDir = await place('cli-foreign-sa');
    await writeFile(join(saDir, 'id_rsa'), 'secret\n');
    const kubeconfig = join(dir, 'cli-unwritten-kubeconfig');
    const sa = await run(process.execPath, [
      BIN,
      '--port',
      '0',
      '--sa-dir',
      saDir,
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(sa.code).toBe(2);
    expect(sa.stdout).toBe('');
    expect(sa.stderr).toContain(
      `[fake-apiserver] refusing to write ${saDir}: the directory is not empty and is not a serviceaccount directory fake-apiserver wrote (it holds id_rsa)`,
    );
    expect(await readdir(saDir)).toEqual(['id_rsa']);
    expect(existsSync(kubeconfig)).toBe(false);

    const foreign = join(dir, 'cli-foreign-kubeconfig');
    await writeFile(foreign, 'apiVersion: v1\nkind: Config\n');
    const kc = await run(process.execPath, [BIN, '--port', '0', '--kubeconfig', foreign]);
    expect(kc.code).toBe(2);
    expect(kc.stderr).toContain(
      `refusing to write ${foreign}: the file exists and fake-apiserver did not write it`,
    );
    expect(await readFile(foreign, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
  });

  it.skipIf(!clientAvailable('kubectl 1.33', () => existsSync(KUBECTL)))(
    'writes files kubectl reads: the marked kubeconfig, the 0600 token',
    async () => {
      const saDir = join(dir, 'cli-sa');
      const kubeconfig = join(dir, 'cli-kubeconfig');
      const { spawn } = await import('node:child_process');
      const { createInterface } = await import('node:readline');
      const child = spawn(
        process.execPath,
        [BIN, '--port', '0', '--sa-dir', saDir, '--kubeconfig', kubeconfig],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        await new Promise<void>((resolveReady, reject) => {
          let lines = 0;
          createInterface({ input: child.stdout }).on('line', () => ++lines === 2 && resolveReady());
          child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        });
        expect(await modeOf(kubeconfig)).toBe(0o600);
        expect(await modeOf(join(saDir, 'token'))).toBe(0o600);
        const get = await run(KUBECTL, ['--kubeconfig', kubeconfig, 'get', 'namespaces', '-o', 'name']);
        expect(get.stderr).toBe('');
        expect(get.stdout).toContain('namespace/default');
        const token = (await readFile(join(saDir, 'token'), 'utf8')).trim();
        const server = /server: (\S+)/.exec(await readFile(kubeconfig, 'utf8'))![1]!;
        const asAccount = await run(KUBECTL, [
          '--server',
          server,
          '--certificate-authority',
          join(saDir, 'ca.crt'),
          '--token',
          token,
          'auth',
          'whoami',
          '-o',
          'jsonpath={.status.userInfo.username}',
        ]);
        expect(asAccount.stdout).toBe('system:serviceaccount:default:default');
      } finally {
        child.kill('SIGTERM');
      }
    },
  );
});
