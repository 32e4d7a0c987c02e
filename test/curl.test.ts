import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { run } from './support/external.js';

// The recipe of "Accessing the Kubernetes API from a Pod", word for word, against the sa-dir.
describe('curl as the Kubernetes docs use it', () => {
  let server: StartedFakeApiServer;
  let saDir: string;
  let readerToken: string;

  beforeAll(async () => {
    saDir = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-curl-')), 'serviceaccount');
    server = await startFakeApiServer({ saDir });
    readerToken = server.issueToken('default/pod-reader');
  });
  afterAll(() => server?.close());

  const curl = async (path: string, token?: string, extra: string[] = []) => {
    const args = ['-sS', '--cacert', join(saDir, 'ca.crt'), '-w', '\n%{http_code}', ...extra];
    if (token !== undefined) args.push('--header', `Authorization: Bearer ${token}`);
    args.push('-X', 'GET', `${server.url}${path}`);
    const result = await run('curl', args);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    const status = Number(lines.pop());
    return { status, body: lines.join('\n') };
  };

  it('answers /api with the service-account token, verifying TLS with ca.crt', async () => {
    const token = await readFile(join(saDir, 'token'), 'utf8');
    const { status, body } = await curl('/api', token);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('reads the namespace file without a trailing newline, and the token has none either', async () => {
    expect(await readFile(join(saDir, 'namespace'), 'utf8')).toBe('default');
    expect(await readFile(join(saDir, 'token'), 'utf8')).not.toMatch(/\s$/);
  });

  it('forbids the default service account to list pods, with the real message', async () => {
    const token = await readFile(join(saDir, 'token'), 'utf8');
    const { status, body } = await curl('/api/v1/namespaces/default/pods', token);
    expect(status).toBe(403);
    expect(JSON.parse(body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
  });

  it('lets pod-reader list pods in its namespace', async () => {
    const { status, body } = await curl('/api/v1/namespaces/default/pods', readerToken);
    expect(status).toBe(200);
    const list = JSON.parse(body);
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p: any) => p.metadata.name)).toContain('helloworld');
  });

  it('verifies through the in-cluster name kubernetes.default.svc', async () => {
    const args = ['--resolve', `kubernetes.default.svc:${server.port}:127.0.0.1`];
    const result = await run('curl', [
      '-sS',
      '--cacert',
      join(saDir, 'ca.crt'),
      ...args,
      '--header',
      `Authorization: Bearer ${readerToken}`,
      `https://kubernetes.default.svc:${server.port}/api/v1/namespaces/default/pods/helloworld`,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).status.phase).toBe('Running');
  });

  it('treats requests without credentials as system:anonymous', async () => {
    expect((await curl('/version')).status).toBe(200);
    expect((await curl('/healthz')).body).toBe('ok');
    const api = await curl('/api');
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it('answers a malformed token with 401 and a Status', async () => {
    const { status, body } = await curl('/api', 'not-a-jwt');
    expect(status).toBe(401);
    expect(JSON.parse(body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });
});
