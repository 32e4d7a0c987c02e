import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXTURES_DIR,
  startFakeApiServer,
  type AuditEvent,
  type StartedFakeApiServer,
} from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';

const KUBECTL = kubectlBinary(33);
const hasKubectl = clientAvailable('kubectl 1.33', () => existsSync(KUBECTL));
const CONTROLLER = 'system:serviceaccount:default:ctrl';

const CONTROLLER_RBAC = `apiVersion: v1
kind: ServiceAccount
metadata: { name: ctrl, namespace: default }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: configmap-writer, namespace: default }
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["list", "create", "patch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: ctrl-configmaps, namespace: default }
subjects: [{ kind: ServiceAccount, name: ctrl, namespace: default }]
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmap-writer }
`;

const LEGACY_TOKEN_SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/service-account-token',
  metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'default' } },
};

/** curl as a pod does it, with the response headers, so that the Audit-Id can be looked up. */
async function curl(
  server: StartedFakeApiServer,
  caFile: string,
  path: string,
  token?: string,
): Promise<{ status: number; auditId: string; body: any }> {
  const args = ['-sS', '-D', '-', '--cacert', caFile, `${server.url}${path}`];
  if (token) args.push('-H', `Authorization: Bearer ${token}`);
  const { stdout } = await run('curl', args);
  const [head, ...rest] = stdout.split('\r\n\r\n');
  const status = Number(/^HTTP\/\S+ (\d+)/.exec(head!)?.[1]);
  const auditId = /^audit-id: (\S+)$/im.exec(head!)?.[1] ?? '';
  const text = rest.join('\r\n\r\n');
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // A watch stream, or plain text.
  }
  return { status, auditId, body };
}

function byAuditId(server: StartedFakeApiServer, auditId: string): AuditEvent[] {
  return server.requests().filter((event) => event.auditID === auditId);
}

describe('recording requests (level Metadata)', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let caFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-audit-'));
    kubeconfig = join(dir, 'kubeconfig');
    const rbac = join(dir, 'ctrl.yaml');
    await writeFile(rbac, CONTROLLER_RBAC);
    server = await startFakeApiServer({
      kubeconfig,
      saDir: join(dir, 'sa'),
      fixtures: [DEFAULT_FIXTURES_DIR, rbac],
    });
    caFile = join(dir, 'sa', 'ca.crt');
  });
  afterAll(() => server?.close());

  const kubectl = (...args: string[]) =>
    run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);

  it.runIf(hasKubectl)('records kubectl creating a configmap as the admin', async () => {
    server.clearRequests();
    const result = await kubectl('create', 'configmap', 'audited', '--from-literal=a=1');
    expect(result.stderr).toBe('');
    const [event, ...others] = server.requests({ verb: 'create' });
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      stage: 'ResponseComplete',
      verb: 'create',
      requestURI: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
      user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      sourceIPs: ['127.0.0.1'],
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    });
    expect(event!.userAgent).toMatch(/^kubectl(\.1\.33)?\/v1\.33\./);
    expect(event!.auditID).toMatch(/^[0-9a-f-]{36}$/);
    expect(event!.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(event!.stageTimestamp >= event!.requestReceivedTimestamp).toBe(true);
    expect(event).not.toHaveProperty('requestObject');
    expect(server.writes({ user: 'kubernetes-admin' })).toEqual([
      { verb: 'create', resource: 'configmaps', namespace: 'default', name: 'audited', code: 201 },
    ]);
  });

  it.runIf(hasKubectl)('records impersonation: who authenticated, and who it acted as', async () => {
    server.clearRequests();
    const result = await kubectl('get', 'pods', '--as=system:serviceaccount:default:pod-reader');
    expect(result.code).toBe(0);
    const [event] = server.requests({ verb: 'list', resource: 'pods' });
    expect(event!.user.username).toBe('kubernetes-admin');
    expect(event!.impersonatedUser).toEqual({
      username: 'system:serviceaccount:default:pod-reader',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    expect(event!.annotations?.['authorization.k8s.io/reason']).toBe(
      'RBAC: allowed by RoleBinding "pod-reader-binding/default" of Role "pod-reader-role" to ServiceAccount "pod-reader/default"',
    );
  });

  it('records a service account denied by RBAC, with the Status and the decision', async () => {
    const token = server.issueToken('default/default');
    const denied = await curl(server, caFile, '/api/v1/namespaces/kube-system/pods', token);
    expect(denied.status).toBe(403);
    const [event, ...others] = byAuditId(server, denied.auditId);
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      verb: 'list',
      user: { username: 'system:serviceaccount:default:default' },
      userAgent: expect.stringMatching(/^curl\//),
      objectRef: { resource: 'pods', namespace: 'kube-system', apiVersion: 'v1' },
      responseStatus: {
        metadata: {},
        status: 'Failure',
        message: denied.body.message,
        reason: 'Forbidden',
        details: { kind: 'pods' },
        code: 403,
      },
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    });
    expect(event!.user.extra?.['authentication.kubernetes.io/credential-id']?.[0]).toMatch(/^JTI=/);
  });

  it.runIf(hasKubectl)('gives the RBAC reason of a denial as kube-apiserver does', async () => {
    const bound = await kubectl(
      ...['create', 'rolebinding', 'dangling', '--role=missing', '--serviceaccount=default:default'],
      ...['-n', 'kube-system'],
    );
    expect(bound.stderr).toBe('');
    const denied = await curl(
      server,
      caFile,
      '/api/v1/namespaces/kube-system/configmaps',
      server.issueToken('default/default'),
    );
    expect(denied.status).toBe(403);
    const [event] = byAuditId(server, denied.auditId);
    expect(event!.annotations).toEqual({
      'authorization.k8s.io/decision': 'forbid',
      'authorization.k8s.io/reason': 'RBAC: role.rbac.authorization.k8s.io "missing" not found',
    });
  });

  it('records a rejected credential as a 401 with an empty user and no decision', async () => {
    const rejected = await curl(server, caFile, '/api/v1/namespaces/default/pods', 'not-a-token');
    expect(rejected.status).toBe(401);
    const [event] = byAuditId(server, rejected.auditId);
    expect(event).toMatchObject({
      verb: 'list',
      user: {},
      responseStatus: { status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
    });
    expect(event).not.toHaveProperty('annotations');
  });

  it('records a watch twice, as it starts and as it ends', async () => {
    const token = server.issueToken('default/pod-reader');
    const watch = await curl(
      server,
      caFile,
      '/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1',
      token,
    );
    expect(watch.status).toBe(200);
    const events = byAuditId(server, watch.auditId);
    expect(events.map((e) => [e.stage, e.verb, e.responseStatus?.code])).toEqual([
      ['ResponseStarted', 'watch', 200],
      ['ResponseComplete', 'watch', 200],
    ]);
    expect(events[1]!.stageTimestamp > events[0]!.stageTimestamp).toBe(true);
  });

  it('tells exactly which writes a client-node program made', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: server.url, caData: Buffer.from(server.caCert).toString('base64') }],
      users: [{ name: 'ctrl', token: server.issueToken('default/ctrl') }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'ctrl' }],
      currentContext: 'fake',
    });
    const api = kc.makeApiClient(CoreV1Api);
    const namespace = 'default';
    await api.listNamespacedConfigMap({ namespace });
    await api.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'ctrl-state' }, data: { n: '1' } },
    });
    await api.patchNamespacedConfigMap({
      name: 'ctrl-state',
      namespace,
      body: [{ op: 'replace', path: '/data/n', value: '2' }],
    });
    await api.deleteNamespacedConfigMap({ name: 'ctrl-state', namespace });
    await expect(api.readNamespacedConfigMap({ name: 'ctrl-state', namespace })).rejects.toThrow();

    expect(server.writes({ user: CONTROLLER })).toEqual([
      { verb: 'create', resource: 'configmaps', namespace: 'default', name: 'ctrl-state', code: 201 },
      { verb: 'patch', resource: 'configmaps', namespace: 'default', name: 'ctrl-state', code: 200 },
      { verb: 'delete', resource: 'configmaps', namespace: 'default', name: 'ctrl-state', code: 200 },
    ]);
    expect(server.requests({ user: CONTROLLER, verb: 'get' })[0]?.responseStatus).toMatchObject({
      code: 403,
      reason: 'Forbidden',
    });
  });

  describe('the control endpoint', () => {
    const admin = () => adminCredentials(server.kubeconfig);

    it('serves the events as an EventList, filtered by query parameters', async () => {
      server.clearRequests();
      const token = server.issueToken('default/ctrl');
      const path = '/api/v1/namespaces/default/configmaps';
      const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ctrl-state' } };
      expect((await send(server.url, server.caCert, { method: 'POST', path, token, body })).status).toBe(201);
      expect((await send(server.url, server.caCert, { path, token })).status).toBe(200);
      const deleted = await send(server.url, server.caCert, {
        method: 'DELETE',
        path: `${path}/ctrl-state`,
        token,
      });
      expect(deleted.status).toBe(200);
      const response = await send(server.url, server.caCert, {
        path: `/fake-apiserver/v1/requests?user=${encodeURIComponent(CONTROLLER)}&verb=create,delete`,
        client: admin(),
      });
      expect(response.status).toBe(200);
      const list = response.json();
      expect(list).toMatchObject({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {} });
      expect(list.items.map((e: AuditEvent) => [e.verb, e.objectRef?.name, e.responseStatus?.code])).toEqual([
        ['create', 'ctrl-state', 201],
        ['delete', 'ctrl-state', 200],
      ]);
    });

    it('refuses an unknown filter with a 400 Status', async () => {
      const response = await send(server.url, server.caCert, {
        path: '/fake-apiserver/v1/requests?namspace=default',
        client: admin(),
      });
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    });

    it('clears on DELETE, and records its own requests like any other', async () => {
      const cleared = await send(server.url, server.caCert, {
        method: 'DELETE',
        path: '/fake-apiserver/v1/requests',
        client: admin(),
      });
      expect(cleared.status).toBe(200);
      expect(cleared.json()).toMatchObject({ kind: 'Status', status: 'Success', code: 200 });
      const after = server.requests();
      expect(after.map((e) => [e.verb, e.requestURI, e.responseStatus?.code])).toEqual([
        ['delete', '/fake-apiserver/v1/requests', 200],
      ]);
      expect(after[0]).not.toHaveProperty('objectRef');
    });

    it.runIf(hasKubectl)('answers kubectl get --raw and delete --raw, as the README shows', async () => {
      const listed = await kubectl(
        'get',
        '--raw',
        `/fake-apiserver/v1/requests?user=${CONTROLLER}&verb=patch`,
      );
      expect(listed.stderr).toBe('');
      expect(JSON.parse(listed.stdout).items).toEqual([]); // cleared by the test before
      const cleared = await kubectl('delete', '--raw', '/fake-apiserver/v1/requests');
      expect(cleared.stderr).toBe('');
      expect(server.requests().map((e) => [e.verb, e.requestURI])).toEqual([
        ['delete', '/fake-apiserver/v1/requests'],
      ]);
    });

    it('is forbidden to a service account, as any non-resource URL it is not granted', async () => {
      const denied = await curl(
        server,
        caFile,
        '/fake-apiserver/v1/requests',
        server.issueToken('default/ctrl'),
      );
      expect(denied.status).toBe(403);
    });
  });
});

describe('recording bodies (level RequestResponse) without ever keeping a token', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let auditLog: string;
  const logged: string[] = [];
  const STATIC_TOKEN = 'jane-static-token-0123456789';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-audit-bodies-'));
    auditLog = join(dir, 'logs', 'audit.jsonl');
    server = await startFakeApiServer({
      kubeconfig: join(dir, 'kubeconfig'),
      auditLevel: 'RequestResponse',
      auditLog,
      users: [{ name: 'jane', token: STATIC_TOKEN }],
      log: (message) => logged.push(message),
    });
  });
  afterAll(() => server?.close());

  function kubectl(...args: string[]): ReturnType<typeof run>;
  function kubectl(options: { input: string }, ...args: string[]): ReturnType<typeof run>;
  function kubectl(first: string | { input: string }, ...rest: string[]): ReturnType<typeof run> {
    const [options, args] = typeof first === 'string' ? [{}, [first, ...rest]] : [first, rest];
    const base = ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')];
    return run(KUBECTL, [...base, ...args], options);
  }

  it.runIf(hasKubectl)('records request and response objects, tokens redacted everywhere', async () => {
    const created = await kubectl('create', 'configmap', 'with-body', '--from-literal=k=v');
    expect(created.stderr).toBe('');
    const [create] = server.requests({ verb: 'create', resource: 'configmaps' });
    expect(create!.requestObject).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'with-body' },
      data: { k: 'v' },
    });
    expect(create!.responseObject).toMatchObject({
      metadata: { name: 'with-body', uid: expect.any(String) },
    });

    const issued = await kubectl('create', 'token', 'default');
    const token = issued.stdout.trim();
    expect(token).toMatch(/^eyJ/);
    const applied = await kubectl({ input: JSON.stringify(LEGACY_TOKEN_SECRET) }, ...['apply', '-f', '-']);
    expect(applied.code).toBe(0);
    const read = await kubectl('get', 'secret', 'legacy-token', '-o', 'jsonpath={.data.token}');
    const legacyBase64 = read.stdout.trim();
    const legacyToken = Buffer.from(legacyBase64, 'base64').toString('utf8');
    expect(legacyToken).toMatch(/^eyJ/);
    const review = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      client: adminCredentials(server.kubeconfig),
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: STATIC_TOKEN } },
    });
    expect(review.json().status.user.username).toBe('jane');
    expect((await send(server.url, server.caCert, { path: '/api', token: STATIC_TOKEN })).status).toBe(200);

    const [tokenRequest] = server.requests({ resource: 'serviceaccounts/token' });
    expect(tokenRequest).toMatchObject({
      verb: 'create',
      objectRef: { resource: 'serviceaccounts', subresource: 'token', name: 'default', namespace: 'default' },
      requestObject: { kind: 'TokenRequest' },
      responseObject: { kind: 'TokenRequest', status: { token: `${token.slice(0, 8)}...[redacted]` } },
    });

    await server.close();
    const file = await readFile(auditLog, 'utf8');
    for (const haystack of [JSON.stringify(server.requests()), file, logged.join('\n')]) {
      expect(haystack).not.toContain(token);
      expect(haystack).not.toContain(legacyToken);
      expect(haystack).not.toContain(legacyBase64);
      expect(haystack).not.toContain(STATIC_TOKEN);
    }
    expect(file).toContain('...[redacted]');
  });
});

describe('the --audit-log file of the command', () => {
  const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');

  it('holds one kube-apiserver audit event per line, 0600, flushed on exit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-audit-cli-'));
    const auditLog = join(dir, 'audit.log');
    const child = spawn(
      process.execPath,
      [BIN, '--port', '0', '--sa-dir', join(dir, 'sa'), '--audit-log', auditLog, '--audit-level', 'Request'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const port = await new Promise<string>((resolvePort, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const match = /^export KUBERNETES_SERVICE_PORT=(\d+)$/.exec(line);
          if (match) resolvePort(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const url = `https://127.0.0.1:${port}`;
      const ca = await readFile(join(dir, 'sa', 'ca.crt'), 'utf8');
      const token = await readFile(join(dir, 'sa', 'token'), 'utf8');
      expect((await send(url, ca, { path: '/api', token })).status).toBe(200);
      expect((await send(url, ca, { path: '/api/v1/namespaces/default/pods', token })).status).toBe(403);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }

    expect((await stat(auditLog)).mode & 0o777).toBe(0o600);
    const lines = (await readFile(auditLog, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const events = lines.map((line) => JSON.parse(line) as AuditEvent);
    expect(
      events.map((e) => [e.kind, e.apiVersion, e.level, e.stage, e.verb, e.responseStatus?.code]),
    ).toEqual([
      ['Event', 'audit.k8s.io/v1', 'Request', 'ResponseComplete', 'get', 200],
      ['Event', 'audit.k8s.io/v1', 'Request', 'ResponseComplete', 'list', 403],
    ]);
    expect(events[1]!.user.username).toBe('system:serviceaccount:default:default');
  });

  it('refuses an unknown level with exit code 2', async () => {
    const result = await run(process.execPath, [BIN, '--port', '0', '--audit-level', 'Everything']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      '[fake-apiserver] --audit-level "Everything" is not an audit level\n  hint: use one of Metadata, Request, RequestResponse\n',
    );
  });
});
