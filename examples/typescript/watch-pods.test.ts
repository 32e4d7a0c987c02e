import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from 'fake-apiserver';
import { afterEach, describe, expect, it } from 'vitest';
import { watchPods, type PodWatcher } from './watch-pods.js';

const CLUSTER = join(import.meta.dirname, '../fixtures/shop.yaml');
const WATCH_RBAC = join(import.meta.dirname, 'fixtures/watch-pods-rbac.yaml');
const LIST_ONLY_RBAC = join(import.meta.dirname, 'fixtures/list-pods-rbac.yaml');

/** Polls until `lines` has `count` entries (the informer calls back asynchronously). */
async function untilLogged(lines: string[], count: number): Promise<string[]> {
  for (const deadline = Date.now() + 5000; lines.length < count;) {
    if (Date.now() > deadline) throw new Error(`expected ${count} lines, got ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return lines;
}

describe('watch-pods.ts', () => {
  let server: StartedFakeApiServer | undefined;
  let watcher: PodWatcher | undefined;
  afterEach(async () => {
    await watcher?.stop();
    await server?.close();
  });

  async function runAsPod(fixtures: string[], serviceAccount: string): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'watch-pods-'));
    // Still: the test plays the kubelet (it sets the pod Running) and asserts the exact events.
    server = await startFakeApiServer({ fixtures, root, serviceAccount, cluster: false });
    Object.assign(process.env, server.env);
    return root;
  }

  it('logs the pods it finds, then each change in its namespace only', async () => {
    const root = await runAsPod([CLUSTER, WATCH_RBAC], 'shop/pod-watcher');
    const lines: string[] = [];
    watcher = await watchPods(root, (line) => lines.push(line));
    await untilLogged(lines, 2);

    // The test drives the cluster as admin, through the kubeconfig the server hands out.
    const admin = new KubeConfig();
    admin.loadFromString(server!.kubeconfig);
    const core = admin.makeApiClient(CoreV1Api);
    const container = { name: 'search', image: 'registry.example.com/shop/search:1.0.0' };
    await core.createNamespacedPod({
      namespace: 'billing',
      body: { metadata: { name: 'invoice' }, spec: { containers: [container] } },
    });
    await core.createNamespacedPod({
      namespace: 'shop',
      body: { metadata: { name: 'search' }, spec: { containers: [container] } },
    });
    const search = await core.readNamespacedPod({ name: 'search', namespace: 'shop' });
    await core.replaceNamespacedPodStatus({
      name: 'search',
      namespace: 'shop',
      body: { ...search, status: { ...search.status, phase: 'Running' } },
    });
    await core.deleteNamespacedPod({ name: 'search', namespace: 'shop' });

    expect(await untilLogged(lines, 5)).toEqual([
      'ADDED cart-5f7d8c9b4-k2x7p Running',
      'ADDED checkout-6c9d7b8f5-q4m2z Pending',
      'ADDED search Pending',
      'MODIFIED search Running',
      'DELETED search Running',
    ]);
  });

  it('reports the 403 of its watch when the Role grants list only', async () => {
    const root = await runAsPod([CLUSTER, LIST_ONLY_RBAC], 'shop/pod-lister');
    const lines: string[] = [];
    watcher = await watchPods(root, (line) => lines.push(line));
    // client-node's Watch keeps only the status line of a failed watch; the server says why.
    expect(await untilLogged(lines, 3)).toEqual([
      'ADDED cart-5f7d8c9b4-k2x7p Running',
      'ADDED checkout-6c9d7b8f5-q4m2z Pending',
      'ERROR 403 Forbidden',
    ]);
    const [denied] = server!.authorizationDecisions({
      user: 'system:serviceaccount:shop:pod-lister',
      allowed: false,
    });
    expect(server!.explain(denied!).split('\n')[0]).toBe(
      'DENIED: system:serviceaccount:shop:pod-lister cannot watch pods in namespace "shop" (GET /api/v1/namespaces/shop/pods)',
    );
  });
});
