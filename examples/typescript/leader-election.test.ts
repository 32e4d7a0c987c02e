import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoordinationV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from 'fake-apiserver';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElector, type LeaderElectionConfig } from './leader-election.js';

const CLUSTER = join(import.meta.dirname, '../fixtures/shop.yaml');
const RBAC = join(import.meta.dirname, 'fixtures/leader-election-rbac.yaml');
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Polls (the electors run on their own timers) until `done()` holds. */
async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('leader-election.ts', () => {
  let server: StartedFakeApiServer | undefined;
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    for (const elector of electors.splice(0)) elector.stop();
    await server?.close();
  });

  /** Two replicas of one deployment: the same service account, each its own identity. */
  async function startCluster() {
    const root = await mkdtemp(join(tmpdir(), 'leader-election-'));
    server = await startFakeApiServer({ fixtures: [CLUSTER, RBAC], root, serviceAccount: 'shop/leader' });
    Object.assign(process.env, server.env);
    const kc = new KubeConfig();
    kc.loadFromCluster(root);
    const admin = new KubeConfig();
    admin.loadFromString(server.kubeconfig);
    return { api: kc.makeApiClient(CoordinationV1Api), admin };
  }

  function candidate(api: CoordinationV1Api, identity: string, extra: Partial<LeaderElectionConfig> = {}) {
    const events: string[] = [];
    const elector = new LeaderElector({
      ...config(api, identity),
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => events.push('stopped'),
      ...extra,
    });
    electors.push(elector);
    return { elector, events, running: elector.run() };
  }

  it('elects one leader, keeps it while it renews, and fails over once it stops', async () => {
    const { api } = await startCluster();
    const read = () => api.readNamespacedLease({ name: 'shop-controller', namespace: 'shop' });

    const a = candidate(api, 'shop-a');
    await until('a to lead', () => a.events.includes('started'));
    const acquired = await read();
    expect(acquired.spec).toMatchObject({ holderIdentity: 'shop-a', leaseDurationSeconds: 2 });
    expect(String(acquired.spec?.acquireTime)).toMatch(MICRO_TIME);

    const b = candidate(api, 'shop-b');
    await new Promise((r) => setTimeout(r, 3000)); // longer than the lease: a keeps renewing it
    const renewed = await read();
    expect(b.events).toEqual([]);
    expect(renewed.spec?.holderIdentity).toBe('shop-a');
    expect(String(renewed.spec?.renewTime) > String(acquired.spec?.renewTime)).toBe(true);

    const stoppedAt = Date.now();
    a.elector.stop(); // a crashes: it neither renews nor releases
    await a.running;
    await until('b to lead', () => b.events.includes('started'));
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1500); // b waited for the lease to run out
    const failedOver = await read();
    expect(failedOver.spec).toMatchObject({ holderIdentity: 'shop-b', leaseTransitions: 1 });
    expect(failedOver.spec?.acquireTime).not.toBe(acquired.spec?.acquireTime);
    expect(a.events).toEqual(['started', 'stopped']);
  });

  it('lets exactly one of two simultaneous candidates win (optimistic concurrency)', async () => {
    const { api } = await startCluster();
    const a = new LeaderElector(config(api, 'shop-a'));
    const b = new LeaderElector(config(api, 'shop-b'));
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('loses the lead on the real 403 when its Role lacks update', async () => {
    const { api, admin } = await startCluster();
    await admin.makeApiClient(RbacAuthorizationV1Api).replaceNamespacedRole({
      name: 'leader',
      namespace: 'shop',
      body: {
        metadata: { name: 'leader', namespace: 'shop' },
        rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create'] }],
      },
    });
    const errors: unknown[] = [];
    const a = candidate(api, 'shop-a', { onError: (error) => errors.push(error) });
    await a.running; // created the lease, then could not renew it for renewDeadlineMs
    expect(a.events).toEqual(['started', 'stopped']);
    expect(errors[0]).toBeInstanceOf(ApiException);
    expect((errors[0] as ApiException<string>).code).toBe(403);
    expect(JSON.parse((errors[0] as ApiException<string>).body).message).toBe(
      'leases.coordination.k8s.io "shop-controller" is forbidden: User "system:serviceaccount:shop:leader" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "shop"',
    );
  });
});

/** A lease of 2 s, renewed every 200 ms: failover within a test's patience. */
function config(api: CoordinationV1Api, identity: string): LeaderElectionConfig {
  return {
    api,
    namespace: 'shop',
    lease: 'shop-controller',
    identity,
    leaseDurationSeconds: 2,
    renewDeadlineMs: 1500,
    retryPeriodMs: 200,
    onStartedLeading: () => {},
    onStoppedLeading: () => {},
  };
}
