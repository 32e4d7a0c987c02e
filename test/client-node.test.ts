import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';

const SA_PATH = 'var/run/secrets/kubernetes.io/serviceaccount';

// @kubernetes/client-node in in-cluster mode: env vars plus loadFromCluster(pathPrefix).
describe('@kubernetes/client-node loadFromCluster', () => {
  let server: StartedFakeApiServer;
  let root: string;
  const savedEnv = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fake-apiserver-node-'));
    server = await startFakeApiServer({ saDir: join(root, SA_PATH), serviceAccount: 'default/pod-reader' });
    process.env.KUBERNETES_SERVICE_HOST = server.env.KUBERNETES_SERVICE_HOST;
    process.env.KUBERNETES_SERVICE_PORT = server.env.KUBERNETES_SERVICE_PORT;
  });
  afterAll(async () => {
    process.env.KUBERNETES_SERVICE_HOST = savedEnv.host;
    process.env.KUBERNETES_SERVICE_PORT = savedEnv.port;
    if (savedEnv.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
    if (savedEnv.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    await server?.close();
  });

  function inClusterConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromCluster(root);
    return kc;
  }

  it('lists pods in the namespace from the namespace file', async () => {
    const kc = inClusterConfig();
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('default');
    const api = kc.makeApiClient(CoreV1Api);
    const pods = await api.listNamespacedPod({ namespace: 'default' });
    const helloworld = pods.items.find((p) => p.metadata?.name === 'helloworld');
    expect(helloworld?.status?.phase).toBe('Running');
    expect(helloworld?.status?.containerStatuses?.[0]?.ready).toBe(true);
  });

  it('reads a pod log as text', async () => {
    const api = inClusterConfig().makeApiClient(CoreV1Api);
    const log = await api.readNamespacedPodLog({ name: 'helloworld', namespace: 'default', tailLines: 1 });
    expect(log).toBe('GET /healthz 200 0.3ms\n');
  });

  it('gets an ApiException with the Status body when forbidden', async () => {
    const api = inClusterConfig().makeApiClient(CoreV1Api);
    const error = await api.listNamespacedPod({ namespace: 'kube-system' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(403);
    expect(String((error as ApiException<string>).body)).toContain(
      'pods is forbidden: User \\"system:serviceaccount:default:pod-reader\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"kube-system\\"',
    );
  });

  it('sees a pod created after the list through a watch from the list resourceVersion', async () => {
    const kc = inClusterConfig();
    const api = kc.makeApiClient(CoreV1Api);
    const list = await api.listNamespacedPod({ namespace: 'default' });
    const events: { phase: string; name: string }[] = [];
    const seen = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/pods',
          { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
          (phase, obj: { metadata: { name: string } }) => {
            events.push({ phase, name: obj.metadata.name });
            if (obj.metadata.name === 'watched') resolve();
          },
          () => {},
        )
        .then((controller) => afterAll(() => controller.abort()));
    });
    // pod-reader may not create pods: the admin creates one through the programmatic handle's kubeconfig.
    const admin = new KubeConfig();
    admin.loadFromString(server.kubeconfig);
    await admin.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'watched' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    });
    await seen;
    // The first event is the pod's creation; the scheduler and kubelet then move it on (MODIFIED).
    expect(events[0]).toEqual({ phase: 'ADDED', name: 'watched' });
  });

  it('keeps an informer in sync with creates and deletes', async () => {
    const kc = inClusterConfig();
    const api = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () =>
      api.listNamespacedPod({ namespace: 'default' }),
    );
    const seen: string[] = [];
    const deleted = new Promise<void>((resolve) => {
      informer.on('add', (pod: V1Pod) => seen.push(`add:${pod.metadata?.name}`));
      informer.on('delete', (pod: V1Pod) => {
        seen.push(`delete:${pod.metadata?.name}`);
        if (pod.metadata?.name === 'informed') resolve();
      });
    });
    await informer.start();
    try {
      expect(informer.list().map((p) => p.metadata?.name)).toContain('helloworld');
      const admin = new KubeConfig();
      admin.loadFromString(server.kubeconfig);
      const adminApi = admin.makeApiClient(CoreV1Api);
      await adminApi.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'informed' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      });
      await adminApi.deleteNamespacedPod({ name: 'informed', namespace: 'default' });
      await deleted;
      expect(seen).toContain('add:informed');
      expect(seen.indexOf('add:informed')).toBeLessThan(seen.indexOf('delete:informed'));
    } finally {
      await informer.stop();
    }
  });
});
