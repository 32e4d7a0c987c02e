import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, existsSync, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

/** The sample lines of one metric family, keyed by their label text. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\}) (\\S+)$`).exec(line);
    if (match) out.set(match[1]!, Number(match[2]));
  }
  return out;
}

const series = (labels: Record<string, string>) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',')}}`;

const request = (
  verb: string,
  resource: string,
  scope: string,
  code: number,
  extra: Partial<Record<'group' | 'version' | 'subresource' | 'dry_run' | 'component', string>> = {},
) =>
  series({
    code: String(code),
    component: 'apiserver',
    dry_run: '',
    group: '',
    resource,
    scope,
    subresource: '',
    verb,
    version: 'v1',
    ...extra,
  });

describe('/metrics: apiserver_request_total and apiserver_request_duration_seconds', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let dir: string;
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-metrics-'));
    await writeFile(join(dir, 'admin'), server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const counts = async () => samples((await asAdmin({ path: '/metrics' })).text, 'apiserver_request_total');
  const delta = (before: Map<string, number>, after: Map<string, number>) =>
    Object.fromEntries(
      [...after]
        .map(([key, value]) => [key, value - (before.get(key) ?? 0)] as const)
        .filter(([, value]) => value !== 0),
    );

  it('counts each request that reaches a handler, with the verb, scope and code kube-apiserver reports', async () => {
    const before = await counts();
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm1' }, data: { a: 'b' } };
    await asAdmin({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMap });
    await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps?dryRun=All',
      body: { ...configMap, metadata: { name: 'm2' } },
    });
    await asAdmin({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMap });
    await asAdmin({ path: '/api/v1/namespaces/default/configmaps' });
    await asAdmin({ path: '/api/v1/configmaps' });
    await asAdmin({ path: '/api/v1/namespaces/default/configmaps/m1' });
    await asAdmin({ path: '/api/v1/namespaces/default/configmaps/missing' });
    await asAdmin({ path: '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1' });
    await asAdmin({ path: '/api/v1/nodes' });
    await asAdmin({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/configmaps/m1?fieldManager=test',
      contentType: 'application/apply-patch+yaml',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m1\ndata:\n  c: d\n',
    });
    await asAdmin({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/configmaps/m1',
      contentType: 'application/merge-patch+json',
      body: { data: { e: 'f' } },
    });
    await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/m1' });
    await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/configmaps' });
    await asAdmin({
      path: '/apis/apps/v1/namespaces/default/deployments/nope/scale',
    });
    await asAdmin({
      path: '/apis',
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
    });
    await asAdmin({ path: '/healthz' });
    // Not instrumented upstream: requests refused by a filter, legacy discovery, /version, OpenAPI, unknown resources, routes that do not
    // exist, and /metrics itself.
    await asAdmin({ path: '/apis', headers: { accept: 'application/json' } });
    await asAdmin({ path: '/api/v1' });
    await asAdmin({ path: '/version' });
    await asAdmin({ path: '/api/v1/namespaces/default/widgets' });
    await asAdmin({ method: 'PUT', path: '/api/v1/namespaces/default/configmaps' });
    await asAdmin({ path: '/api/v1/namespaces/default/configmaps/m1/bogus' });
    // Refused by authorization, a filter before any route.
    expect(
      (await send(server.url, server.caCert, { path: '/api/v1/namespaces/default/configmaps' })).status,
    ).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(delta(before, await counts())).toEqual({
      [request('POST', 'configmaps', 'resource', 201)]: 1,
      [request('POST', 'configmaps', 'resource', 201, { dry_run: 'All' })]: 1,
      [request('POST', 'configmaps', 'resource', 409)]: 1,
      [request('LIST', 'configmaps', 'namespace', 200)]: 1,
      [request('LIST', 'configmaps', 'cluster', 200)]: 1,
      [request('GET', 'configmaps', 'resource', 200)]: 1,
      [request('GET', 'configmaps', 'resource', 404)]: 1,
      [request('WATCH', 'configmaps', 'namespace', 200)]: 1,
      [request('LIST', 'nodes', 'cluster', 200)]: 1,
      [request('APPLY', 'configmaps', 'resource', 200)]: 1,
      [request('PATCH', 'configmaps', 'resource', 200)]: 1,
      [request('DELETE', 'configmaps', 'resource', 200)]: 1,
      [request('DELETE', 'configmaps', 'namespace', 200)]: 1,
      [request('GET', 'deployments', 'resource', 404, { group: 'apps', subresource: 'scale' })]: 1,
      [request('GET', '', '', 200, { version: '', subresource: 'apis' })]: 1,
      [request('GET', '', '', 200, { version: '', subresource: '/healthz', component: '' })]: 1,
    });
  });

  it('writes the text format with upstream HELP and TYPE lines, and a histogram per series', async () => {
    await asAdmin({ path: '/api/v1/namespaces' });
    const res = await asAdmin({ path: '/metrics' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(
      'text/plain; version=0.0.4; charset=utf-8; escaping=underscores',
    );
    const lines = res.text.split('\n');
    expect(lines).toContain(
      '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    );
    expect(lines).toContain('# TYPE apiserver_request_total counter');
    expect(lines).toContain(
      '# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    );
    expect(lines).toContain('# TYPE apiserver_request_duration_seconds histogram');
    const labels =
      'component="apiserver",dry_run="",group="",resource="namespaces",scope="cluster",subresource="",verb="LIST",version="v1"';
    const buckets = lines.filter((l) =>
      l.startsWith(`apiserver_request_duration_seconds_bucket{${labels},le=`),
    );
    expect(buckets.map((l) => /le="([^"]+)"/.exec(l)![1])).toEqual([
      '0.005',
      '0.025',
      '0.05',
      '0.1',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1',
      '1.25',
      '1.5',
      '2',
      '3',
      '4',
      '5',
      '6',
      '8',
      '10',
      '15',
      '20',
      '30',
      '45',
      '60',
      '+Inf',
    ]);
    const count = Number(
      lines.find((l) => l.startsWith(`apiserver_request_duration_seconds_count{${labels}}`))!.split(' ')[1],
    );
    expect(count).toBeGreaterThanOrEqual(1);
    expect(buckets.at(-1)).toBe(`apiserver_request_duration_seconds_bucket{${labels},le="+Inf"} ${count}`);
    expect(res.text.endsWith('\n')).toBe(true);
  });

  describe.runIf(clientAvailable('kubectl', () => existsSync(kubectlBinary(33))))(
    'kubectl get --raw /metrics',
    () => {
      const kubectl = (kubeconfig: string, ...args: string[]) =>
        run(kubectlBinary(33), ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);

      it('shows counts that move with the requests kubectl makes', async () => {
        const admin = join(dir, 'admin');
        const count = async () => {
          const out = await kubectl(admin, 'get', '--raw', '/metrics');
          expect(out.code).toBe(0);
          return (
            samples(out.stdout, 'apiserver_request_total').get(request('LIST', 'pods', 'namespace', 200)) ?? 0
          );
        };
        const before = await count();
        for (let i = 0; i < 3; i++)
          expect((await kubectl(admin, 'get', 'pods', '-n', 'default')).code).toBe(0);
        expect(await count()).toBe(before + 3);
      });

      it('counts kubectl exec as CONNECT, with the 101 it switched protocols with, once the stream ends', async () => {
        const admin = join(dir, 'admin');
        await server.apply(
          'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default}\nspec:\n  nodeName: node-1\n  containers: [{name: app, image: nginx}]\nstatus: {phase: Running}\n',
        );
        server.onExec({ pod: 'web', command: ['echo', 'hi'] }, { stdout: 'hi\n' });
        const exec = await kubectl(admin, 'exec', 'web', '--', 'echo', 'hi');
        expect(exec.stdout).toBe('hi\n');
        const out = await kubectl(admin, 'get', '--raw', '/metrics');
        const connect = [...samples(out.stdout, 'apiserver_request_total')].filter(([k]) =>
          k.includes('verb="CONNECT"'),
        );
        expect(connect).toEqual([[request('CONNECT', 'pods', 'resource', 101, { subresource: 'exec' }), 1]]);
      });

      it('refuses a user RBAC does not let get /metrics, and lets system:monitoring', async () => {
        const alice = join(dir, 'alice');
        await writeFile(alice, await server.kubeconfigFor('alice'));
        const denied = await kubectl(alice, 'get', '--raw', '/metrics');
        expect(denied.code).toBe(1);
        expect(denied.stderr).toContain(
          'Error from server (Forbidden): forbidden: User "alice" cannot get path "/metrics"',
        );
        const monitor = join(dir, 'monitor');
        await writeFile(monitor, await server.kubeconfigFor('prometheus', ['system:monitoring']));
        const allowed = await kubectl(monitor, 'get', '--raw', '/metrics');
        expect(allowed.code).toBe(0);
        expect(allowed.stdout).toContain('# TYPE apiserver_request_total counter');
      });
    },
  );
});
