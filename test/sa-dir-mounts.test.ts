import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeApiServerError, startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';
import { jwtClaims, movableClock, sleep, snapshot, waitFor, type MovableClock } from './support/sa-dir.js';

const SA_PATH = 'var/run/secrets/kubernetes.io/serviceaccount';
const AUTOMOUNT_FIXTURES = resolve(import.meta.dirname, 'fixtures/automount');

async function rejection(promise: Promise<unknown>): Promise<FakeApiServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FakeApiServerError)) throw new Error(`expected a FakeApiServerError, got ${error}`);
  return error;
}

describe('service-account mounts', () => {
  let server: StartedFakeApiServer;
  let clock: MovableClock;
  let dir: string;
  const messages: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-mounts-'));
    clock = movableClock();
    server = await startFakeApiServer({
      fixtures: [resolve(import.meta.dirname, '../fixtures'), AUTOMOUNT_FIXTURES],
      clock,
      log: (message) => messages.push(message),
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string, token: string) => send(server.url, server.caCert, { path, token });
  const asAdmin = (req: Parameters<typeof send>[2]) =>
    send(server.url, server.caCert, { client: adminCredentials(server.kubeconfig), ...req });

  it('writes a pod volume as the kubelet does: its service account, its namespace, a pod-bound token', async () => {
    const mount = await server.mountServiceAccount({ root: join(dir, 'pod'), pod: 'default/helloworld' });
    expect(mount.dir).toBe(join(dir, 'pod', SA_PATH));
    expect(mount).toMatchObject({
      tokenFile: join(mount.dir, 'token'),
      caFile: join(mount.dir, 'ca.crt'),
      namespaceFile: join(mount.dir, 'namespace'),
      serviceAccount: 'default/default',
      pod: 'default/helloworld',
      tokenTtlSeconds: 3607,
    });
    const token = await readFile(mount.tokenFile, 'utf8');
    expect(token).toBe(mount.token);
    expect(await readFile(mount.namespaceFile, 'utf8')).toBe('default');
    expect(await readFile(mount.caFile, 'utf8')).toBe(server.caCert);

    const pod = (await asAdmin({ path: '/api/v1/namespaces/default/pods/helloworld' })).json();
    const claims = jwtClaims(token);
    expect(claims.sub).toBe('system:serviceaccount:default:default');
    expect(claims['kubernetes.io'].pod).toEqual({ name: 'helloworld', uid: pod.metadata.uid });
    // kube-apiserver extends the kubelet's 3607 s pod-bound token to a year, with warnafter at 3607 s.
    expect(claims['kubernetes.io'].warnafter - claims.iat).toBe(3607);
    expect(mount.refreshAt.getTime() / 1000 - claims.iat).toBe(2886);
    expect(mount.expiresAt.getTime() / 1000).toBe(claims.exp);

    const review = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      token,
      body: {},
    });
    expect(review.json().status.userInfo.extra['authentication.kubernetes.io/pod-name']).toEqual([
      'helloworld',
    ]);
    await mount.stop();
  });

  it('keeps several identities in one server, one directory each', async () => {
    const reader = await server.mountServiceAccount({
      dir: join(dir, 'reader'),
      serviceAccount: 'default/pod-reader',
      tokenTtlSeconds: 600,
    });
    const system = await server.mountServiceAccount({
      dir: join(dir, 'system'),
      serviceAccount: 'kube-system/default',
    });
    expect(await readFile(system.namespaceFile, 'utf8')).toBe('kube-system');
    const readerToken = await readFile(reader.tokenFile, 'utf8');
    expect(jwtClaims(readerToken).exp - jwtClaims(readerToken).iat).toBe(600);
    expect((await get('/api/v1/namespaces/default/pods', readerToken)).status).toBe(200);
    expect((await get('/api/v1/namespaces/default/pods', system.token)).status).toBe(403);

    const taken = await rejection(
      server.mountServiceAccount({ dir: join(dir, 'reader'), pod: 'default/helloworld' }),
    );
    expect(taken.code).toBe('INVALID_OPTION');
    expect(taken.message).toContain('already holds the serviceaccount files of default/pod-reader');
    await reader.stop();
    const again = await server.mountServiceAccount({ dir: join(dir, 'reader'), pod: 'default/helloworld' });
    expect(again.serviceAccount).toBe('default/default');
    await Promise.all([again.stop(), system.stop()]);
  });

  it('refuses pods and service accounts that mount no token, and unknown pods, writing nothing', async () => {
    const target = join(dir, 'refused');
    const optedOut = await rejection(server.mountServiceAccount({ dir: target, pod: 'default/opted-out' }));
    expect(optedOut.code).toBe('AUTOMOUNT_DISABLED');
    expect(optedOut.message).toContain(
      '[fake-apiserver] pod default/opted-out sets automountServiceAccountToken: false, so the kubelet mounts no service-account token for it',
    );
    const inherits = await rejection(server.mountServiceAccount({ dir: target, pod: 'default/inherits' }));
    expect(inherits.message).toContain(
      'its service account sets automountServiceAccountToken: false, so the kubelet mounts no token for pod default/inherits',
    );
    const account = await rejection(
      server.mountServiceAccount({ dir: target, serviceAccount: 'default/no-automount' }),
    );
    expect(account.code).toBe('AUTOMOUNT_DISABLED');
    const missing = await rejection(server.mountServiceAccount({ dir: target, pod: 'default/nope' }));
    expect(missing.code).toBe('POD_NOT_FOUND');
    expect(missing.message).toContain('pod default/nope does not exist');
    expect(existsSync(target)).toBe(false);

    // The pod's own setting wins over its service account's.
    const overrides = await server.mountServiceAccount({ dir: target, pod: 'default/overrides' });
    expect(overrides.serviceAccount).toBe('default/no-automount');
    await overrides.stop();
  });

  it('rotates when the server clock passes the refresh point: new ..data target, old directory removed', async () => {
    const mount = await server.mountServiceAccount({
      dir: join(dir, 'clock'),
      serviceAccount: 'default/pod-reader',
    });
    const before = await snapshot(mount.dir);
    const refreshAt = mount.refreshAt;
    await sleep(1500);
    expect(await snapshot(mount.dir)).toEqual(before);

    clock.advance(2900);
    const after = await waitFor(
      'the rotation',
      async () => {
        const now = await snapshot(mount.dir);
        return now.data !== before.data ? now : undefined;
      },
      10_000,
    );
    expect(after.data).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/);
    expect(existsSync(join(mount.dir, before.data))).toBe(false);
    expect(await readlink(mount.tokenFile)).toBe('..data/token');
    expect((await lstat(mount.tokenFile)).isSymbolicLink()).toBe(true);
    expect(after.token).not.toBe(before.token);
    expect(after.token).toBe(mount.token);
    expect(mount.refreshAt.getTime()).toBeGreaterThan(refreshAt.getTime());
    expect(jwtClaims(after.token).iat).toBeGreaterThanOrEqual(jwtClaims(before.token).iat + 2900);
    expect((await get('/api/v1/namespaces/default/pods', after.token)).status).toBe(200);
    expect(messages.some((m) => m.startsWith(`rotated the token in ${mount.dir}`))).toBe(true);
    await mount.stop();
  });

  it('rotate() swaps now; a pod deleted or recreated stops the refreshing and its token is refused', async () => {
    const doomed = {
      metadata: { name: 'doomed' },
      spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
    };
    const created = await asAdmin({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: doomed });
    expect(created.status).toBe(201);
    const mount = await server.mountServiceAccount({ dir: join(dir, 'doomed'), pod: 'default/doomed' });
    const first = await snapshot(mount.dir);
    await mount.rotate();
    const second = await snapshot(mount.dir);
    expect(second.data).not.toBe(first.data);
    expect(existsSync(join(mount.dir, first.data))).toBe(false);
    expect((await get('/api/v1', second.token)).status).toBe(200);

    await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/doomed' });
    // The pod terminates gracefully; its token is refused once the kubelet has deleted it.
    await vi.waitFor(async () => expect((await get('/api/v1', second.token)).status).toBe(401));
    const gone = await rejection(mount.rotate());
    expect(gone.code).toBe('POD_NOT_FOUND');
    expect(gone.message).toContain('pod default/doomed does not exist');

    // Another pod of the same name is another pod: its volume is not this one.
    await asAdmin({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: doomed });
    expect((await get('/api/v1', second.token)).status).toBe(401);
    expect((await rejection(mount.rotate())).message).toContain('pod default/doomed was recreated');

    clock.advance(3000);
    const stopped = await waitFor(
      'the refresh loop to give up',
      () => messages.find((m) => m.startsWith(`stopped refreshing the token in ${mount.dir}`)),
      10_000,
    );
    expect(stopped).toContain(
      `stopped refreshing the token in ${mount.dir}: pod default/doomed was recreated`,
    );
    expect(await snapshot(mount.dir)).toEqual(second);
    await mount.stop();
  });
});

describe('rotation on the real clock', () => {
  it('rewrites a short-lived token before it expires, and the new token works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-rotate-'));
    const messages: string[] = [];
    await using server = await startFakeApiServer({
      saDir: join(dir, 'sa'),
      serviceAccount: 'default/pod-reader',
      tokenTtlSeconds: 5,
      log: (message) => messages.push(message),
    });
    expect(messages).toContain(
      'warning: a token lifetime of 5s is rewritten only 1s before it expires, but clients re-read the token file every 60s: they may send it after it expired and get 401 (300s or more avoids that)',
    );
    const mount = server.serviceAccountMount!;
    const before = await snapshot(mount.dir);
    // Refreshed 4 s after `iat` (whole seconds), so at most 4 s from now.
    const after = await waitFor(
      'the rotation',
      async () => {
        const now = await snapshot(mount.dir);
        return now.data !== before.data ? now : undefined;
      },
      20_000,
    );
    // Not before 80 % of the lifetime, and not after the old token expired (whole seconds, 1 s of slack).
    expect(jwtClaims(after.token).iat).toBeGreaterThanOrEqual(jwtClaims(before.token).iat + 4);
    expect(jwtClaims(after.token).iat).toBeLessThanOrEqual(jwtClaims(before.token).exp);
    expect(existsSync(join(mount.dir, before.data))).toBe(false);
    const response = await send(server.url, server.caCert, {
      path: '/api/v1/namespaces/default/pods',
      token: after.token,
    });
    expect(response.status).toBe(200);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('close()', () => {
  it('stops every mount: no rotation afterwards, no new mounts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-closed-'));
    const clock = movableClock();
    const server = await startFakeApiServer({ root: join(dir, 'root'), clock });
    const extra = await server.mountServiceAccount({
      dir: join(dir, 'extra'),
      serviceAccount: 'default/pod-reader',
    });
    const mount = server.serviceAccountMount!;
    expect(mount.dir).toBe(join(dir, 'root', SA_PATH));
    const before = [await snapshot(mount.dir), await snapshot(extra.dir)];
    await server.close();
    clock.advance(5000);
    await sleep(2500);
    expect([await snapshot(mount.dir), await snapshot(extra.dir)]).toEqual(before);
    expect((await rejection(mount.rotate())).code).toBe('ALREADY_CLOSED');
    expect((await rejection(server.mountServiceAccount({ dir: join(dir, 'late') }))).code).toBe(
      'ALREADY_CLOSED',
    );
    expect(existsSync(join(dir, 'late'))).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });
});
