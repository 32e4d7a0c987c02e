import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADD, CoreV1Api, KubeConfig, makeInformer, UPDATE, Watch, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFakeClock, startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';
import { send } from './support/https-client.js';

const APP = `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: default
  labels: {app: shop}
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-2
  namespace: default
  labels: {app: shop}
  annotations: {fake-apiserver.dev/scenario: Unready}
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: default
spec:
  selector: {app: shop}
  ports: [{name: web, port: 80, targetPort: http}]
`;

const SLOW_TO_STOP = `apiVersion: v1
kind: Pod
metadata:
  name: slow
  namespace: default
  annotations: {fake-apiserver.dev/scenario: IgnoreSIGTERM}
spec:
  terminationGracePeriodSeconds: 2
  containers: [{name: app, image: busybox:1.36}]
`;

function adminKubeConfig(server: StartedFakeApiServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return kc;
}

for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `a cluster that moves, seen by kubectl 1.${minor}`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      const kubectlAsAdmin = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), `fake-apiserver-cluster-${minor}-`));
        server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
        await writeFile(join(dir, 'app.yaml'), APP);
        await writeFile(join(dir, 'slow.yaml'), SLOW_TO_STOP);
      });
      afterAll(() => server?.close());

      it("lists kind's node Ready, with its heartbeat Lease", async () => {
        const nodes = await kubectlAsAdmin('get', 'nodes');
        expect(nodes.stdout).toMatch(/^kind-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.33\.1$/m);
        const lease = await kubectlAsAdmin(
          'get',
          'lease',
          '-n',
          'kube-node-lease',
          'kind-control-plane',
          '-o',
          'json',
        );
        expect(JSON.parse(lease.stdout).spec).toMatchObject({
          holderIdentity: 'kind-control-plane',
          leaseDurationSeconds: 40,
        });
      });

      it('runs pods: wait for Ready, get -o wide with node and IP, endpoints and endpointslices', async () => {
        expect((await kubectlAsAdmin('apply', '-f', join(dir, 'app.yaml'))).code).toBe(0);
        const waited = await kubectlAsAdmin('wait', '--for=condition=Ready', 'pod/web-1', '--timeout=20s');
        expect(waited.stdout).toBe('pod/web-1 condition met\n');
        const wide = await kubectlAsAdmin('get', 'pods', '-l', 'app=shop', '-o', 'wide');
        expect(wide.stdout).toMatch(
          /^web-1\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+kind-control-plane\s/m,
        );
        expect(wide.stdout).toMatch(
          /^web-2\s+0\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+kind-control-plane\s/m,
        );
        const ip = (name: string) =>
          (server.get({ kind: 'Pod', namespace: 'default', name })?.status as { podIP: string }).podIP;
        await vi.waitFor(async () => {
          const slices = await kubectlAsAdmin(
            'get',
            'endpointslices',
            '-l',
            'kubernetes.io/service-name=shop',
          );
          expect(slices.stdout).toMatch(
            new RegExp(
              `^shop-\\w{5}\\s+IPv4\\s+8080\\s+${ip('web-1').replace(/\./g, '\\.')},${ip('web-2').replace(/\./g, '\\.')}\\s`,
              'm',
            ),
          );
        });
        const endpoints = JSON.parse((await kubectlAsAdmin('get', 'endpoints', 'shop', '-o', 'json')).stdout);
        expect(endpoints.subsets).toEqual([
          {
            addresses: [expect.objectContaining({ ip: ip('web-1'), nodeName: 'kind-control-plane' })],
            notReadyAddresses: [expect.objectContaining({ ip: ip('web-2'), nodeName: 'kind-control-plane' })],
            ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
          },
        ]);
        const slice = JSON.parse(
          (
            await kubectlAsAdmin(
              'get',
              'endpointslices',
              '-l',
              'kubernetes.io/service-name=shop',
              '-o',
              'json',
            )
          ).stdout,
        ).items[0];
        expect(slice.endpoints.map((e: { conditions: unknown }) => e.conditions)).toEqual([
          { ready: true, serving: true, terminating: false },
          { ready: false, serving: false, terminating: false },
        ]);
      });

      it('deletes a pod gracefully: Terminating, then gone', async () => {
        expect((await kubectlAsAdmin('apply', '-f', join(dir, 'slow.yaml'))).code).toBe(0);
        await kubectlAsAdmin('wait', '--for=condition=Ready', 'pod/slow', '--timeout=20s');
        const deleted = await kubectlAsAdmin('delete', 'pod', 'slow', '--wait=false');
        expect(deleted.stdout).toBe('pod "slow" deleted\n');
        const terminating = await kubectlAsAdmin('get', 'pod', 'slow');
        expect(terminating.stdout).toMatch(/^slow\s+1\/1\s+Terminating\s+0\s/m);
        const gone = await kubectlAsAdmin('wait', '--for=delete', 'pod/slow', '--timeout=20s');
        expect(gone.code).toBe(0);
        const events = await kubectlAsAdmin(
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=slow',
          '-o',
          'jsonpath={range .items[*]}{.reason}={.message}{"\\n"}{end}',
        );
        expect(events.stdout.split('\n')).toEqual(
          expect.arrayContaining([
            'Scheduled=Successfully assigned default/slow to kind-control-plane',
            'Created=Created container: app',
            'Started=Started container app',
            'Killing=Stopping container app',
          ]),
        );
      });

      it('delete --cascade=foreground waits for the ReplicaSet and its pods, which the kubelet stops gracefully', async () => {
        const name = `fg-${minor}`;
        await kubectlAsAdmin('create', 'deployment', name, '--image=nginx:1.27', '--replicas=2');
        expect((await kubectlAsAdmin('rollout', 'status', `deployment/${name}`, '--timeout=20s')).code).toBe(
          0,
        );
        const ready = await kubectlAsAdmin(
          'wait',
          '--for=condition=Ready',
          'pod',
          '-l',
          `app=${name}`,
          '--timeout=20s',
        );
        const met = new RegExp(`^pod/${name}-\\w+-\\w{5} condition met$`);
        expect(ready.stdout.trim().split('\n')).toEqual([
          expect.stringMatching(met),
          expect.stringMatching(met),
        ]);
        const deleted = await kubectlAsAdmin(
          'delete',
          'deployment',
          name,
          '--cascade=foreground',
          '--timeout=20s',
        );
        expect(deleted).toMatchObject({ code: 0, stdout: `deployment.apps "${name}" deleted\n` });
        // kubectl returns once the Deployment is gone, which the foreground finalizer holds until its
        // ReplicaSet, held in turn until its pods, is gone.
        const left = await kubectlAsAdmin('get', 'replicasets,pods', '-l', `app=${name}`, '-o', 'name');
        expect(left).toMatchObject({ code: 0, stdout: '' });
        const killing = await kubectlAsAdmin(
          'get',
          'events',
          '--field-selector',
          'reason=Killing',
          '-o',
          'jsonpath={range .items[*]}{.involvedObject.name}{"\\n"}{end}',
        );
        expect(killing.stdout.split('\n').filter((pod) => pod.startsWith(`${name}-`))).toHaveLength(2);
      });
    },
  );
}

describe('a cluster that moves, seen by @kubernetes/client-node', () => {
  let server: StartedFakeApiServer;
  let api: CoreV1Api;
  let kc: KubeConfig;
  beforeAll(async () => {
    server = await startFakeApiServer();
    kc = adminKubeConfig(server);
    api = kc.makeApiClient(CoreV1Api);
  });
  afterAll(() => server?.close());

  it('an informer (list, then watch) sees a pod it did not list go Pending, then Running', async () => {
    const path = '/api/v1/namespaces/default/pods';
    const informer = makeInformer(
      kc,
      path,
      () => api.listNamespacedPod({ namespace: 'default', labelSelector: 'informed=yes' }),
      'informed=yes',
    );
    const seen: string[] = [];
    const running = new Promise<void>((resolve) => {
      const note = (pod: V1Pod) => {
        seen.push(`${pod.status?.phase}${pod.status?.podIP ? ' with IP' : ''}`);
        if (pod.status?.phase === 'Running') resolve();
      };
      informer.on(ADD, note);
      informer.on(UPDATE, note);
    });
    await informer.start();
    try {
      await api.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'informed', labels: { informed: 'yes' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      });
      await running;
      expect(seen[0]).toBe('Pending');
      expect(seen.at(-1)).toBe('Running with IP');
      expect(informer.list('default').map((pod) => pod.status?.phase)).toEqual(['Running']);
    } finally {
      await informer.stop();
    }
  });

  it('watches a pod go Pending, then Running, never in the create response', async () => {
    const phases: string[] = [];
    const running = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/pods',
          { fieldSelector: 'metadata.name=watched' },
          (_type, pod: V1Pod) => {
            phases.push(`${pod.status?.phase}${pod.spec?.nodeName ? '@' + pod.spec.nodeName : ''}`);
            if (pod.status?.phase === 'Running') resolve();
          },
          () => {},
        )
        .then((controller) => afterAll(() => controller.abort()));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const created = await api.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'watched' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    });
    expect(created.status?.phase).toBe('Pending');
    expect(created.spec?.nodeName).toBeUndefined();
    await running;
    expect(phases[0]).toBe('Pending');
    expect(phases).toContain('Pending@kind-control-plane');
    expect(phases.at(-1)).toBe('Running@kind-control-plane');
    const pod = await api.readNamespacedPod({ namespace: 'default', name: 'watched' });
    const status = pod.status!;
    expect(status.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    expect(status.hostIP).toBe('172.18.0.2');
    expect(status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(status.qosClass).toBe('BestEffort');
    const container = status.containerStatuses![0]!;
    expect(container).toMatchObject({
      name: 'c',
      ready: true,
      started: true,
      restartCount: 0,
      image: 'docker.io/library/nginx:latest',
    });
    expect(container.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(container.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(container.state?.running?.startedAt).toBeInstanceOf(Date);
  });

  it('runs init containers to completion first, and a Never pod to Succeeded', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'job-like', annotations: { 'fake-apiserver.dev/run-for': '50ms' } },
        spec: {
          restartPolicy: 'Never',
          initContainers: [{ name: 'setup', image: 'busybox' }],
          containers: [{ name: 'work', image: 'busybox' }],
        },
      },
    });
    await vi.waitFor(
      async () => {
        const pod = await api.readNamespacedPod({ namespace: 'default', name: 'job-like' });
        expect(pod.status?.phase).toBe('Succeeded');
      },
      { timeout: 5000 },
    );
    const pod = await api.readNamespacedPod({ namespace: 'default', name: 'job-like' });
    expect(pod.status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
  });

  it("leaves a pod no node takes Pending with upstream's message, and schedules it once a node fits", async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'picky' },
        spec: { nodeSelector: { disktype: 'ssd' }, containers: [{ name: 'c', image: 'nginx' }] },
      },
    });
    const message =
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    await vi.waitFor(async () => {
      const pod = await api.readNamespacedPod({ namespace: 'default', name: 'picky' });
      expect(pod.status?.conditions).toEqual([
        expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }),
      ]);
    });
    const events = await api.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=picky',
    });
    expect(events.items.map((e) => [e.type, e.reason, e.message, e.source?.component])).toContainEqual([
      'Warning',
      'FailedScheduling',
      message,
      'default-scheduler',
    ]);
    await api.patchNode({
      name: 'kind-control-plane',
      body: [{ op: 'add', path: '/metadata/labels/disktype', value: 'ssd' }],
    });
    await vi.waitFor(async () => {
      const pod = await api.readNamespacedPod({ namespace: 'default', name: 'picky' });
      expect(pod.status?.phase).toBe('Running');
    });
  });

  it('serves pods/binding as kube-apiserver: 201 Success, then 409 once bound', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'self-bound' },
        spec: { schedulerName: 'my-scheduler', containers: [{ name: 'c', image: 'nginx' }] },
      },
    });
    const binding = {
      metadata: { name: 'self-bound' },
      target: { kind: 'Node', name: 'kind-control-plane' },
    };
    const path = '/api/v1/namespaces/default/pods/self-bound/binding';
    const admin = adminCredentials(server.kubeconfig);
    const bound = await send(server.url, server.caCert, {
      client: admin,
      method: 'POST',
      path,
      body: binding,
    });
    expect(bound.status).toBe(201);
    expect(bound.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    });
    const pod = await api.readNamespacedPod({ namespace: 'default', name: 'self-bound' });
    expect(pod.spec?.nodeName).toBe('kind-control-plane');
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    // client-node's typed call sends the same request.
    await expect(
      api.createNamespacedPodBinding({ namespace: 'default', name: 'self-bound', body: binding }),
    ).rejects.toMatchObject({ code: 409 });
    const again = await send(server.url, server.caCert, {
      client: admin,
      method: 'POST',
      path,
      body: binding,
    });
    expect(again.json()).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on pods/binding "self-bound": pod self-bound is already assigned to node "kind-control-plane"',
    });
  });
});

describe('scenarios on a fake clock', () => {
  let server: StartedFakeApiServer;
  let api: CoreV1Api;
  beforeAll(async () => {
    server = await startFakeApiServer({ clock: createFakeClock('2026-01-01T00:00:00Z') });
    api = adminKubeConfig(server).makeApiClient(CoreV1Api);
  });
  afterAll(() => server?.close());

  const containerOf = async (name: string) =>
    (await api.readNamespacedPod({ namespace: 'default', name })).status?.containerStatuses?.[0];

  it('CrashLoopBackOff: restarts with back-off 10s, 20s, ... on the server clock', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'crash', annotations: { 'fake-apiserver.dev/scenario': 'CrashLoopBackOff' } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      },
    });
    await vi.waitFor(async () => expect((await containerOf('crash'))?.state?.running).toBeDefined());
    await server.advanceClock('1s'); // it crashes after running 1s, and is restarted at once
    await vi.waitFor(async () => {
      const c = await containerOf('crash');
      expect(c?.restartCount).toBe(1);
      expect(c?.state?.running).toBeDefined();
      expect(c?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    });
    await server.advanceClock('1s'); // crashes again: back-off 10s
    await vi.waitFor(async () =>
      expect((await containerOf('crash'))?.state?.waiting).toMatchObject({
        reason: 'CrashLoopBackOff',
        message: expect.stringMatching(/^back-off 10s restarting failed container=app pod=crash_default\(/),
      }),
    );
    const pod = await api.readNamespacedPod({ namespace: 'default', name: 'crash' });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    await server.advanceClock('9s');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await containerOf('crash'))?.restartCount).toBe(1);
    await server.advanceClock('1s');
    await vi.waitFor(async () => expect((await containerOf('crash'))?.restartCount).toBe(2));
    await server.advanceClock('1s');
    await vi.waitFor(async () =>
      expect((await containerOf('crash'))?.state?.waiting?.message).toMatch(/^back-off 20s /),
    );
  });

  it('a scenario cleared through the control API: the next restart runs for good', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'heals', annotations: { 'fake-apiserver.dev/scenario.app': 'Exit:3' } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      },
    });
    await vi.waitFor(async () => expect((await containerOf('heals'))?.state?.running).toBeDefined());
    const admin = adminCredentials(server.kubeconfig);
    const cleared = await send(server.url, server.caCert, {
      client: admin,
      method: 'POST',
      path: '/fake-apiserver/v1/scenarios',
      body: { pod: 'default/heals', container: 'app', scenario: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json()).toEqual({ kind: 'Pod', namespace: 'default', name: 'heals', annotations: {} });
    await server.advanceClock('1s'); // the running container still exits with 3, and restarts at once
    await vi.waitFor(async () => {
      const c = await containerOf('heals');
      expect(c?.restartCount).toBe(1);
      expect(c?.lastState?.terminated?.exitCode).toBe(3);
      expect(c?.ready).toBe(true);
    });
    await server.advanceClock('10m');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await containerOf('heals'))?.restartCount).toBe(1);
    const refused = await send(server.url, server.caCert, {
      client: admin,
      method: 'POST',
      path: '/fake-apiserver/v1/scenarios',
      body: { pod: 'default/heals', scenario: 'Explode' },
    });
    expect(refused.status).toBe(400);
  });

  it('ErrImagePull, then ImagePullBackOff; the pod stays Pending', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'no-image', annotations: { 'fake-apiserver.dev/scenario': 'ErrImagePull' } },
        spec: { containers: [{ name: 'app', image: 'nginx:doesnotexist' }] },
      },
    });
    await vi.waitFor(async () =>
      expect((await containerOf('no-image'))?.state?.waiting?.reason).toBe('ImagePullBackOff'),
    );
    const pod = await api.readNamespacedPod({ namespace: 'default', name: 'no-image' });
    expect(pod.status?.phase).toBe('Pending');
    const events = await api.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=no-image',
    });
    expect(events.items.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'Pulling image "nginx:doesnotexist"',
        'Error: ErrImagePull',
        'Back-off pulling image "nginx:doesnotexist"',
        'Error: ImagePullBackOff',
      ]),
    );
  });

  it('a deleted pod goes at once when its containers stop on SIGTERM, even on a fake clock', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'quick' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    });
    await vi.waitFor(async () => expect((await containerOf('quick'))?.ready).toBe(true));
    const deleted = await api.deleteNamespacedPod({ namespace: 'default', name: 'quick' });
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(30);
    await vi.waitFor(async () =>
      expect(server.get({ kind: 'Pod', namespace: 'default', name: 'quick' })).toBeUndefined(),
    );
  });
});

describe('the static API (cluster: false)', () => {
  it('leaves pods as written: Pending, without a node', async () => {
    await using server = await startFakeApiServer({ cluster: false });
    const api = adminKubeConfig(server).makeApiClient(CoreV1Api);
    await api.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'still' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pod = await api.readNamespacedPod({ namespace: 'default', name: 'still' });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(server.list({ kind: 'leases', namespace: 'kube-node-lease' })).toEqual([]);
  });
});

describe('a node that turns NotReady, on a fake clock', () => {
  it('is tainted, its pods turn not Ready and are evicted after 300s; new pods stay unscheduled', async () => {
    await using server = await startFakeApiServer({ clock: createFakeClock('2026-01-01T00:00:00Z') });
    const api = adminKubeConfig(server).makeApiClient(CoreV1Api);
    await api.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'victim' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    });
    const ready = async (name: string) =>
      (await api.readNamespacedPod({ namespace: 'default', name })).status?.conditions?.find(
        (c) => c.type === 'Ready',
      )?.status;
    await vi.waitFor(async () => expect(await ready('victim')).toBe('True'));
    await api.patchNode({
      name: 'kind-control-plane',
      body: [{ op: 'add', path: '/metadata/annotations/fake-apiserver.dev~1scenario', value: 'NotReady' }],
    });
    await vi.waitFor(async () => {
      const node = await api.readNode({ name: 'kind-control-plane' });
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'KubeletNotReady',
      });
      expect(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([
        'node.kubernetes.io/not-ready:NoSchedule',
        'node.kubernetes.io/not-ready:NoExecute',
      ]);
    });
    await vi.waitFor(async () => expect(await ready('victim')).toBe('False'));
    await api.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'newcomer' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    });
    await vi.waitFor(async () => {
      const pod = await api.readNamespacedPod({ namespace: 'default', name: 'newcomer' });
      expect(pod.status?.conditions?.[0]?.message).toBe(
        '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      );
    });
    await server.advanceClock('299s');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(
      server.get({ kind: 'Pod', namespace: 'default', name: 'victim' })?.metadata?.deletionTimestamp,
    ).toBeUndefined();
    await server.advanceClock('1s');
    await vi.waitFor(() =>
      expect(server.get({ kind: 'Pod', namespace: 'default', name: 'victim' })).toBeUndefined(),
    );
    const events = await api.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=victim',
    });
    expect(events.items.map((e) => `${e.reason}: ${e.message}`)).toEqual(
      expect.arrayContaining([
        'NodeNotReady: Node is not ready',
        'TaintManagerEviction: Marking for deletion Pod default/victim',
        'Killing: Stopping container app',
      ]),
    );
    // Ready again (the programmatic scenario API): the taints go, and the waiting pod is scheduled.
    server.setScenario({ node: 'kind-control-plane' }, null);
    await vi.waitFor(async () => {
      const node = await api.readNode({ name: 'kind-control-plane' });
      expect(node.spec?.taints).toBeUndefined();
      const pod = await api.readNamespacedPod({ namespace: 'default', name: 'newcomer' });
      expect(pod.status?.phase).toBe('Running');
    });
  });
});

describe('reset() with a cluster that moves', () => {
  it('puts the pods back as they were at start-up, and the kubelet runs them again', async () => {
    await using server = await startFakeApiServer();
    const web = () => server.list({ kind: 'pods', namespace: 'default', labelSelector: 'app=web' })[0];
    await vi.waitFor(() => expect((web()?.status as { phase?: string }).phase).toBe('Running'));
    const first = (web()?.status as { podIP?: string }).podIP;
    await server.reset();
    await vi.waitFor(() => {
      expect((web()?.status as { phase?: string }).phase).toBe('Running');
      expect((web()?.status as { podIP?: string }).podIP).toBe(first);
    });
  });
});

// The official Python client's watch, as an operator's loop would use it.
const PYTHON_WATCH = `
import sys
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
since = v1.list_namespaced_pod("default").metadata.resource_version
v1.create_namespaced_pod("default", {"metadata": {"name": "py"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
for event in watch.Watch().stream(v1.list_namespaced_pod, namespace="default", field_selector="metadata.name=py", resource_version=since, timeout_seconds=10):
    pod = event["object"]
    print(event["type"], pod.status.phase, pod.spec.node_name or "-", pod.status.pod_ip or "-", flush=True)
    if pod.status.phase == "Running":
        break
`;

describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))(
  'a cluster that moves, seen by the official Python client',
  () => {
    it('watches a pod it created go Pending, then Running on the node with an IP', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-cluster-python-'));
      await using _server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
      await writeFile(join(dir, 'watch.py'), PYTHON_WATCH);
      const result = await run('/usr/bin/python3', [join(dir, 'watch.py'), join(dir, 'kubeconfig')]);
      expect(result.stderr).toBe('');
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toBe('ADDED Pending - -');
      expect(lines.at(-1)).toMatch(/^MODIFIED Running kind-control-plane 10\.244\.0\.\d+$/);
      expect(lines).toContain('MODIFIED Pending kind-control-plane -');
    });
  },
);

describe('a node whose kubelet is gone (Unreachable), on a fake clock', () => {
  it('a healthy node stays Ready however far the clock jumps: its kubelet renews first', async () => {
    await using server = await startFakeApiServer({ clock: createFakeClock('2026-01-01T00:00:00Z') });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await server.advanceClock('1h');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const node = server.get({ kind: 'Node', name: 'kind-control-plane' });
    expect((node?.spec as { taints?: unknown }).taints).toBeUndefined();
    const ready = (node?.status as { conditions: { type: string; status: string }[] }).conditions.find(
      (c) => c.type === 'Ready',
    );
    expect(ready?.status).toBe('True');
  });

  it('turns Unknown after 50s without a Lease renewal; its pods are evicted but stay Terminating until it is back', async () => {
    await using server = await startFakeApiServer({ clock: createFakeClock('2026-01-01T00:00:00Z') });
    const api = adminKubeConfig(server).makeApiClient(CoreV1Api);
    await api.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'stranded' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    });
    const pod = () => server.get({ kind: 'Pod', namespace: 'default', name: 'stranded' });
    await vi.waitFor(() => expect((pod()?.status as { phase?: string }).phase).toBe('Running'));
    server.setScenario({ node: 'kind-control-plane' }, 'Unreachable');
    await server.advanceClock('40s');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await api.readNode({ name: 'kind-control-plane' })).spec?.taints).toBeUndefined();
    await server.advanceClock('15s');
    await vi.waitFor(async () => {
      const node = await api.readNode({ name: 'kind-control-plane' });
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      });
      expect(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([
        'node.kubernetes.io/unreachable:NoSchedule',
        'node.kubernetes.io/unreachable:NoExecute',
      ]);
    });
    await server.advanceClock('5m');
    await vi.waitFor(() => expect(pod()?.metadata?.deletionTimestamp).toBeDefined());
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(pod()).toBeDefined(); // no kubelet to stop it
    server.setScenario({ node: 'kind-control-plane' }, null);
    await vi.waitFor(async () => {
      expect(pod()).toBeUndefined();
      const node = await api.readNode({ name: 'kind-control-plane' });
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(node.spec?.taints).toBeUndefined();
    });
  });
});
