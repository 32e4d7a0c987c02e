import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFakeClock,
  FakeApiServerError,
  startFakeApiServer,
  type FakeClock,
  type StartedFakeApiServer,
} from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, existsSync, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';
import { jwtClaims, waitFor } from './support/sa-dir.js';

const START = '2026-01-01T00:00:00Z';

describe('a server on a fake clock', () => {
  let server: StartedFakeApiServer;
  let clock: FakeClock;
  let saDir: string;

  beforeAll(async () => {
    saDir = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-clock-')), 'sa');
    clock = createFakeClock(START);
    server = await startFakeApiServer({
      saDir,
      serviceAccount: 'default/pod-reader',
      tokenTtlSeconds: 3600,
      clock,
    });
  });
  afterAll(() => server?.close());

  const curl = async (path: string, token: string) => {
    const result = await run('curl', [
      '-sS',
      '--cacert',
      join(saDir, 'ca.crt'),
      '-w',
      '\n%{http_code}',
      '--header',
      `Authorization: Bearer ${token}`,
      `${server.url}${path}`,
    ]);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n') };
  };

  it('rotates every serviceaccount directory before advanceClock resolves, once past 80 % of the TTL', async () => {
    const extraDir = join(saDir, '..', 'extra');
    const extra = await server.mountServiceAccount({
      dir: extraDir,
      pod: 'default/helloworld',
      tokenTtlSeconds: 600,
    });
    const first = await readFile(join(saDir, 'token'), 'utf8');
    const firstExtra = await readFile(join(extraDir, 'token'), 'utf8');
    expect(jwtClaims(first).iat).toBe(Date.parse(START) / 1000);

    // 479 s: past 80 % of the extra mount's 600 s (480 s) only after one more second.
    expect((await server.advanceClock('479s')).toISOString()).toBe('2026-01-01T00:07:59.000Z');
    expect(await readFile(join(extraDir, 'token'), 'utf8')).toBe(firstExtra);
    await server.advanceClock('1s');
    const secondExtra = await readFile(join(extraDir, 'token'), 'utf8');
    expect(secondExtra).not.toBe(firstExtra);
    expect(jwtClaims(secondExtra).iat).toBe(Date.parse(START) / 1000 + 480);
    expect(await readFile(join(saDir, 'token'), 'utf8')).toBe(first);

    // 2880 s is 80 % of 3600 s.
    await server.advanceClock('2399s');
    expect(await readFile(join(saDir, 'token'), 'utf8')).toBe(first);
    await server.advanceClock(1000);
    const second = await readFile(join(saDir, 'token'), 'utf8');
    expect(second).not.toBe(first);
    expect(jwtClaims(second).iat).toBe(Date.parse(START) / 1000 + 2880);
    expect(server.serviceAccountMount!.token).toBe(second);
    // The first token is still valid until its own expiry, as on a cluster.
    expect((await curl('/api/v1/namespaces/default/pods', first)).status).toBe(200);
    await extra.stop();
  });

  it('expires tokens: curl gets 401 once the clock passes exp', async () => {
    const token = server.issueToken('default/pod-reader', { expirationSeconds: 600 });
    expect((await curl('/api/v1/namespaces/default/pods', token)).status).toBe(200);
    await server.advanceClock('9m59s');
    expect((await curl('/api/v1/namespaces/default/pods', token)).status).toBe(200);
    // kube-apiserver tolerates 60 s of skew past exp (go-jose's DefaultLeeway).
    await server.advanceClock('60s');
    expect((await curl('/api/v1/namespaces/default/pods', token)).status).toBe(200);
    await server.advanceClock('2s');
    const expired = await curl('/api/v1/namespaces/default/pods', token);
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('stamps new objects with its time, and Tables age them as it moves', async () => {
    const set = await server.setClock('2026-06-01T12:00:00Z');
    expect(set.toISOString()).toBe('2026-06-01T12:00:00.000Z');
    const [created] = await server.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aged' },
      data: {},
    });
    expect(created!.metadata!.creationTimestamp).toBe('2026-06-01T12:00:00Z');
    await server.advanceClock('1h30m');
    const table = await send(server.url, server.caCert, {
      path: '/api/v1/namespaces/default/configmaps/aged',
      client: adminCredentials(server.kubeconfig),
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    const columns = table.json().columnDefinitions.map((c: { name: string }) => c.name);
    expect(table.json().rows[0].cells[columns.indexOf('Age')]).toBe('90m');
  });

  it('rotates at once when the FakeClock itself is moved, without waiting for the periodic check', async () => {
    const before = await readFile(join(saDir, 'token'), 'utf8');
    clock.advance('1h');
    await waitFor(
      'the token to rotate',
      async () => ((await readFile(join(saDir, 'token'), 'utf8')) !== before ? true : undefined),
      800,
    );
  });

  it('refuses to go back in time', async () => {
    await expect(server.setClock(START)).rejects.toThrow(
      /cannot set the clock back from .* time only moves forward/,
    );
    await expect(server.advanceClock('-1m')).rejects.toThrow(FakeApiServerError);
  });

  it('is moved over HTTPS by the admin: POST /fake-apiserver/v1/clock', async () => {
    const admin = adminCredentials(server.kubeconfig);
    const clockEndpoint = (body?: unknown, method = 'POST') =>
      send(server.url, server.caCert, { method, path: '/fake-apiserver/v1/clock', client: admin, body });
    const now = clock.now();
    const advanced = await clockEndpoint({ advance: '2h' });
    expect(advanced.status).toBe(200);
    expect(advanced.json()).toEqual({ now: new Date(now.getTime() + 7_200_000).toISOString() });
    expect((await clockEndpoint({ set: '2030-01-01T00:00:00Z' })).json()).toEqual({
      now: '2030-01-01T00:00:00.000Z',
    });
    expect((await clockEndpoint(undefined, 'GET')).json()).toEqual({
      now: '2030-01-01T00:00:00.000Z',
      fake: true,
    });

    const back = await clockEndpoint({ set: START });
    expect(back.status).toBe(400);
    expect(back.json().message).toMatch(
      /^cannot set the clock back from 2030-01-01T00:00:00.000Z to 2026-01-01T00:00:00.000Z: time only moves forward; /,
    );
    const badDuration = await clockEndpoint({ advance: '2 hours' });
    expect(badDuration.status).toBe(400);
    expect(badDuration.json().message).toBe(
      'time: unknown unit " hours" in duration "2 hours"; use a Go duration such as 90s, 10m, 2h, 1h30m',
    );
    expect((await clockEndpoint({ advance: '1h', set: START })).json()).toMatchObject({
      code: 400,
      message: 'the body must be {"advance": "<Go duration>"} or {"set": "<RFC 3339 time>"}',
    });
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('a server on a fake clock, moved with kubectl', () => {
  const kubectl = kubectlBinary(33);
  it.runIf(clientAvailable('kubectl', () => existsSync(kubectl)))(
    'answers kubectl create --raw /fake-apiserver/v1/clock with the new time',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-clock-kubectl-'));
      await using server = await startFakeApiServer({
        kubeconfig: join(dir, 'kubeconfig'),
        clock: createFakeClock(START),
      });
      const result = await run(
        kubectl,
        ['--kubeconfig', server.kubeconfigPath!, 'create', '--raw', '/fake-apiserver/v1/clock', '-f', '-'],
        { input: '{"advance":"90m"}' },
      );
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ now: '2026-01-01T01:30:00.000Z' });
      const [created] = await server.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'late' },
      });
      expect(created!.metadata!.creationTimestamp).toBe('2026-01-01T01:30:00Z');
    },
  );
});

describe('a server on the real clock', () => {
  let server: StartedFakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer();
  });
  afterAll(() => server?.close());

  it('refuses to move its clock, with a clear error and a 409 over HTTPS', async () => {
    const error = await server.advanceClock('1h').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FakeApiServerError);
    expect((error as FakeApiServerError).code).toBe('CLOCK_NOT_FAKE');
    expect((error as Error).message).toBe(
      "[fake-apiserver] the server's clock is not a fake clock: it cannot be moved\n  hint: start the server with clock: createFakeClock() (the command: --fake-clock)",
    );
    const response = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/fake-apiserver/v1/clock',
      client: adminCredentials(server.kubeconfig),
      body: { advance: '1h' },
    });
    expect(response.status).toBe(409);
    expect(response.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        "the server's clock is not a fake clock: it cannot be moved; start the server with clock: createFakeClock() (the command: --fake-clock)",
    });
  });
});
