import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAvailable, namespacesAvailable, run as runCommand } from '../../test/support/external.js';
import { go, GO_EXAMPLES_MODULE, GO_HARNESS_MODULE, goInstalled, goOrThrow } from '../../test/support/go.js';
import { startProgram, until, type Program } from '../../test/support/program.js';
import { useExampleCluster } from '../../test/support/example-cluster.js';

const FIXTURES = [
  join(import.meta.dirname, '../fixtures/shop.yaml'),
  join(import.meta.dirname, '../fixtures/storefront-crd.yaml'),
  join(import.meta.dirname, 'fixtures'),
];

describe.runIf(clientAvailable('Go', goInstalled))(
  'the Go examples: client-go and controller-runtime',
  () => {
    let bin = '';
    beforeAll(async () => {
      // Once per run: the modules of both go.mod files are downloaded (a fresh machine's cache is empty),
      // then every program is compiled into one temporary directory; `go test` below reuses the
      // compiled packages from GOCACHE.
      bin = await mkdtemp(join(tmpdir(), 'go-examples-'));
      const download =
        (await goOrThrow(['mod', 'download'], GO_HARNESS_MODULE)) +
        (await goOrThrow(['mod', 'download'], GO_EXAMPLES_MODULE));
      const build = await goOrThrow(
        ['build', '-ldflags=-s -w', '-o', `${bin}/`, './...'],
        GO_EXAMPLES_MODULE,
      );
      console.log(`Go examples: go mod download ${download.toFixed(1)} s, go build ${build.toFixed(1)} s`);
    }, 900_000);
    afterAll(() => rm(bin, { recursive: true, force: true }));

    // Still: the tests drive the pods' changes themselves and assert the exact events a watch sees.
    const cluster = useExampleCluster({
      fixtures: FIXTURES,
      rbacFixtures: join(import.meta.dirname, 'fixtures'),
      cluster: false,
    });
    const { mountFor, expectExactly } = cluster;

    function run(name: string, env: Record<string, string>): Program {
      return cluster.track(startProgram(join(bin, name), [], env));
    }

    async function removeBinding(admin: KubeConfig, name: string) {
      await admin
        .makeApiClient(RbacAuthorizationV1Api)
        .deleteNamespacedRoleBinding({ name, namespace: 'shop' });
    }

    async function replaceRole(admin: KubeConfig, name: string, rules: V1PolicyRule[]) {
      await admin.makeApiClient(RbacAuthorizationV1Api).replaceNamespacedRole({
        name,
        namespace: 'shop',
        body: { metadata: { name, namespace: 'shop' }, rules },
      });
    }

    describe('leader-election (the README program): a typed list, then resourcelock.LeaseLock', () => {
      const fast = { LEASE_DURATION: '3', RENEW_DEADLINE: '2', RETRY_PERIOD: '1' };
      const readLease = (admin: KubeConfig) =>
        admin
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: 'shop-controller', namespace: 'shop' });

      it.runIf(clientAvailable('user namespaces (unshare)', namespacesAvailable))(
        'runs unmodified under run: rest.InClusterConfig() reads the kubelet paths and 10.96.0.1',
        async () => {
          const server = await cluster.start();
          // No SA_DIR: the program's own branch that calls rest.InClusterConfig(), as in a pod.
          const result = await server.run(join(bin, 'leader-election'), [], {
            serviceAccount: 'shop/go-leader',
            env: { ...fast, IDENTITY: 'shop-a', LEAD_SECONDS: '1' },
          });
          expect(result.stderr).not.toMatch(/forbidden|error/i); // klog's leader-election lines only
          expect(result.code).toBe(0);
          expect(result.stdout.split('\n').filter((line) => line && !line.startsWith('leader: '))).toEqual([
            'cart-5f7d8c9b4-k2x7p\tRunning',
            'checkout-6c9d7b8f5-q4m2z\tPending',
            'shop-a is a candidate',
            'shop-a is leading',
            'shop-a exits while leading',
          ]);
          await expectExactly(
            'system:serviceaccount:shop:go-leader',
            'go-leader',
            'leader-election-rbac.yaml',
          );
        },
      );

      it('lists the pods; one candidate leads, the other takes over once the leader stops renewing', async () => {
        const { env, admin, user } = await mountFor('shop/go-leader');
        const a = run('leader-election', { ...env, ...fast, IDENTITY: 'shop-a', LEAD_SECONDS: '3' });
        await until('shop-a to lead', () => a.stdout.includes('shop-a is leading'));
        const acquired = await readLease(admin);
        expect(acquired.spec).toMatchObject({ holderIdentity: 'shop-a', leaseDurationSeconds: 3 });

        const b = run('leader-election', { ...env, ...fast, IDENTITY: 'shop-b' });
        await until('shop-b to follow', () => b.stdout.includes('leader: shop-a'));
        expect(await a.exited).toBe(0); // exited while leading, without releasing: a crash
        const exitedAt = Date.now();
        expect(b.stdout).not.toContain('shop-b is leading');
        await until('shop-b to lead', () => b.stdout.includes('shop-b is leading'));
        expect(Date.now() - exitedAt).toBeGreaterThan(1000); // it waited for the lease to run out

        expect((await readLease(admin)).spec).toMatchObject({
          holderIdentity: 'shop-b',
          leaseTransitions: 1,
        });
        expect(a.stdout.filter((line) => !line.startsWith('leader: '))).toEqual([
          'cart-5f7d8c9b4-k2x7p\tRunning',
          'checkout-6c9d7b8f5-q4m2z\tPending',
          'shop-a is a candidate',
          'shop-a is leading',
          'shop-a exits while leading',
        ]);
        await expectExactly(user, 'go-leader', 'leader-election-rbac.yaml');
      });

      it('on SIGTERM the leader releases the Lease, and the other candidate takes it at once', async () => {
        const { env, admin } = await mountFor('shop/go-leader');
        const slow = { LEASE_DURATION: '15', RENEW_DEADLINE: '10', RETRY_PERIOD: '0.5' };
        const a = run('leader-election', { ...env, ...slow, IDENTITY: 'shop-a' });
        await until('shop-a to lead', () => a.stdout.includes('shop-a is leading'));
        const b = run('leader-election', { ...env, ...slow, IDENTITY: 'shop-b' });
        await until('shop-b to follow', () => b.stdout.includes('leader: shop-a'));

        const stoppedAt = Date.now();
        a.kill('SIGTERM');
        expect(await a.exited).toBe(0);
        expect(a.stdout).toContain('shop-a stopped leading');
        await until('shop-b to lead', () => b.stdout.includes('shop-b is leading'), 10_000);
        expect(Date.now() - stoppedAt).toBeLessThan(10_000); // well within the 15 s lease: it was released
        expect((await readLease(admin)).spec).toMatchObject({
          holderIdentity: 'shop-b',
          leaseTransitions: 1,
        });
      });

      it('prints the real 403 and exits once its RoleBinding is gone', async () => {
        const { env, admin } = await mountFor('shop/go-leader');
        await removeBinding(admin, 'go-leader');
        const a = run('leader-election', { ...env, IDENTITY: 'shop-a' });
        expect(await a.exited).toBe(1);
        expect(a.stderr).toBe(
          'pods is forbidden: User "system:serviceaccount:shop:go-leader" cannot list resource "pods" in API group "" in the namespace "shop"\n',
        );
      });

      it('stops leading on the real 403 when its Role lacks update on leases', async () => {
        const { env, admin } = await mountFor('shop/go-leader');
        await replaceRole(admin, 'go-leader', [
          { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create'] },
        ]);
        const a = run('leader-election', { ...env, ...fast, IDENTITY: 'shop-a' });
        expect(await a.exited).toBe(1);
        expect(a.stdout).toContain('shop-a is leading'); // it created the Lease
        expect(a.stdout).toContain('shop-a stopped leading'); // and could not renew it
        expect(a.stderr).toContain(
          'leases.coordination.k8s.io "shop-controller" is forbidden: User "system:serviceaccount:shop:go-leader" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "shop"',
        );
      });

      it("is the README's client-go program, word for word", async () => {
        const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
        const section = readme.slice(readme.indexOf('#### client-go'));
        const block = /```go\n([\s\S]*?)```/.exec(section)?.[1];
        expect(block).toBe(await readFile(join(import.meta.dirname, 'leader-election/main.go'), 'utf8'));
      });
    });

    describe('watch-pods: a typed watch', () => {
      it('streams an ADDED event for each pod, then the changes', async () => {
        const { env, admin, user } = await mountFor('shop/go-pod-watcher');
        const watcher = run('watch-pods', { ...env, EVENTS: '4' });
        await until('the existing pods', () => watcher.stdout.length >= 3);
        const core = admin.makeApiClient(CoreV1Api);
        await core.createNamespacedPod({
          namespace: 'shop',
          body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        });
        await core.createNamespacedPod({
          namespace: 'billing',
          body: {
            metadata: { name: 'invoice' },
            spec: { containers: [{ name: 'invoice', image: 'nginx' }] },
          },
        });
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
        await expectExactly(user, 'go-pod-watcher', 'watch-pods-rbac.yaml');
      });

      it('prints the real 403 when its Role lacks watch', async () => {
        const { env, admin } = await mountFor('shop/go-pod-watcher');
        await replaceRole(admin, 'go-pod-watcher', [
          { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        ]);
        const watcher = run('watch-pods', env);
        expect(await watcher.exited).toBe(1);
        expect(watcher.stderr).toBe(
          'pods is forbidden: User "system:serviceaccount:shop:go-pod-watcher" cannot watch resource "pods" in API group "" in the namespace "shop"\n',
        );
      });
    });

    describe('pod-informer: a shared informer and its lister', () => {
      it('syncs, then sees adds, updates and deletes, and a server reset', async () => {
        const { env, admin, user } = await mountFor('shop/go-pod-informer');
        const informer = run('pod-informer', env);
        await until('the cache to sync', () => informer.stdout.includes('synced: 2 pods'));
        expect(informer.stdout.slice(0, 2).sort()).toEqual([
          'ADDED\tcart-5f7d8c9b4-k2x7p\tRunning',
          'ADDED\tcheckout-6c9d7b8f5-q4m2z\tPending',
        ]);
        const core = admin.makeApiClient(CoreV1Api);
        await core.createNamespacedPod({
          namespace: 'shop',
          body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        });
        await until('web to be added', () => informer.stdout.includes('ADDED\tweb\tPending'));
        const web = await core.readNamespacedPod({ name: 'web', namespace: 'shop' });
        web.metadata!.labels = { tier: 'front' };
        await core.replaceNamespacedPod({ name: 'web', namespace: 'shop', body: web });
        await until('web to be modified', () => informer.stdout.includes('MODIFIED\tweb\tPending'));
        await cluster.server.reset(); // the pod goes: the informer sees the reset as a delete
        await until('web to be deleted', () => informer.stdout.includes('DELETED\tweb'));
        informer.kill('SIGTERM');
        expect(await informer.exited).toBe(0);
        await expectExactly(user, 'go-pod-informer', 'pod-informer-rbac.yaml');
      });

      it('never syncs, logging the real 403, once its RoleBinding is gone', async () => {
        const { env, admin } = await mountFor('shop/go-pod-informer');
        await removeBinding(admin, 'go-pod-informer');
        const informer = run('pod-informer', { ...env, SYNC_TIMEOUT: '3s' });
        expect(await informer.exited).toBe(1);
        // The reflector logs it (klog, structured: the quotes escaped) and retries.
        expect(informer.stderr).toContain(
          '"Failed to watch" err="failed to list *v1.Pod: pods is forbidden: User \\"system:serviceaccount:shop:go-pod-informer\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"shop\\""',
        );
        expect(informer.stderr).toContain('the pod cache did not sync');
      });
    });

    describe('apply-config: server-side apply with apply configurations', () => {
      it('applies, meets a conflict with another field manager, forces it, and extracts what it owns', async () => {
        const { env, admin, user } = await mountFor('shop/go-configurer');
        const first = run('apply-config', { ...env, CURRENCY: 'EUR' });
        expect(await first.exited).toBe(0);
        expect(first.stdout).toEqual([
          'applied shop-settings: currency=EUR',
          'managers: [shop-config (Apply)]',
          'owned: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"shop-settings","namespace":"shop","labels":{"app.kubernetes.io/part-of":"shop"}},"data":{"currency":"EUR"}}',
        ]);

        const conflicting = run('apply-config', { ...env, CURRENCY: 'USD', FIELD_MANAGER: 'pricing' });
        expect(await conflicting.exited).toBe(1);
        expect(conflicting.stderr).toBe(
          'Apply failed with 1 conflict: conflict with "shop-config": .data.currency\n',
        );

        const forced = run('apply-config', {
          ...env,
          CURRENCY: 'USD',
          FIELD_MANAGER: 'pricing',
          FORCE: 'true',
        });
        expect(await forced.exited).toBe(0);
        expect(forced.stdout).toEqual([
          'applied shop-settings: currency=USD',
          'managers: [pricing (Apply) shop-config (Apply)]',
          'owned: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"shop-settings","namespace":"shop","labels":{"app.kubernetes.io/part-of":"shop"}},"data":{"currency":"USD"}}',
        ]);
        // shop-config keeps the label; the currency moved to pricing.
        const stored = await admin
          .makeApiClient(CoreV1Api)
          .readNamespacedConfigMap({ name: 'shop-settings', namespace: 'shop' });
        expect(stored.data).toEqual({ currency: 'USD' });
        expect(
          stored.metadata?.managedFields?.map((entry) => [
            entry.manager,
            Object.keys(entry.fieldsV1 as object),
          ]),
        ).toEqual(
          expect.arrayContaining([
            ['shop-config', ['f:metadata']], // the label, which both apply
            ['pricing', ['f:data', 'f:metadata']],
          ]),
        );
        await expectExactly(user, 'go-configurer', 'apply-config-rbac.yaml');
      });

      it('prints the real 403 when its Role lacks patch', async () => {
        const { env, admin } = await mountFor('shop/go-configurer');
        await replaceRole(admin, 'go-configurer', [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        ]);
        const applier = run('apply-config', { ...env, CURRENCY: 'EUR' });
        expect(await applier.exited).toBe(1);
        expect(applier.stderr).toBe(
          'configmaps "shop-settings" is forbidden: User "system:serviceaccount:shop:go-configurer" cannot patch resource "configmaps" in API group "" in the namespace "shop"\n',
        );
      });
    });

    describe('shop-operator: a controller-runtime manager', () => {
      it('is elected, then creates and owns a ConfigMap for each Storefront', async () => {
        const { env, admin, user } = await mountFor('shop/go-shop-operator');
        const operator = run('shop-operator', env);
        await until('the election', () => operator.stdout.includes('elected leader'));
        const custom = admin.makeApiClient(CustomObjectsApi);
        const store = (await custom.createNamespacedCustomObject({
          group: 'shop.example.com',
          version: 'v1',
          namespace: 'shop',
          plural: 'storefronts',
          body: {
            apiVersion: 'shop.example.com/v1',
            kind: 'Storefront',
            metadata: { name: 'main' },
            spec: { currency: 'EUR', greeting: 'Welcome' },
          },
        })) as { metadata: { uid: string } };
        await until('the ConfigMap', () =>
          operator.stdout.includes('storefront shop/main status updated (generation 1)'),
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
        const lease = await admin
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: 'shop-operator', namespace: 'shop' });
        expect(lease.spec?.holderIdentity).toMatch(/_/); // controller-runtime's identity: hostname_uuid

        // A change of spec is carried over to the ConfigMap; deleting the Storefront deletes the ConfigMap
        // (the garbage collector follows the ownerReference).
        await custom.patchNamespacedCustomObject({
          group: 'shop.example.com',
          version: 'v1',
          namespace: 'shop',
          plural: 'storefronts',
          name: 'main',
          body: [{ op: 'replace', path: '/spec/currency', value: 'CHF' }],
        });
        await until('the update', () =>
          operator.stdout.includes('storefront shop/main status updated (generation 2)'),
        );
        expect(operator.stdout).toContain('configmap shop/main-storefront updated');
        await custom.deleteNamespacedCustomObject({
          group: 'shop.example.com',
          version: 'v1',
          namespace: 'shop',
          plural: 'storefronts',
          name: 'main',
        });
        await until(
          'the ConfigMap to be collected',
          () => !cluster.server.get({ kind: 'ConfigMap', namespace: 'shop', name: 'main-storefront' }),
        );

        operator.kill('SIGTERM');
        expect(await operator.exited).toBe(0);
        await expectExactly(user, 'go-shop-operator', 'shop-operator-rbac.yaml');
      });

      it('logs the real 403 and is never elected once its RoleBinding is gone', async () => {
        const { env, admin } = await mountFor('shop/go-shop-operator');
        await removeBinding(admin, 'go-shop-operator');
        const operator = run('shop-operator', env);
        const forbidden =
          'error retrieving resource lock shop/shop-operator: leases.coordination.k8s.io "shop-operator" is forbidden: User "system:serviceaccount:shop:go-shop-operator" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "shop"';
        await until('the 403', () => operator.stderr.includes(forbidden));
        expect(operator.stdout).not.toContain('elected leader');
      });
    });

    describe('go test', () => {
      it('go/fakeapiserver, the Go test harness: its own tests', { timeout: 600_000 }, async () => {
        const result = await go(['test', '-count=1', './...'], GO_HARNESS_MODULE);
        expect(result.code, result.stdout + result.stderr).toBe(0);
      });

      it(
        'examples/go: the operator tested in-process on the harness, in place of envtest',
        { timeout: 600_000 },
        async () => {
          const result = await go(['test', '-count=1', './...'], GO_EXAMPLES_MODULE);
          expect(result.code, result.stdout + result.stderr).toBe(0);
        },
      );

      it('gofmt and go vet find nothing in either module', { timeout: 600_000 }, async () => {
        for (const module of [GO_HARNESS_MODULE, GO_EXAMPLES_MODULE]) {
          const gofmt = await runCommand('gofmt', ['-l', '.'], { cwd: module });
          expect(gofmt).toEqual({ code: 0, stdout: '', stderr: '' });
          const vet = await go(['vet', './...'], module);
          expect(vet.code, vet.stdout + vet.stderr).toBe(0);
        }
      });
    });
  },
);
