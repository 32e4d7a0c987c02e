import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from 'fake-apiserver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientAvailable, namespacesAvailable } from '../../test/support/external.js';
import { startProgram, until, type Program } from '../../test/support/program.js';
import { roleGrants } from '../../test/support/role-grants.js';
import { buildRustExamples, cargo, cargoInstalled, rustBinary } from '../../test/support/rust.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
const FIXTURES = [
  join(import.meta.dirname, '../fixtures/shop.yaml'),
  join(import.meta.dirname, '../fixtures/storefront-crd.yaml'),
  join(import.meta.dirname, 'fixtures'),
];
const STOREFRONTS = { group: 'shop.example.com', version: 'v1', namespace: 'shop', plural: 'storefronts' };

/** `kube-rs`'s `Config::incluster()` reads the serviceaccount directory at its fixed path only: the
 * programs run in `fake-apiserver run`'s sandbox, where that path is the service account's. */
describe.runIf(
  clientAvailable('Rust (cargo)', cargoInstalled) &&
    clientAvailable('user namespaces (unshare)', namespacesAvailable),
)('the Rust examples: kube-rs, in-cluster as they ship', () => {
  beforeAll(async () => {
    const seconds = await buildRustExamples();
    console.log(`Rust examples: cargo build ${seconds.toFixed(1)} s`);
  }, 1_500_000);

  let server: StartedFakeApiServer | undefined;
  let dir = '';
  const programs: Program[] = [];
  afterEach(async () => {
    // SIGTERM, which `run` passes on (a SIGKILL would leave the program running in its sandbox); a second
    // one forces a Controller whose graceful shutdown waits for a failing reconcile's requeues.
    for (const program of programs.splice(0)) {
      program.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(resolve, 3000, 'timeout'));
      if ((await Promise.race([program.exited, timeout])) === 'timeout') program.kill('SIGTERM');
      await program.exited;
    }
    await server?.close();
    server = undefined;
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rust-examples-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /**
   * Starts the shop cluster; its admin kubeconfig goes to a file, for `run --attach`. Still (no scheduler,
   * kubelet or controllers): the watcher's exact event list is about the client, and the shop has no node, so a
   * scheduler would add an Unschedulable status update to every new pod.
   */
  async function start() {
    server = await startFakeApiServer({ fixtures: FIXTURES, cluster: false });
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, server.kubeconfig);
    const admin = new KubeConfig();
    admin.loadFromString(server.kubeconfig);
    return { server, admin, kubeconfig };
  }

  /** Runs a program to its end in the sandbox, as the service account's pod would. */
  function runToEnd(name: string, serviceAccount: string, env: Record<string, string> = {}) {
    return server!.run(rustBinary(name), [], { serviceAccount, env });
  }

  /** Starts a long-running program in the sandbox (`fake-apiserver run --attach`), its output streamed. */
  function startInSandbox(
    kubeconfig: string,
    name: string,
    serviceAccount: string,
    env: Record<string, string> = {},
  ): Program {
    const args = ['run', '--attach', kubeconfig, '--service-account', serviceAccount, '--'];
    const program = startProgram(process.execPath, [CLI, ...args, rustBinary(name)], env);
    programs.push(program);
    return program;
  }

  const userOf = (serviceAccount: string) => `system:serviceaccount:${serviceAccount.replace('/', ':')}`;

  /** What the program needed is exactly its fixture's Role: nothing denied, every rule used. */
  async function expectExactly(serviceAccount: string, rbacFile: string) {
    const user = userOf(serviceAccount);
    expect(server!.authorizationDecisions({ user, allowed: false }).map((d) => server!.explain(d))).toEqual(
      [],
    );
    const fixture = await readFile(join(import.meta.dirname, 'fixtures', rbacFile), 'utf8');
    const name = serviceAccount.split('/')[1]!;
    expect(roleGrants(server!.rbacReport({ user, name }))).toEqual(roleGrants(fixture));
  }

  const removeBinding = (admin: KubeConfig, name: string) =>
    admin.makeApiClient(RbacAuthorizationV1Api).deleteNamespacedRoleBinding({ name, namespace: 'shop' });

  const replaceRole = (admin: KubeConfig, name: string, rules: V1PolicyRule[]) =>
    admin.makeApiClient(RbacAuthorizationV1Api).replaceNamespacedRole({
      name,
      namespace: 'shop',
      body: { metadata: { name, namespace: 'shop' }, rules },
    });

  /** kube-apiserver's Forbidden message, as the programs print it (`CODE REASON: MESSAGE`). */
  function forbidden(
    serviceAccount: string,
    verb: string,
    resource: string,
    { group = '', name = '', subresource = '' } = {},
  ): string {
    const qualified = group ? `${resource}.${group}` : resource;
    const named = name ? ` "${name}"` : '';
    const full = subresource ? `${resource}/${subresource}` : resource;
    return `403 Forbidden: ${qualified}${named} is forbidden: User "${userOf(serviceAccount)}" cannot ${verb} resource "${full}" in API group "${group}" in the namespace "shop"`;
  }

  it('cargo fmt finds nothing to change', async () => {
    const result = await cargo(['fmt', '--check'], 60_000);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  describe('list-pods: Config::incluster() and Api::list', () => {
    it('lists the pods of its namespace, read from the serviceaccount directory', async () => {
      await start();
      const result = await runToEnd('list-pods', 'shop/rs-pod-lister');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('cart-5f7d8c9b4-k2x7p\tRunning\ncheckout-6c9d7b8f5-q4m2z\tPending\n');
      await expectExactly('shop/rs-pod-lister', 'list-pods-rbac.yaml');
    });

    it('prints the real 403 once its RoleBinding is gone', async () => {
      const { admin } = await start();
      await removeBinding(admin, 'rs-pod-lister');
      const result = await runToEnd('list-pods', 'shop/rs-pod-lister');
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`${forbidden('shop/rs-pod-lister', 'list', 'pods')}\n`);
    });
  });

  describe('watch-pods: kube::runtime::watcher', () => {
    /** The watcher prints each pod's phase, or with METADATA=1 the kind the server sent it as. */
    async function watchAddAndDelete(
      env: Record<string, string>,
      prepare: (admin: KubeConfig) => Promise<unknown> = async () => {},
    ) {
      const detail = (phase: string) => (env.METADATA === '1' ? 'PartialObjectMetadata' : phase);
      const { admin, kubeconfig } = await start();
      await prepare(admin);
      const watcher = startInSandbox(kubeconfig, 'watch-pods', 'shop/rs-pod-watcher', {
        ...env,
        UNTIL: 'web',
      });
      await until('the initial state', () => watcher.stdout.includes('INIT_DONE'));
      const core = admin.makeApiClient(CoreV1Api);
      await core.createNamespacedPod({
        namespace: 'shop',
        body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      });
      await until('web to be added', () => watcher.stdout.includes(`APPLY\tweb\t${detail('Pending')}`));
      await core.createNamespacedPod({
        namespace: 'billing',
        body: { metadata: { name: 'invoice' }, spec: { containers: [{ name: 'invoice', image: 'nginx' }] } },
      });
      await core.deleteNamespacedPod({ name: 'web', namespace: 'shop', body: { gracePeriodSeconds: 0 } });
      expect(await watcher.exited).toBe(0);
      expect(watcher.stderr).toBe('');
      expect(watcher.stdout).toEqual([
        'watching pods in shop',
        'INIT',
        `INIT_APPLY\tcart-5f7d8c9b4-k2x7p\t${detail('Running')}`,
        `INIT_APPLY\tcheckout-6c9d7b8f5-q4m2z\t${detail('Pending')}`,
        'INIT_DONE',
        `APPLY\tweb\t${detail('Pending')}`,
        'DELETE\tweb',
      ]);
    }

    it('lists, then sees a pod added and deleted in its namespace only', async () => {
      await watchAddAndDelete({});
      await expectExactly('shop/rs-pod-watcher', 'watch-pods-rbac.yaml');
    });

    it('with streaming lists (a watch with sendInitialEvents), watch alone is enough', async () => {
      await watchAddAndDelete({ STREAMING_LIST: '1' }, (admin) =>
        replaceRole(admin, 'rs-pod-watcher', [{ apiGroups: [''], resources: ['pods'], verbs: ['watch'] }]),
      );
      expect(server!.authorizationDecisions({ user: userOf('shop/rs-pod-watcher'), allowed: false })).toEqual(
        [],
      );
    });

    it('watching PartialObjectMeta<Pod>, gets each pod as PartialObjectMetadata, listed and watched', async () => {
      await watchAddAndDelete({ METADATA: '1' });
      await expectExactly('shop/rs-pod-watcher', 'watch-pods-rbac.yaml');
    });

    it('watching PartialObjectMeta<Pod> with streaming lists, the same', async () => {
      await watchAddAndDelete({ METADATA: '1', STREAMING_LIST: '1' });
    });

    it('prints the real 403 on every retry once its RoleBinding is gone', async () => {
      const { admin, kubeconfig } = await start();
      await removeBinding(admin, 'rs-pod-watcher');
      const watcher = startInSandbox(kubeconfig, 'watch-pods', 'shop/rs-pod-watcher');
      const denied = `initial list failed: ${forbidden('shop/rs-pod-watcher', 'list', 'pods')}\n`;
      await until('two failed lists', () => watcher.stderr.startsWith(denied + denied));
      // Each retry starts the watch again: an Init event, and no object.
      expect(watcher.stdout[0]).toBe('watching pods in shop');
      expect(new Set(watcher.stdout.slice(1))).toEqual(new Set(['INIT']));
    });
  });

  describe('shop-operator: kube::runtime::Controller on a custom resource', () => {
    /** Resolves once the program prints nothing for 700 ms; a reconcile loop that never stops times out. */
    async function settles(program: Program) {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        const printed = program.stdout.length;
        await new Promise((resolve) => setTimeout(resolve, 700));
        if (program.stdout.length === printed) return;
      }
      throw new Error(`the reconciles did not stop:\n${program.stdout.join('\n')}`);
    }

    it('keeps a ConfigMap owned by each Storefront, and its status', async () => {
      const { admin, kubeconfig } = await start();
      const operator = startInSandbox(kubeconfig, 'shop-operator', 'shop/rs-shop-operator');
      await until('the start', () => operator.stdout.includes('starting in namespace shop'));
      const custom = admin.makeApiClient(CustomObjectsApi);
      const store = (await custom.createNamespacedCustomObject({
        ...STOREFRONTS,
        body: {
          apiVersion: 'shop.example.com/v1',
          kind: 'Storefront',
          metadata: { name: 'main' },
          spec: { currency: 'EUR', greeting: 'Welcome' },
        },
      })) as { metadata: { uid: string } };
      await until('the reconcile', () =>
        operator.stdout.includes('storefront shop/main status applied (generation 1)'),
      );
      expect(operator.stdout).toContain('configmap shop/main-storefront applied');
      const core = admin.makeApiClient(CoreV1Api);
      const readConfigMap = () =>
        core.readNamespacedConfigMap({ name: 'main-storefront', namespace: 'shop' });
      const configMap = await readConfigMap();
      expect(configMap.data).toEqual({ currency: 'EUR', greeting: 'Welcome' });
      expect(configMap.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'shop.example.com/v1',
          kind: 'Storefront',
          name: 'main',
          uid: store.metadata.uid,
          controller: true,
        },
      ]);
      expect(configMap.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation])).toEqual([
        ['shop-operator', 'Apply'],
      ]);

      // A change of spec is carried over; the status records the generation.
      await custom.patchNamespacedCustomObject({
        ...STOREFRONTS,
        name: 'main',
        body: [{ op: 'replace', path: '/spec/currency', value: 'CHF' }],
      });
      await until('the update', () =>
        operator.stdout.includes('storefront shop/main status applied (generation 2)'),
      );
      expect((await readConfigMap()).data).toEqual({ currency: 'CHF', greeting: 'Welcome' });
      // Its own writes trigger it again (the status, the owned ConfigMap), but those applies change nothing,
      // so the server writes nothing and sends no event: the reconciles stop.
      await settles(operator);
      const stored = (await custom.getNamespacedCustomObject({ ...STOREFRONTS, name: 'main' })) as {
        metadata: { finalizers?: string[] };
        status: unknown;
      };
      expect(stored.status).toEqual({ configMap: 'main-storefront', observedGeneration: 2 });
      // kube::runtime::finalizer added it with a JSON patch: `test /metadata/finalizers null`, then `add`.
      expect(stored.metadata.finalizers).toEqual(['shop.example.com/cleanup']);

      // The owned ConfigMap is watched (Controller::owns): deleted, it is made again.
      const applied = () =>
        operator.stdout.filter((line) => line === 'configmap shop/main-storefront applied');
      const before = applied().length;
      await core.deleteNamespacedConfigMap({ name: 'main-storefront', namespace: 'shop' });
      await until('the ConfigMap to be made again', () => applied().length > before);
      expect((await readConfigMap()).data).toEqual({ currency: 'CHF', greeting: 'Welcome' });

      // Deleting the Storefront: the operator sees it through its finalizer, removes it (a JSON patch), and the
      // garbage collector deletes the ConfigMap, following its ownerReference.
      await custom.deleteNamespacedCustomObject({ ...STOREFRONTS, name: 'main' });
      await until('the cleanup', () => operator.stdout.includes('storefront shop/main cleaned up'));
      await until(
        'the Storefront to go',
        () => !server!.get({ kind: 'Storefront', namespace: 'shop', name: 'main' }),
      );
      await until(
        'the ConfigMap to be collected',
        () => !server!.get({ kind: 'ConfigMap', namespace: 'shop', name: 'main-storefront' }),
      );

      operator.kill('SIGTERM'); // passed on by `run` to the program: Controller::shutdown_on_signal
      expect(await operator.exited).toBe(0);
      expect(operator.stdout.at(-1)).toBe('stopped');
      expect(operator.stderr).toBe('');
      await expectExactly('shop/rs-shop-operator', 'shop-operator-rbac.yaml');
    });

    it('logs the real 403 of its watch once its RoleBinding is gone', async () => {
      const { admin, kubeconfig } = await start();
      await removeBinding(admin, 'rs-shop-operator');
      const operator = startInSandbox(kubeconfig, 'shop-operator', 'shop/rs-shop-operator');
      const denied = `initial list failed: ${forbidden('shop/rs-shop-operator', 'list', 'storefronts', { group: 'shop.example.com' })}`;
      await until("the 403 of the Storefronts' watch", () => operator.stderr.includes(denied));
      const owned = `initial list failed: ${forbidden('shop/rs-shop-operator', 'list', 'configmaps')}`;
      await until("the 403 of the ConfigMaps' watch", () => operator.stderr.includes(owned));
    });

    it('fails its reconcile with the real 403 when its Role lacks patch on storefronts/status', async () => {
      const { admin, kubeconfig } = await start();
      await replaceRole(admin, 'rs-shop-operator', [
        { apiGroups: ['shop.example.com'], resources: ['storefronts'], verbs: ['list', 'watch', 'patch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch', 'patch'] },
      ]);
      const operator = startInSandbox(kubeconfig, 'shop-operator', 'shop/rs-shop-operator');
      await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        ...STOREFRONTS,
        body: { apiVersion: 'shop.example.com/v1', kind: 'Storefront', metadata: { name: 'main' }, spec: {} },
      });
      const denied = `reconcile of storefront main failed: ${forbidden(
        'shop/rs-shop-operator',
        'patch',
        'storefronts',
        {
          group: 'shop.example.com',
          name: 'main',
          subresource: 'status',
        },
      )}`;
      await until('the 403', () => operator.stderr.includes(denied));
      expect(operator.stdout).toContain('configmap shop/main-storefront applied');
    });
  });
});
