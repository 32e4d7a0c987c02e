import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeApiServerError,
  startFakeApiServer,
  type KubeObject,
  type StartedFakeApiServer,
} from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, existsSync, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';
import { waitFor } from './support/sa-dir.js';

const KINDS = [
  'Namespace',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
  'Pod',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
];

/** Every stored object, keyed by kind/namespace/name, without the resourceVersion that a restore renews. */
function dump(server: StartedFakeApiServer): Map<string, unknown> {
  const all = new Map<string, unknown>();
  for (const kind of KINDS) {
    for (const obj of server.list({ kind })) {
      const { resourceVersion: _, ...metadata } = obj.metadata!;
      all.set(`${kind}/${obj.metadata!.namespace ?? ''}/${obj.metadata!.name}`, { ...obj, metadata });
    }
  }
  return all;
}

function maxResourceVersion(server: StartedFakeApiServer): number {
  let max = 0;
  for (const kind of KINDS) {
    for (const obj of server.list({ kind })) max = Math.max(max, Number(obj.metadata!.resourceVersion));
  }
  return max;
}

const configMap = (name: string, data: Record<string, string>, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

describe('state control: apply, get, list, delete', () => {
  let server: StartedFakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer();
  });
  afterAll(() => server?.close());
  afterEach(() => server.reset());

  it('applies multi-document YAML: creates, then replaces keeping uid and creationTimestamp', async () => {
    const created = await server.apply(`
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: team-a }
data: { mode: fast }
---
apiVersion: v1
kind: Pod
metadata: { name: worker, namespace: team-a, labels: { app: worker } }
spec: { containers: [{ name: main, image: busybox }] }
`);
    expect(created.map((o) => `${o.kind}/${o.metadata!.namespace}/${o.metadata!.name}`)).toEqual([
      'ConfigMap/team-a/settings',
      'Pod/team-a/worker',
    ]);
    // The namespace was created, with what its controllers add.
    expect(server.get({ kind: 'Namespace', name: 'team-a' })?.status).toEqual({ phase: 'Active' });
    expect(server.get({ kind: 'serviceaccounts', namespace: 'team-a', name: 'default' })).toBeDefined();
    expect(server.get({ kind: 'cm', namespace: 'team-a', name: 'kube-root-ca.crt' })).toBeDefined();
    // A REST create's defaulting ran.
    expect(created[1]!.status).toMatchObject({ phase: 'Pending' });

    const [updated] = await server.apply([configMap('settings', { mode: 'slow' }, 'team-a')]);
    expect(updated!.data).toEqual({ mode: 'slow' });
    expect(updated!.metadata!.uid).toBe(created[0]!.metadata!.uid);
    expect(updated!.metadata!.creationTimestamp).toBe(created[0]!.metadata!.creationTimestamp);
    expect(Number(updated!.metadata!.resourceVersion)).toBeGreaterThan(
      Number(created[1]!.metadata!.resourceVersion),
    );
    // Re-applying a pod without status keeps its status.
    const [pod] = await server.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'worker', namespace: 'team-a', labels: { app: 'worker', v: '2' } },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    expect(pod!.status).toMatchObject({ phase: 'Pending' });
    expect(pod!.metadata!.labels).toEqual({ app: 'worker', v: '2' });
  });

  it('applies a fixture directory, pod logs included, and the objects are served over HTTPS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-apply-'));
    await writeFile(
      join(dir, 'app.yaml'),
      `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: logger }
    spec: { containers: [{ name: app, image: busybox }] }
    status: { phase: Running }
  - apiVersion: fake-apiserver.dev/v1alpha1
    kind: PodLog
    metadata: { name: logger }
    containers: { app: "line one\\nline two\\n" }
`,
    );
    const [pod] = await server.apply({ path: dir });
    expect(pod!.metadata!.namespace).toBe('default');
    expect(pod!.status).toMatchObject({ phase: 'Running' });
    const admin = adminCredentials(server.kubeconfig);
    const log = await send(server.url, server.caCert, {
      path: '/api/v1/namespaces/default/pods/logger/log',
      client: admin,
    });
    expect(log.text).toBe('line one\nline two\n');
  });

  it('refuses a bad document by name, and applies nothing', async () => {
    const error = await server
      .apply(
        `apiVersion: v1
kind: ConfigMap
metadata: { name: fine }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: Not_Valid }
`,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FakeApiServerError);
    expect((error as FakeApiServerError).code).toBe('FIXTURE_INVALID');
    expect((error as Error).message).toMatch(
      /^\[fake-apiserver\] manifest, document 2: ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/,
    );
    expect(server.get({ kind: 'ConfigMap', name: 'fine' })).toBeUndefined();

    await expect(
      server.apply([configMap('a', {}), { apiVersion: 'v1', kind: 'Gizmo', metadata: { name: 'x' } }]),
    ).rejects.toThrow('[fake-apiserver] object 2: v1 Gizmo is not a kind fake-apiserver serves');
    await expect(server.apply('kind: [')).rejects.toThrow(/^\[fake-apiserver\] manifest, document 1: /);
    await expect(
      server.apply({ apiVersion: 'fake-apiserver.dev/v1alpha1', kind: 'User', metadata: { name: 'jane' } }),
    ).rejects.toThrow('[fake-apiserver] User "jane": static users are read at start only');
    expect(server.get({ kind: 'ConfigMap', name: 'a' })).toBeUndefined();
  });

  it('gets, lists with a label selector, and deletes as a REST DELETE does', async () => {
    await server.apply([
      { ...configMap('web', {}), metadata: { name: 'web', labels: { tier: 'web' } } },
      { ...configMap('db', {}), metadata: { name: 'db', labels: { tier: 'db' } } },
      configMap('other', {}, 'team-b'),
    ]);
    expect(
      server
        .list({ kind: 'configmaps', namespace: 'default', labelSelector: 'tier in (web,db)' })
        .map((c) => c.metadata!.name),
    ).toEqual(['db', 'web']);
    expect(
      server
        .list({ kind: 'ConfigMap', labelSelector: '!tier' })
        .map((c) => `${c.metadata!.namespace}/${c.metadata!.name}`),
    ).toEqual([
      'default/kube-root-ca.crt',
      'kube-node-lease/kube-root-ca.crt',
      'kube-public/kube-root-ca.crt',
      'kube-system/kube-root-ca.crt',
      'team-b/kube-root-ca.crt',
      'team-b/other',
    ]);
    expect(server.get({ kind: 'po', name: 'helloworld' })?.metadata?.namespace).toBe('default');
    expect(
      server.get({ kind: 'ClusterRole', name: 'view', apiVersion: 'rbac.authorization.k8s.io/v1' }),
    ).toBeDefined();

    const deleted = server.delete({ kind: 'Namespace', name: 'team-b' });
    expect(deleted?.metadata?.name).toBe('team-b');
    expect(server.list({ kind: 'ConfigMap', namespace: 'team-b' })).toEqual([]);
    expect(server.delete({ kind: 'Namespace', name: 'team-b' })).toBeUndefined();

    expect(() => server.get({ kind: 'Gizmo', name: 'x' })).toThrow(
      /no served kind is named "Gizmo"\n {2}hint: served kinds: v1 Pod/,
    );
    expect(() => server.get({ kind: 'Namespace', namespace: 'default', name: 'x' })).toThrow(
      'Namespace is cluster-scoped',
    );
    expect(() => server.list({ kind: 'pods', labelSelector: 'a=(' })).toThrow(/labelSelector "a=\(": /);
  });
});

describe('state control: reset, snapshot and restore', () => {
  let server: StartedFakeApiServer;
  let saDir: string;
  beforeAll(async () => {
    saDir = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-reset-')), 'sa');
    server = await startFakeApiServer({ saDir, serviceAccount: 'default/pod-reader' });
  });
  afterAll(() => server?.close());

  it('returns to exactly the start-up state, with resourceVersions that only go up', async () => {
    const startup = dump(server);
    const admin = adminCredentials(server.kubeconfig);
    await server.apply(configMap('extra', { a: 'b' }, 'scratch'));
    server.delete({ kind: 'Pod', namespace: 'default', name: 'helloworld' });
    await server.apply({ ...configMap('kube-root-ca.crt', { changed: 'yes' }) });
    await send(server.url, server.caCert, {
      method: 'PATCH',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles/view',
      client: admin,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { touched: 'yes' } } },
    });
    server.appendPodLog('kube-system', 'db-migrate-7d5b9', 'migrate', 'extra line\n');
    const before = maxResourceVersion(server);

    await server.reset();

    expect(dump(server)).toEqual(startup);
    const after = server.list({ kind: 'Pod', namespace: 'default' });
    expect(after.every((p) => Number(p.metadata!.resourceVersion) <= maxResourceVersion(server))).toBe(true);
    const helloworld = server.get({ kind: 'Pod', name: 'helloworld' })!;
    expect(Number(helloworld.metadata!.resourceVersion)).toBeGreaterThan(before);
    const log = await send(server.url, server.caCert, {
      path: '/api/v1/namespaces/default/pods/helloworld/log?tailLines=1',
      client: admin,
    });
    expect(log.status).toBe(200);
    expect(log.text).toBe('GET /healthz 200 0.3ms\n');
  });

  it('brings back the pod logs of the fixtures and forgets recorded decisions, requests and fault rules', async () => {
    const admin = adminCredentials(server.kubeconfig);
    const path = '/api/v1/namespaces/default/pods/helloworld/log';
    const original = (await send(server.url, server.caCert, { path, client: admin })).text;
    server.appendPodLog('default', 'helloworld', 'helloworld', 'added by a test\n');
    expect((await send(server.url, server.caCert, { path, client: admin })).text).toContain(
      'added by a test',
    );
    expect(server.authorizationDecisions().length).toBeGreaterThan(0);
    const lastSeq = server.authorizationDecisions().at(-1)!.seq;
    server.injectFault({ verb: 'get', resource: 'configmaps', status: 500 });
    expect(server.requests().length).toBeGreaterThan(0);

    await server.reset();

    expect(server.authorizationDecisions()).toEqual([]);
    expect(server.requests()).toEqual([]);
    expect(server.faults()).toEqual([]);
    expect((await send(server.url, server.caCert, { path, client: admin })).text).toBe(original);
    const [next] = server.authorizationDecisions();
    expect(next!.seq).toBe(lastSeq + 1);
  });

  it('makes tokens of objects it brings back valid again (same uid)', async () => {
    const token = (await import('node:fs')).readFileSync(join(saDir, 'token'), 'utf8');
    const list = () => send(server.url, server.caCert, { path: '/api/v1/namespaces/default/pods', token });
    expect((await list()).status).toBe(200);
    server.delete({ kind: 'ServiceAccount', namespace: 'default', name: 'pod-reader' });
    expect((await list()).status).toBe(401);
    await server.reset();
    expect((await list()).status).toBe(200);
  });

  it('restores a snapshot taken mid-test, and refuses a snapshot of another server', async () => {
    await server.apply(configMap('seeded', { step: '1' }));
    const seeded = server.snapshot();
    expect(Number(seeded.resourceVersion)).toBeGreaterThan(0);
    const atSeed = dump(server);
    await server.apply(configMap('seeded', { step: '2' }));
    await server.apply(configMap('later', {}));
    await server.restore(seeded);
    expect(dump(server)).toEqual(atSeed);
    await server.restore(seeded);
    expect(dump(server)).toEqual(atSeed);
    await server.reset();
    expect(server.get({ kind: 'ConfigMap', name: 'seeded' })).toBeUndefined();

    await using other = await startFakeApiServer();
    await expect(other.restore(seeded)).rejects.toThrow(
      '[fake-apiserver] this snapshot was not taken by this server',
    );
  });

  it('resets in a few milliseconds with the default fixtures', async () => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      await server.apply([configMap(`c${i}`, { i: String(i) }), configMap('x', {}, `ns-${i}`)]);
      server.delete({ kind: 'Pod', namespace: 'default', name: 'helloworld' });
      const start = performance.now();
      await server.reset();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.log(
      `reset after a few changes, default fixtures: median ${median.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`,
    );
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      await server.reset();
      idle.push(performance.now() - start);
    }
    idle.sort((a, b) => a - b);
    console.log(`reset with nothing changed: median ${idle[10]!.toFixed(3)} ms`);
    expect(median).toBeLessThan(20);
  });
});

describe('reset seen by watches and informers', () => {
  let server: StartedFakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer();
  });
  afterAll(() => server?.close());

  it('streams the difference to an open watch as DELETED, ADDED and MODIFIED with new versions', async () => {
    const admin = adminCredentials(server.kubeconfig);
    await server.apply({ ...configMap('temp', {}) });
    // A fixture Role (kube-root-ca.crt or the default ServiceAccount would be put back by their controllers).
    server.delete({ kind: 'Role', namespace: 'default', name: 'pod-reader-role' });
    await server.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'pod-reader', namespace: 'default', labels: { changed: 'yes' } },
    });
    const since = maxResourceVersion(server);
    const events: { type: string; name: string; kind: string; rv: number }[] = [];
    const { request } = await import('node:https');
    const watches = [
      '/api/v1/namespaces/default/configmaps',
      '/api/v1/namespaces/default/serviceaccounts',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    ].map(
      (path) =>
        new Promise<() => void>((resolve, reject) => {
          const req = request(
            `${server.url}${path}?watch=1&resourceVersion=${since}`,
            { ca: server.caCert, ...admin },
            (res) => {
              let buffer = '';
              res.on('data', (chunk: Buffer) => {
                buffer += chunk.toString('utf8');
                let newline;
                while ((newline = buffer.indexOf('\n')) >= 0) {
                  const event = JSON.parse(buffer.slice(0, newline));
                  buffer = buffer.slice(newline + 1);
                  events.push({
                    type: event.type,
                    kind: event.object.kind,
                    name: event.object.metadata.name,
                    rv: Number(event.object.metadata.resourceVersion),
                  });
                }
              });
              resolve(() => req.destroy());
            },
          );
          req.on('error', reject);
          req.end();
        }),
    );
    const stops = await Promise.all(watches);
    try {
      await server.reset();
      await waitFor('3 watch events', () => (events.length >= 3 ? true : undefined), 5000);
      const summary = events.map((e) => `${e.type} ${e.kind} ${e.name}`).sort();
      expect(summary).toEqual([
        'ADDED Role pod-reader-role',
        'DELETED ConfigMap temp',
        'MODIFIED ServiceAccount pod-reader',
      ]);
      expect(events.every((e) => e.rv > since)).toBe(true);
      expect(new Set(events.map((e) => e.rv)).size).toBe(3);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('lets a @kubernetes/client-node informer converge on the fixture state without a relist', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    let lists = 0;
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => {
      lists++;
      return api.listNamespacedPod({ namespace: 'default' });
    });
    const seen: string[] = [];
    informer.on('add', (pod: V1Pod) => seen.push(`add:${pod.metadata?.name}`));
    informer.on('update', (pod: V1Pod) => seen.push(`update:${pod.metadata?.name}`));
    informer.on('delete', (pod: V1Pod) => seen.push(`delete:${pod.metadata?.name}`));
    await informer.start();
    try {
      const fixturePods = informer
        .list()
        .map((p) => p.metadata!.name)
        .sort();
      expect(fixturePods).toContain('helloworld');
      const helloworldRv = Number(informer.get('helloworld', 'default')!.metadata!.resourceVersion);
      await api.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'scratch' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      });
      await api.deleteNamespacedPod({ name: 'helloworld', namespace: 'default' });
      await waitFor(
        'the informer to see the test changes',
        () => (seen.includes('delete:helloworld') && seen.includes('add:scratch') ? true : undefined),
        5000,
      );
      seen.length = 0;

      await server.reset();

      await waitFor(
        'the informer to see the reset',
        () => (seen.includes('delete:scratch') && seen.includes('add:helloworld') ? true : undefined),
        5000,
      );
      // Updates follow as the kubelet runs the pods put back as they were at start-up.
      expect(seen.filter((e) => !e.startsWith('update:')).sort()).toEqual([
        'add:helloworld',
        'delete:scratch',
      ]);
      expect(
        informer
          .list()
          .map((p) => p.metadata!.name)
          .sort(),
      ).toEqual(fixturePods);
      const restored = informer.get('helloworld', 'default')!;
      expect(Number(restored.metadata!.resourceVersion)).toBeGreaterThan(helloworldRv);
      expect(restored.status?.phase).toBe('Running');
      expect(lists).toBe(1);
    } finally {
      await informer.stop();
    }
  });
});

describe('state control endpoints over HTTPS', () => {
  let server: StartedFakeApiServer;
  let kubeconfigPath: string;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-control-'));
    kubeconfigPath = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig: kubeconfigPath });
  });
  afterAll(() => server?.close());

  it('resets, snapshots and restores for the admin, answering JSON', async () => {
    const admin = adminCredentials(server.kubeconfig);
    const post = (path: string, body?: unknown) =>
      send(server.url, server.caCert, {
        method: 'POST',
        path: `/fake-apiserver/v1/${path}`,
        client: admin,
        body,
      });

    await server.apply(configMap('one', {}));
    const snapshot = await post('snapshots', { name: 'with-one' });
    expect(snapshot.status).toBe(201);
    expect(snapshot.json()).toEqual({ name: 'with-one', resourceVersion: expect.stringMatching(/^\d+$/) });
    const unnamed = await post('snapshots');
    expect(unnamed.json().name).toBe('snapshot-1');

    await server.apply(configMap('two', {}));
    const restored = await post('snapshots/with-one/restore');
    expect(restored.status).toBe(200);
    expect(restored.headers['content-type']).toBe('application/json');
    expect(restored.json()).toEqual({ changes: 1, resourceVersion: expect.stringMatching(/^\d+$/) });
    expect(server.get({ kind: 'ConfigMap', name: 'two' })).toBeUndefined();
    expect(server.get({ kind: 'ConfigMap', name: 'one' })).toBeDefined();

    const reset = await post('reset');
    expect(reset.json().changes).toBe(1);
    expect(server.get({ kind: 'ConfigMap', name: 'one' })).toBeUndefined();

    expect((await post('snapshots', { name: 'Bad Name' })).json()).toMatchObject({
      kind: 'Status',
      code: 400,
      reason: 'BadRequest',
      message: `snapshot name "Bad Name" is not a lowercase RFC 1123 label (e.g. 'seeded', 'step-2')`,
    });
    expect((await post('snapshots/nope/restore')).status).toBe(404);
  });

  it('mounts and stops a serviceaccount directory for code without the handle', async () => {
    const admin = adminCredentials(server.kubeconfig);
    const post = (path: string, body?: unknown) =>
      send(server.url, server.caCert, {
        method: 'POST',
        path: `/fake-apiserver/v1/${path}`,
        client: admin,
        body,
      });
    const dir = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-mount-endpoint-')), 'sa');
    const mounted = await post('mounts', { dir, serviceAccount: 'default/pod-reader', tokenTtlSeconds: 600 });
    expect(mounted.status).toBe(201);
    expect(mounted.json()).toMatchObject({
      dir,
      tokenFile: join(dir, 'token'),
      serviceAccount: 'default/pod-reader',
      tokenTtlSeconds: 600,
    });
    const token = (await import('node:fs')).readFileSync(join(dir, 'token'), 'utf8');
    expect(
      (await send(server.url, server.caCert, { path: '/api/v1/namespaces/default/pods', token })).status,
    ).toBe(200);
    expect((await post('mounts/stop', { dir })).json()).toEqual({ dir, stopped: true });
    expect((await post('mounts/stop', { dir })).json()).toEqual({ dir, stopped: false });

    expect((await post('mounts', { dir: 'relative/sa' })).json()).toMatchObject({
      code: 400,
      message: `dir must be an absolute path on the server's machine ("relative/sa" given)`,
    });
    const missing = await post('mounts', { dir, serviceAccount: 'default/nobody' });
    expect(missing.status).toBe(404);
    expect(missing.json().message).toMatch(/service account default\/nobody/);
  });

  it('is forbidden to a service account, as a non-resource URL', async () => {
    const token = server.issueToken('default/pod-reader');
    const response = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/fake-apiserver/v1/reset',
      token,
    });
    expect(response.status).toBe(403);
    expect(response.json().message).toBe(
      'forbidden: User "system:serviceaccount:default:pod-reader" cannot post path "/fake-apiserver/v1/reset"',
    );
  });

  const kubectl = kubectlBinary(33);
  it.runIf(clientAvailable('kubectl', () => existsSync(kubectl)))(
    'is reachable with kubectl create --raw and the admin kubeconfig',
    async () => {
      await server.apply(configMap('from-test', {}));
      const result = await run(
        kubectl,
        ['--kubeconfig', kubeconfigPath, 'create', '--raw', '/fake-apiserver/v1/reset', '-f', '-'],
        { input: '{}' },
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ changes: 1 });
      expect(server.get({ kind: 'ConfigMap', name: 'from-test' })).toBeUndefined();
    },
  );
});
