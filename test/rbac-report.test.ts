import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_FIXTURES_DIR, startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';

const USER = 'system:serviceaccount:default:my-app';
const SERVICE_ACCOUNT = `apiVersion: v1
kind: ServiceAccount
metadata: { name: my-app, namespace: default }
`;

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** Sends one request and resolves with its status as soon as the headers arrive (watches never end). */
function statusOf(server: StartedFakeApiServer, token: string, call: Call): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const req = request(
      new URL(call.path, server.url),
      {
        method: call.method,
        ca: server.caCert,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        resolvePromise(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// What "the code" does, and what each request answers once the generated RBAC is applied.
const WORKLOAD: [Call, number | 'not 403'][] = [
  [{ method: 'GET', path: '/api/v1/namespaces/default/pods' }, 200],
  [{ method: 'GET', path: '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=5' }, 200],
  [{ method: 'GET', path: '/api/v1/namespaces/default/pods/helloworld' }, 200],
  [{ method: 'GET', path: '/api/v1/namespaces/default/pods/helloworld/log' }, 200],
  [
    {
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'app-config' }, data: { mode: 'fast' } },
    },
    201,
  ],
  [{ method: 'GET', path: '/api/v1/namespaces/default/configmaps/app-config' }, 200],
  [{ method: 'GET', path: '/api/v1/namespaces/kube-system/pods' }, 200],
  [{ method: 'GET', path: '/api/v1/namespaces' }, 200],
  // A list naming its object (resourceNames can allow it); what the handler answers is not RBAC's business.
  [{ method: 'GET', path: '/api/v1/pods?fieldSelector=metadata.name%3Dhelloworld' }, 'not 403'],
  // Authorized, then not served here: RBAC comes before routing.
  [{ method: 'GET', path: '/apis/example.com/v1/namespaces/default/widgets' }, 404],
  [{ method: 'GET', path: '/metrics' }, 200],
  [{ method: 'GET', path: '/healthz' }, 200],
];

// Next to each request the code made, one it did not: still forbidden, and why (what the closest rules
// lacked; none when no rule concerns the resource).
const OUTSIDE: [Call, string][] = [
  [{ method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/app-config' }, 'verb'],
  [{ method: 'GET', path: '/api/v1/namespaces/default/configmaps' }, 'verb'],
  [{ method: 'GET', path: '/api/v1/namespaces/kube-system/pods?watch=true' }, 'namespace'],
  [{ method: 'GET', path: '/api/v1/namespaces/dev/pods' }, 'namespace'],
  [
    {
      method: 'POST',
      path: '/api/v1/namespaces/kube-system/configmaps',
      body: { metadata: { name: 'app-config' } },
    },
    'namespace',
  ],
  [{ method: 'GET', path: '/api/v1/namespaces/default/secrets' }, 'none'],
  [{ method: 'GET', path: '/apis/apps/v1/namespaces/default/statefulsets' }, 'none'],
  [{ method: 'GET', path: '/api/v1/namespaces/default' }, 'verb'],
  [{ method: 'GET', path: '/api/v1/namespaces/default/pods/web-7d4b9c6f5-x2kqp' }, 'resourceName'],
  [{ method: 'GET', path: '/api/v1/namespaces/default/configmaps/kube-root-ca.crt' }, 'resourceName'],
  [{ method: 'GET', path: '/api/v1/namespaces/default/pods/helloworld/status' }, 'subresource'],
  [{ method: 'GET', path: '/api/v1/pods' }, 'resourceName'],
  [{ method: 'GET', path: '/metrics/cadvisor' }, 'nonResourceURL'],
];

const kubectl = kubectlBinary(33);

describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
  'the least-privilege report, applied with kubectl to a fresh server',
  () => {
    let dir: string;
    let fixtures: string[];
    let first: StartedFakeApiServer;
    let fresh: StartedFakeApiServer;
    const logged: string[] = [];
    let report: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-rbac-report-'));
      await writeFile(join(dir, 'my-app.yaml'), SERVICE_ACCOUNT);
      fixtures = [DEFAULT_FIXTURES_DIR, join(dir, 'my-app.yaml')];
      first = await startFakeApiServer({ fixtures, log: (line) => logged.push(line) });
      fresh = await startFakeApiServer({ fixtures, kubeconfig: join(dir, 'kubeconfig') });
    });
    afterAll(async () => {
      await first?.close();
      await fresh?.close();
    });

    it('records every request of a service account without rights, denied, with the reason logged', async () => {
      const token = first.issueToken('default/my-app');
      for (const [call] of WORKLOAD) {
        expect([call.path, await statusOf(first, token, call)]).toEqual([
          call.path,
          call.path === '/healthz' ? 200 : 403,
        ]);
      }
      const decisions = first.authorizationDecisions({ user: USER });
      expect(decisions.map((d) => d.attributes.path)).toEqual(WORKLOAD.map(([c]) => c.path.split('?')[0]));
      expect(first.authorizationDecisions({ user: USER, allowed: false })).toHaveLength(WORKLOAD.length - 1);
      expect(logged).toContain(
        'forbidden: system:serviceaccount:default:my-app cannot get pods/log "helloworld" in namespace "default" (GET /api/v1/namespaces/default/pods/helloworld/log): only the defaults are bound to it, and they do not grant pods; needs a Role in "default" with {apiGroups: [""], resources: [pods/log], resourceNames: [helloworld], verbs: [get]}',
      );
      expect(logged.filter((line) => line.startsWith('forbidden: '))).toHaveLength(WORKLOAD.length - 1);
      const healthz = decisions.at(-1)!;
      expect(first.explain(healthz)).toContain('by ClusterRoleBinding "system:discovery"');

      report = first.rbacReport({ user: USER });
      expect(report).toContain(
        "# Left out, as every cluster's default roles grant them:\n#   get /healthz\n",
      );
      const objects = parseAllDocuments(report).map((d) => d.toJS());
      expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
        'ClusterRole /default:my-app',
        'ClusterRoleBinding /default:my-app',
        'Role default/my-app',
        'RoleBinding default/my-app',
        'Role kube-system/default:my-app',
        'RoleBinding kube-system/default:my-app',
      ]);
      expect(objects[0].rules).toEqual([
        { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: ['helloworld'], verbs: ['list'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ]);
      expect(objects[2].rules).toEqual([
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['pods', 'pods/log'], resourceNames: ['helloworld'], verbs: ['get'] },
        { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['list'] },
      ]);
    });

    it('allows every one of those requests once applied with kubectl, and nothing next to them', async () => {
      const file = join(dir, 'rbac.yaml');
      await writeFile(file, report);
      const applied = await run(kubectl, [
        ...['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')],
        ...['apply', '-f', file],
      ]);
      expect(applied.stderr).toBe('');
      expect(applied.stdout).toBe(
        [
          'clusterrole.rbac.authorization.k8s.io/default:my-app created',
          'clusterrolebinding.rbac.authorization.k8s.io/default:my-app created',
          'role.rbac.authorization.k8s.io/my-app created',
          'rolebinding.rbac.authorization.k8s.io/my-app created',
          'role.rbac.authorization.k8s.io/default:my-app created',
          'rolebinding.rbac.authorization.k8s.io/default:my-app created',
          '',
        ].join('\n'),
      );

      const token = fresh.issueToken('default/my-app');
      for (const [call, status] of WORKLOAD) {
        expect([call.method, call.path, await statusOf(fresh, token, call)]).toEqual([
          call.method,
          call.path,
          status === 'not 403' ? expect.not.toSatisfy((code: number) => code === 403) : status,
        ]);
      }
      const replayed = fresh.authorizationDecisions({ user: USER });
      expect(replayed.every((d) => d.allowed)).toBe(true);
      // The replay asks for exactly the same: the same report, bar the comment's counts.
      const objectsOf = (text: string) => parseAllDocuments(text).map((d) => d.toJS());
      expect(objectsOf(fresh.rbacReport({ user: USER }))).toEqual(objectsOf(report));

      const before = replayed.at(-1)!.seq;
      for (const [call, field] of OUTSIDE) {
        expect([call.method, call.path, await statusOf(fresh, token, call)]).toEqual([
          call.method,
          call.path,
          403,
        ]);
        const [denied] = fresh
          .authorizationDecisions({ user: USER, after: before, allowed: false })
          .slice(-1);
        expect(denied!.attributes.path).toBe(call.path.split('?')[0]);
        const fields = denied!.denial!.closest.flatMap((miss) => miss.mismatches.map((m) => m.field));
        expect([call.method, call.path, fields]).toEqual([
          call.method,
          call.path,
          field === 'none' ? [] : expect.arrayContaining([field]),
        ]);
      }
      expect(fresh.authorizationDecisions({ user: USER, after: before, allowed: true })).toEqual([]);
    });
  },
);

describe('--rbac-report', () => {
  it('writes the report of every service account that made a request when the command exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-rbac-report-cli-'));
    const out = join(dir, 'reports', 'rbac.yaml');
    const child = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../dist/cli/main.js'),
        ...['--port', '0', '--sa-dir', join(dir, 'sa'), '--rbac-report', out],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolvePromise, reject) => {
      const lines: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (lines.length === 2) resolvePromise(Number(line.split('=')[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const ca = await readFile(join(dir, 'sa', 'ca.crt'), 'utf8');
    const token = await readFile(join(dir, 'sa', 'token'), 'utf8');
    const status = await new Promise<number>((resolvePromise, reject) => {
      request(
        `https://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`,
        { ca, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          resolvePromise(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
    expect(existsSync(out)).toBe(false);

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain(
      'fake-apiserver: forbidden: system:serviceaccount:default:default cannot list configmaps in namespace "default"',
    );
    expect(stderr).toContain(`fake-apiserver: RBAC report written to ${out}`);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('# Least-privilege RBAC for system:serviceaccount:default:default');
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'default', namespace: 'default' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'default', namespace: 'default' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'default' },
      },
    ]);
  });
});

describe('impersonation checks', () => {
  it('are recorded for the real user, logged when denied, and count in its report', async () => {
    const logged: string[] = [];
    await using server = await startFakeApiServer({ log: (line) => logged.push(line) });
    const token = server.issueToken('default/default');
    const status = await new Promise<number>((resolvePromise, reject) => {
      request(
        new URL('/api/v1/namespaces/default/pods', server.url),
        { ca: server.caCert, headers: { authorization: `Bearer ${token}`, 'impersonate-user': 'bob' } },
        (res) => {
          res.resume();
          resolvePromise(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
    const user = 'system:serviceaccount:default:default';
    const [check] = server.authorizationDecisions({ check: 'impersonation' });
    expect(check).toMatchObject({
      user,
      allowed: false,
      attributes: { verb: 'impersonate', resource: 'users', name: 'bob', namespace: '' },
    });
    expect(server.authorizationDecisions({ check: 'request' })).toEqual([]);
    expect(logged).toEqual([
      `forbidden: ${user} cannot impersonate users "bob" at the cluster scope (GET /api/v1/namespaces/default/pods, impersonation): only the defaults are bound to it, and they do not grant users; needs a ClusterRole with {apiGroups: [""], resources: [users], resourceNames: [bob], verbs: [impersonate]}`,
    ]);
    const [clusterRole] = parseAllDocuments(server.rbacReport({ user })).map((d) => d.toJS());
    expect(clusterRole.rules).toEqual([
      { apiGroups: [''], resources: ['users'], resourceNames: ['bob'], verbs: ['impersonate'] },
    ]);
  });
});
