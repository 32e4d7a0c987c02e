import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { readTar, writeTar } from '../src/pod-files/tar-archive.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, existsSync, kubectlBinary, run } from './support/external.js';

const PODS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  nodeName: node-1
  containers: [{name: app, image: nginx}, {name: sidecar, image: busybox}]
`;

/** A name longer than the 100 bytes a tar header holds. */
const LONG_NAME = `${'long-'.repeat(25)}name.txt`;

let server: StartedFakeApiServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-cp-'));
  kubeconfig = join(dir, 'kubeconfig');
  server = await startFakeApiServer({ kubeconfig });
  await server.apply(PODS);
});
afterAll(async () => {
  await server?.close();
});

for (const minor of [33, 27]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} cp`,
    () => {
      let local: string;
      const kc = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', kubeconfig, ...args], { cwd: local, timeoutMs: 20_000 });
      const app = () => server.podFiles({ namespace: 'shop', pod: 'web', container: 'app' });

      beforeAll(async () => {
        local = await mkdtemp(join(dir, `kubectl-${minor}-`));
      });

      it('copies a file to the pod and back, keeping its mode', async () => {
        await writeFile(join(local, 'notes.txt'), 'hello from kubectl\n');
        await chmod(join(local, 'notes.txt'), 0o640);
        const up = await kc('cp', 'notes.txt', 'shop/web:/tmp/x', '-c', 'app');
        expect(up).toMatchObject({ code: 0, stderr: '' });
        expect(app().readText('/tmp/x')).toBe('hello from kubectl\n');
        expect(app().stat('/tmp/x')).toMatchObject({ type: 'file', mode: 0o640, size: 19 });

        const down = await kc('cp', 'shop/web:/tmp/x', 'out.txt', '-c', 'app');
        expect(down.code).toBe(0);
        // tar's stderr: kubectl copies it to its stdout, unless it has already exited (SPDY's streams race).
        expect(down.stdout).toMatch(
          minor >= 30
            ? /^tar: Removing leading `\/' from member names\n$/
            : /^(tar: Removing leading `\/' from member names\n)?$/,
        );
        expect(await readFile(join(local, 'out.txt'), 'utf8')).toBe('hello from kubectl\n');

        // --retries runs `sh -c 'tar cf - /tmp/x | tail -c+0'`.
        const retried = await kc('cp', '--retries=2', 'shop/web:/tmp/x', 'retried.txt', '-c', 'app');
        expect(retried.code).toBe(0);
        expect(await readFile(join(local, 'retried.txt'), 'utf8')).toBe('hello from kubectl\n');
      });

      it('copies into an existing directory under the file name (test -d decides)', async () => {
        app().mkdir('/srv/upload');
        expect((await kc('cp', 'notes.txt', 'shop/web:/srv/upload', '-c', 'app')).code).toBe(0);
        expect(app().readText('/srv/upload/notes.txt')).toBe('hello from kubectl\n');
      });

      it('copies a directory both ways, empty directories and long names included', async () => {
        const tree = join(local, 'tree');
        await mkdir(join(tree, 'sub', 'empty'), { recursive: true });
        await writeFile(join(tree, 'a.txt'), 'A');
        await writeFile(join(tree, 'sub', LONG_NAME), 'long');
        expect((await kc('cp', 'tree', `shop/web:/tmp/tree-${minor}`, '-c', 'app')).code).toBe(0);
        expect(app().readText(`/tmp/tree-${minor}/a.txt`)).toBe('A');
        expect(app().readText(`/tmp/tree-${minor}/sub/${LONG_NAME}`)).toBe('long');
        expect(app().stat(`/tmp/tree-${minor}/sub/empty`)?.type).toBe('directory');

        expect((await kc('cp', `shop/web:/tmp/tree-${minor}`, 'back', '-c', 'app')).code).toBe(0);
        expect(await readFile(join(local, 'back', 'a.txt'), 'utf8')).toBe('A');
        expect(await readFile(join(local, 'back', 'sub', LONG_NAME), 'utf8')).toBe('long');
        expect((await stat(join(local, 'back', 'sub', 'empty'))).isDirectory()).toBe(true);
      });

      it('downloads what the test seeded, and exec cat sees what kubectl uploaded', async () => {
        app().write('/etc/app/config.yaml', 'debug: true\n', { mode: 0o600 });
        expect((await kc('cp', 'shop/web:/etc/app/config.yaml', 'config.yaml', '-c', 'app')).code).toBe(0);
        expect(await readFile(join(local, 'config.yaml'), 'utf8')).toBe('debug: true\n');
        const cat = await kc('exec', '-n', 'shop', 'web', '-c', 'app', '--', 'cat', '/tmp/x');
        expect(cat).toMatchObject({ code: 0, stdout: 'hello from kubectl\n' });
        const ls = await kc('exec', '-n', 'shop', 'web', '-c', 'app', '--', 'ls', `/tmp/tree-${minor}`);
        expect(ls).toMatchObject({ code: 0, stdout: 'a.txt\nsub\n' });
      });

      it('a missing source: tar fails in the pod, kubectl exits 0 without a file, as on a real cluster', async () => {
        const result = await kc('cp', 'shop/web:/nope', 'nope.txt', '-c', 'app');
        // kubectl reads the (empty) archive to its end and returns before tar's exit code arrives
        // (`copyFromPod` never waits for it); the messages race with that exit.
        expect(result.code).toBe(0);
        expect(existsSync(join(local, 'nope.txt'))).toBe(false);
        if (result.stdout !== '')
          expect(result.stdout).toContain('tar: /nope: Cannot stat: No such file or directory\n');
      });

      it('a missing local source is kubectl’s own error', async () => {
        const result = await kc('cp', 'missing.txt', 'shop/web:/tmp/m', '-c', 'app');
        expect(result).toMatchObject({
          code: 1,
          stderr: "error: missing.txt doesn't exist in local filesystem\n",
        });
      });

      it('a destination whose directory does not exist is tar’s error and exit code', async () => {
        const result = await kc('cp', 'notes.txt', 'shop/web:/no/such/dir/x', '-c', 'app');
        expect(result.stderr).toBe(
          'tar: /no/such/dir: Cannot open: No such file or directory\n' +
            'tar: Error is not recoverable: exiting now\n' +
            'command terminated with exit code 2\n',
        );
        expect(result.code).toBe(2);
      });

      it('-c picks the container, whose files are its own', async () => {
        expect((await kc('cp', 'notes.txt', 'shop/web:/tmp/side', '-c', 'sidecar')).code).toBe(0);
        expect(
          server.podFiles({ namespace: 'shop', pod: 'web', container: 'sidecar' }).readText('/tmp/side'),
        ).toBe('hello from kubectl\n');
        expect(app().stat('/tmp/side')).toBeUndefined();
      });

      it('a registered onExec handler for tar wins over the built-in', async () => {
        const archive = writeTar([
          {
            name: 'tmp/x',
            type: 'file',
            mode: 0o644,
            mtime: new Date(),
            content: Buffer.from('from the handler\n'),
            linkname: '',
          },
        ]);
        const registration = server.onExec({ pod: 'web', command: /^tar cf - / }, (session) => {
          session.stdout.write(archive);
        });
        try {
          expect((await kc('cp', 'shop/web:/tmp/x', 'handled.txt', '-c', 'app')).code).toBe(0);
          expect(await readFile(join(local, 'handled.txt'), 'utf8')).toBe('from the handler\n');
        } finally {
          registration.remove();
        }
      });

      // Keeps the tar reader honest about what kubectl writes (Go's archive/tar).
      it('uploads a tar the reader reads, a long name included', async () => {
        let captured: Buffer | undefined;
        const registration = server.onExec({ pod: 'web', command: /-xmf/ }, async (session) => {
          captured = await session.readStdin();
        });
        try {
          await writeFile(join(local, LONG_NAME), 'x');
          expect((await kc('cp', LONG_NAME, 'shop/web:/tmp/', '-c', 'app')).code).toBe(0);
          expect(readTar(captured!).entries.map((e) => e.name)).toEqual([LONG_NAME]);
        } finally {
          registration.remove();
        }
      });
    },
  );
}

describe('the pod files API', () => {
  it('drops a pod’s files when the pod is deleted', async () => {
    await server.apply(
      `{apiVersion: v1, kind: Pod, metadata: {name: gone, namespace: shop}, spec: {nodeName: node-1, containers: [{name: c, image: x}]}}`,
    );
    const files = server.podFiles({ namespace: 'shop', pod: 'gone' });
    expect(files.container).toBe('c');
    files.write('/data/f', 'x');
    // Forced, as a bound pod otherwise waits for its kubelet's graceful deletion.
    const deleted = await run(kubectlBinary(33), [
      ...['--kubeconfig', kubeconfig, '-n', 'shop', 'delete', 'pod', 'gone', '--grace-period=0', '--force'],
    ]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(files.stat('/data/f')).toBeUndefined();
    expect(() => files.read('/data/f')).toThrow(
      '[fake-apiserver] pod shop/gone container c: /data/f: No such file or directory',
    );
  });

  it('round-trips a file through the control API with curl', async () => {
    const credentials = adminCredentials(server.kubeconfig);
    await writeFile(join(dir, 'admin.crt'), credentials.cert);
    await writeFile(join(dir, 'admin.key'), credentials.key);
    await writeFile(join(dir, 'ca.crt'), server.caCert);
    const curl = (...args: string[]) =>
      run('curl', [
        '-sS',
        '--cacert',
        join(dir, 'ca.crt'),
        '--cert',
        join(dir, 'admin.crt'),
        '--key',
        join(dir, 'admin.key'),
        ...args,
      ]);
    const base = `${server.url}/fake-apiserver/v1/pod-files/namespaces/shop/pods/web`;
    const put = await curl(
      '-X',
      'PUT',
      '--data-binary',
      'seeded by curl\n',
      `${base}/opt/seed.txt?container=app&mode=0600`,
    );
    expect(JSON.parse(put.stdout)).toMatchObject({
      path: '/opt/seed.txt',
      type: 'file',
      mode: '0600',
      size: 15,
    });
    expect(
      server.podFiles({ namespace: 'shop', pod: 'web', container: 'app' }).readText('/opt/seed.txt'),
    ).toBe('seeded by curl\n');
    expect((await curl(`${base}/opt/seed.txt?container=app`)).stdout).toBe('seeded by curl\n');
    expect(
      JSON.parse((await curl(`${base}/opt?container=app`)).stdout).items.map((i: { name: string }) => i.name),
    ).toEqual(['seed.txt']);
    const missing = await curl(`${base}/opt/none?container=app`);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
      message: 'pod shop/web container app: /opt/none: No such file or directory',
    });
    expect(JSON.parse((await curl('-X', 'DELETE', `${base}/opt?container=app`)).stdout)).toEqual({
      removed: true,
    });
  });

  it('empties every pod’s files on reset()', async () => {
    const files = server.podFiles({ namespace: 'shop', pod: 'web', container: 'sidecar' });
    files.write('/tmp/left-behind', 'x');
    server.reset();
    expect(files.stat('/tmp/left-behind')).toBeUndefined();
    expect(files.stat('/tmp')?.mode).toBe(0o1777);
  });
});
