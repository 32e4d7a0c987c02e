import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientAvailable, pythonClientInstalled, run } from '../../test/support/external.js';
import { useExampleCluster } from '../../test/support/example-cluster.js';
import { startProgram, until, type Program } from '../../test/support/program.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEBIAN_PYTHON = '/usr/bin/python3';
const FIXTURES = [
  join(ROOT, 'examples/fixtures/shop.yaml'),
  join(ROOT, 'examples/fixtures/storefront-crd.yaml'),
  join(import.meta.dirname, 'fixtures'),
];
const CREATE_WEB = { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

/** The venv module is what scripts/python-venv.sh needs; the packages come from PyPI. */
const venvPossible = () =>
  spawnSync(DEBIAN_PYTHON, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0;

describe.runIf(clientAvailable('Python venv', venvPossible))(
  'Python from PyPI: the newest official client, kopf, and the pytest plugin',
  () => {
    let python = '';
    beforeAll(async () => {
      // Once per run (and kept in .cache/python-venv between local runs): scripts/python-venv.sh installs
      // python/requirements.txt and the plugin.
      const started = Date.now();
      const result = await run('bash', [join(ROOT, 'scripts/python-venv.sh')], { timeoutMs: 600_000 });
      if (result.code !== 0) throw new Error(`scripts/python-venv.sh failed:\n${result.stderr}`);
      python = result.stdout.trim().split('\n').pop()!;
      console.log(`Python venv: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, 900_000);

    // Still: the tests drive the pods' changes themselves and assert the exact events a watch sees.
    const cluster = useExampleCluster({
      fixtures: FIXTURES,
      rbacFixtures: join(import.meta.dirname, 'fixtures'),
      cluster: false,
    });
    const { mountFor, expectExactly } = cluster;

    function runScript(interpreter: string, script: string, env: Record<string, string>): Program {
      return cluster.track(
        startProgram(interpreter, [join(import.meta.dirname, script)], {
          ...env,
          PYTHONDONTWRITEBYTECODE: '1',
          PYTHONUNBUFFERED: '1',
        }),
      );
    }

    async function replaceRole(admin: KubeConfig, name: string, rules: V1PolicyRule[]) {
      await admin.makeApiClient(RbacAuthorizationV1Api).replaceNamespacedRole({
        name,
        namespace: 'shop',
        body: { metadata: { name, namespace: 'shop' }, rules },
      });
    }

    it('the venv has the newest client, beside Debian’s 22.6', async () => {
      const version = await run(python, [
        '-c',
        'import kubernetes, kopf; print(kubernetes.__version__, kopf.__version__)',
      ]);
      expect(version.stdout.trim()).toBe('37.0.3 1.45.2');
      if (pythonClientInstalled()) {
        const debian = await run(DEBIAN_PYTHON, ['-c', 'import kubernetes; print(kubernetes.__version__)']);
        expect(debian.stdout.trim()).toMatch(/^22\.6\./);
      }
    });

    it('list_pods.py with the newest client lists the pods, and gets the real 403 without its binding', async () => {
      const { env, admin } = await mountFor('shop/py-pod-lister');
      const lister = runScript(python, 'list_pods.py', env);
      expect(await lister.exited).toBe(0);
      expect(lister.stdout).toEqual(['cart-5f7d8c9b4-k2x7p\tRunning', 'checkout-6c9d7b8f5-q4m2z\tPending']);

      await admin
        .makeApiClient(RbacAuthorizationV1Api)
        .deleteNamespacedRoleBinding({ name: 'py-pod-lister', namespace: 'shop' });
      const denied = runScript(python, 'list_pods.py', env);
      expect(await denied.exited).toBe(1);
      expect(denied.stderr).toBe(
        'error 403: pods is forbidden: User "system:serviceaccount:shop:py-pod-lister" cannot list resource "pods" in API group "" in the namespace "shop"\n',
      );
    });

    const interpreters = [
      { client: 'the newest client (PyPI)', interpreter: () => python },
      ...(pythonClientInstalled() || process.env.CI
        ? [{ client: 'Debian’s 22.6', interpreter: () => DEBIAN_PYTHON }]
        : []),
    ];
    it.each(interpreters)(
      'watch_pods.py with $client: ADDED for each pod, then the changes',
      async ({ interpreter }) => {
        const { env, admin, user } = await mountFor('shop/py-pod-watcher');
        const watcher = runScript(interpreter(), 'watch_pods.py', { ...env, EVENTS: '4' });
        await until('the existing pods', () => watcher.stdout.length >= 3);
        const core = admin.makeApiClient(CoreV1Api);
        await core.createNamespacedPod({ namespace: 'shop', body: CREATE_WEB });
        await core.createNamespacedPod({ namespace: 'billing', body: CREATE_WEB });
        await core.deleteNamespacedPod({
          name: 'cart-5f7d8c9b4-k2x7p',
          namespace: 'shop',
          body: { gracePeriodSeconds: 0 },
        });
        expect(await watcher.exited).toBe(0);
        expect(watcher.stdout).toEqual([
          'watching pods in shop',
          'ADDED\tcart-5f7d8c9b4-k2x7p\tRunning',
          'ADDED\tcheckout-6c9d7b8f5-q4m2z\tPending',
          'ADDED\tweb\tPending',
          'DELETED\tcart-5f7d8c9b4-k2x7p\tRunning',
        ]);
        await expectExactly(user, 'py-pod-watcher', 'watch-pods-rbac.yaml');
      },
    );

    it('watch_pods.py prints the real 403 when its Role lacks watch', async () => {
      const { env, admin } = await mountFor('shop/py-pod-watcher');
      await replaceRole(admin, 'py-pod-watcher', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
      const watcher = runScript(python, 'watch_pods.py', env);
      expect(await watcher.exited).toBe(1);
      expect(watcher.stderr).toBe(
        'error 403: pods is forbidden: User "system:serviceaccount:shop:py-pod-watcher" cannot watch resource "pods" in API group "" in the namespace "shop"\n',
      );
    });

    describe('leader_election_lease.py: kubernetes.leaderelection with its LeaseLock', () => {
      const election = { LEASE_DURATION: '3', RENEW_DEADLINE: '2', RETRY_PERIOD: '1' };
      const readLease = (admin: KubeConfig) =>
        admin
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: 'shop-controller', namespace: 'shop' });

      it('one leads on a Lease; the other takes over once the leader stops renewing', async () => {
        const { env, admin, user } = await mountFor('shop/py-lease-leader');
        const a = runScript(python, 'leader_election_lease.py', {
          ...env,
          ...election,
          IDENTITY: 'shop-a',
          LEAD_SECONDS: '3',
        });
        await until('shop-a to lead', () => a.stdout.includes('shop-a is leading'));
        const acquired = (await readLease(admin)).spec!;
        expect(acquired).toMatchObject({ holderIdentity: 'shop-a', leaseDurationSeconds: 3 });
        const b = runScript(python, 'leader_election_lease.py', { ...env, ...election, IDENTITY: 'shop-b' });
        expect(await a.exited).toBe(0);
        const exitedAt = Date.now();
        expect(b.stdout).not.toContain('shop-b is leading'); // a led until it exited
        await until('shop-b to lead', () => b.stdout.includes('shop-b is leading'));
        expect(Date.now() - exitedAt).toBeGreaterThan(500); // it waited for the lease to run out
        const taken = (await readLease(admin)).spec!;
        expect(taken.holderIdentity).toBe('shop-b');
        expect(taken.acquireTime).not.toEqual(acquired.acquireTime);
        // Unlike client-go's, the Python client's LeaseLock does not count leaseTransitions.
        expect(taken.leaseTransitions).toBeUndefined();
        expect(a.stdout).toEqual([
          'shop-a is a candidate',
          'shop-a is leading',
          'shop-a exits while leading',
        ]);
        await expectExactly(user, 'py-lease-leader', 'leader-election-lease-rbac.yaml');
      });

      it('stops leading on the real 403 when its Role lacks update', async () => {
        const { env, admin } = await mountFor('shop/py-lease-leader');
        await replaceRole(admin, 'py-lease-leader', [
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create'] },
        ]);
        const a = runScript(python, 'leader_election_lease.py', { ...env, ...election, IDENTITY: 'shop-a' });
        expect(await a.exited).toBe(1);
        expect(a.stdout).toEqual(['shop-a is a candidate', 'shop-a is leading', 'shop-a stopped leading']);
        expect(a.stderr).toContain(
          'leases.coordination.k8s.io \\"shop-controller\\" is forbidden: User \\"system:serviceaccount:shop:py-lease-leader\\" cannot update resource \\"leases\\" in API group \\"coordination.k8s.io\\" in the namespace \\"shop\\"',
        );
      });
    });

    describe('kopf_operator.py: a kopf operator', () => {
      const storefronts = {
        group: 'shop.example.com',
        version: 'v1',
        namespace: 'shop',
        plural: 'storefronts',
      };

      it('creates and owns a ConfigMap for each Storefront, follows its spec, and reports in its status', async () => {
        const { env, admin, user } = await mountFor('shop/py-kopf-operator');
        const operator = runScript(python, 'kopf_operator.py', env);
        await until('the operator', () => operator.stdout.includes('operator started in namespace shop'));
        const custom = admin.makeApiClient(CustomObjectsApi);
        const store = (await custom.createNamespacedCustomObject({
          ...storefronts,
          body: {
            apiVersion: 'shop.example.com/v1',
            kind: 'Storefront',
            metadata: { name: 'main' },
            spec: { currency: 'EUR', greeting: 'Welcome' },
          },
        })) as { metadata: { uid: string } };
        await until('the reconcile', () =>
          operator.stdout.includes('storefront shop/main reconciled (generation 1)'),
        );
        expect(operator.stdout).toContain('configmap shop/main-storefront created');
        const configMap = await admin
          .makeApiClient(CoreV1Api)
          .readNamespacedConfigMap({ name: 'main-storefront', namespace: 'shop' });
        expect(configMap.data).toEqual({ currency: 'EUR', greeting: 'Welcome' });
        expect(configMap.metadata?.ownerReferences).toEqual([
          {
            apiVersion: 'shop.example.com/v1',
            kind: 'Storefront',
            name: 'main',
            uid: store.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ]);

        await custom.patchNamespacedCustomObject({
          ...storefronts,
          name: 'main',
          body: [{ op: 'replace', path: '/spec/currency', value: 'CHF' }],
        });
        await until('the update', () =>
          operator.stdout.includes('storefront shop/main reconciled (generation 2)'),
        );
        expect(operator.stdout).toContain('configmap shop/main-storefront updated');
        await until('the status', () => {
          const stored = cluster.server.get({
            kind: 'Storefront',
            namespace: 'shop',
            name: 'main',
          });
          return (
            (stored as { status?: { observedGeneration?: number } } | undefined)?.status
              ?.observedGeneration === 2
          );
        });
        expect(cluster.server.get({ kind: 'Storefront', namespace: 'shop', name: 'main' })).toMatchObject({
          status: { configMap: 'main-storefront', observedGeneration: 2 },
        });

        await custom.deleteNamespacedCustomObject({ ...storefronts, name: 'main' });
        await until(
          'the ConfigMap to be collected',
          () => !cluster.server.get({ kind: 'ConfigMap', namespace: 'shop', name: 'main-storefront' }),
        );
        operator.kill('SIGTERM');
        await operator.exited;
        await expectExactly(user, 'py-kopf-operator', 'kopf-operator-rbac.yaml');
      });

      it('logs the real 403 once its RoleBinding is gone', async () => {
        const { env, admin } = await mountFor('shop/py-kopf-operator');
        await admin
          .makeApiClient(RbacAuthorizationV1Api)
          .deleteNamespacedRoleBinding({ name: 'py-kopf-operator', namespace: 'shop' });
        const operator = runScript(python, 'kopf_operator.py', env);
        await until('the 403', () =>
          operator.stderr.includes(
            'storefronts.shop.example.com is forbidden: User "system:serviceaccount:shop:py-kopf-operator" cannot list resource "storefronts" in API group "shop.example.com" in the namespace "shop"',
          ),
        );
      });
    });

    it('the pytest plugin (python/pytest-fake-apiserver): its own tests', { timeout: 300_000 }, async () => {
      const result = await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
        cwd: join(ROOT, 'python/pytest-fake-apiserver'),
        env: {
          ...process.env,
          PYTHONDONTWRITEBYTECODE: '1',
          KUBERNETES_SERVICE_HOST: '',
          KUBERNETES_SERVICE_PORT: '',
        },
        timeoutMs: 300_000,
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\b7 passed\b/);
    });
  },
);
