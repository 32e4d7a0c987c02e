import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientAvailable } from '../../test/support/external.js';
import { buildJavaExamples, javaClassPath, javaInstalled } from '../../test/support/java.js';
import { useExampleCluster } from '../../test/support/example-cluster.js';
import { startProgram, until, type Program } from '../../test/support/program.js';

const FIXTURES = [join(import.meta.dirname, '../fixtures/shop.yaml'), join(import.meta.dirname, 'fixtures')];

/** The two clients: how each finds the service account's directory, as it would in a pod. */
const CLIENTS = {
  /**
   * fabric8 configures itself in-cluster (no kubeconfig) from KUBERNETES_SERVICE_HOST/_PORT and the
   * kubelet's paths, which its own variables move: the programs call `new KubernetesClientBuilder().build()`.
   */
  fabric8: {
    name: 'fabric8 kubernetes-client 8.0.0',
    env: (dir: string): Record<string, string> => ({
      KUBERNETES_AUTH_TRYKUBECONFIG: 'false',
      KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN: join(dir, 'token'),
      KUBERNETES_CERTS_CA_FILE: join(dir, 'ca.crt'),
      KUBENAMESPACE: join(dir, 'namespace'),
    }),
  },
  /** `ClientBuilder.cluster()` reads fixed paths: the programs build the same client from SA_DIR. */
  official: {
    name: 'the official client (io.kubernetes:client-java 27.0.0)',
    env: (dir: string): Record<string, string> => ({ SA_DIR: dir }),
  },
} as const;

type Client = keyof typeof CLIENTS;

const forbidden = (client: Client, account: string, verb: string, resource: string, name?: string) =>
  `error 403 Forbidden: ${resource}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:shop:${client}-${account}" cannot ${verb} resource "${resource}" in API group "" in the namespace "shop"`;

describe.runIf(clientAvailable('Java', javaInstalled))(
  'the Java examples: fabric8 and the official client',
  // Each program is a JVM that starts in 1 to 3 s, more while the rest of the suite runs beside it.
  { timeout: 90_000 },
  () => {
    beforeAll(async () => {
      // Once per run: Maven downloads both clients into .cache/m2 (the first time), compiles both modules
      // and copies each module's dependencies beside its jar.
      console.log(`Java examples: mvn package ${(await buildJavaExamples()).toFixed(1)} s`);
    }, 900_000);

    const cluster = useExampleCluster({
      fixtures: FIXTURES,
      rbacFixtures: join(import.meta.dirname, 'fixtures'),
    });

    describe.each(Object.keys(CLIENTS) as Client[])('%s', (client) => {
      /** Starts the shop cluster and mounts `shop/<client>-<account>`'s directory, found as the client finds it. */
      const mountFor = (account: string) =>
        cluster.mountFor(`shop/${client}-${account}`, CLIENTS[client].env);

      function run(program: string, env: Record<string, string>): Program {
        const started = startProgram(
          'java',
          // C1 only and the serial collector: these programs start, make a few requests and stop.
          [
            '-XX:TieredStopAtLevel=1',
            '-XX:+UseSerialGC',
            '-cp',
            javaClassPath(client),
            `example.${client}.${program}`,
          ],
          env,
        );
        return cluster.track(started);
      }

      /** Waits for a line of the program's output; on a time-out the error shows all it printed. */
      async function untilLine(program: Program, line: string) {
        await until(`"${line}"`, () => program.stdout.includes(line)).catch((error: Error) => {
          throw new Error(
            `${error.message}\nstdout:\n${program.stdout.join('\n')}\nstderr:\n${program.stderr}`,
          );
        });
      }

      /** What the program needed is exactly its fixture's Role (`<client>-<rbacFile>`): nothing denied, every rule used. */
      const expectExactly = (user: string, account: string, rbacFile: string) =>
        cluster.expectExactly(user, `${client}-${account}`, `${client}-${rbacFile}`);

      async function removeBinding(admin: KubeConfig, account: string) {
        await admin
          .makeApiClient(RbacAuthorizationV1Api)
          .deleteNamespacedRoleBinding({ name: `${client}-${account}`, namespace: 'shop' });
      }

      describe('ListPods: a list of its namespace', () => {
        it('lists the pods of its namespace, and nothing else', async () => {
          const { env, user } = await mountFor('pod-lister');
          const lister = run('ListPods', env);
          expect(await lister.exited, lister.stderr).toBe(0);
          expect(lister.stdout).toEqual([
            'cart-5f7d8c9b4-k2x7p\tRunning',
            'checkout-6c9d7b8f5-q4m2z\tPending',
          ]);
          await expectExactly(user, 'pod-lister', 'list-pods-rbac.yaml');
        });

        it('prints the real 403 once its RoleBinding is gone', async () => {
          const { env, admin } = await mountFor('pod-lister');
          await removeBinding(admin, 'pod-lister');
          const lister = run('ListPods', env);
          expect(await lister.exited).toBe(1);
          expect(lister.stderr).toBe(`${forbidden(client, 'pod-lister', 'list', 'pods')}\n`);
        });
      });

      describe('PodInformer: an informer lists, then watches', () => {
        it('syncs, then sees adds, updates and deletes; SIGTERM stops it', async () => {
          const { env, admin, user } = await mountFor('pod-informer');
          const informer = run('PodInformer', env);
          await untilLine(informer, 'synced: 2 pods');
          expect(informer.stdout).toEqual(
            expect.arrayContaining([
              'ADDED\tcart-5f7d8c9b4-k2x7p\tRunning',
              'ADDED\tcheckout-6c9d7b8f5-q4m2z\tPending',
            ]),
          );
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
          await untilLine(informer, 'ADDED\tweb\tPending');
          const web = await core.readNamespacedPod({ name: 'web', namespace: 'shop' });
          web.metadata!.labels = { tier: 'front' };
          await core.replaceNamespacedPod({ name: 'web', namespace: 'shop', body: web });
          await untilLine(informer, 'MODIFIED\tweb\tPending');
          await core.deleteNamespacedPod({ name: 'web', namespace: 'shop', body: { gracePeriodSeconds: 0 } });
          await untilLine(informer, 'DELETED\tweb\tPending');
          informer.kill('SIGTERM');
          expect(await informer.exited).toBe(143); // the JVM's exit on SIGTERM, after its shutdown hooks
          expect(informer.stdout).toContain('informer stopped');
          expect(informer.stdout.join('\n')).not.toContain('invoice');
          await expectExactly(user, 'pod-informer', 'pod-informer-rbac.yaml');
        });

        it('gets the real 403 from its first list once its RoleBinding is gone', async () => {
          const { env, admin } = await mountFor('pod-informer');
          await removeBinding(admin, 'pod-informer');
          const informer = run('PodInformer', { ...env, SYNC_TIMEOUT: '3' });
          expect(await informer.exited).toBe(1);
          // fabric8's run() throws it; the official informer's reflector hands it to the program's exception
          // handler and retries, until the program gives up waiting for the sync.
          expect(informer.stderr).toContain(`${forbidden(client, 'pod-informer', 'list', 'pods')}\n`);
          if (client === 'official') expect(informer.stderr).toContain('the pod cache did not sync');
          expect(informer.stdout.filter((line) => line !== 'informer stopped')).toEqual([]);
        });
      });

      describe('ApplyConfig: server-side apply', () => {
        /**
         * The managers in the object the program got back: fabric8 decodes them; the official client's JSON
         * leaves managedFields out unless asked (`kubernetes.client.includeManagedFields`).
         */
        const returnedManagers = (managers: string) =>
          client === 'fabric8' ? [`managers: ${managers}`] : [];
        const readSettings = (admin: KubeConfig) =>
          admin
            .makeApiClient(CoreV1Api)
            .readNamespacedConfigMap({ name: 'shop-settings', namespace: 'shop' });
        /** Each field manager of the stored ConfigMap: its name, operation and top-level fields. */
        const managers = async (admin: KubeConfig) =>
          ((await readSettings(admin)).metadata?.managedFields ?? [])
            .map((entry) => [entry.manager, entry.operation, Object.keys(entry.fieldsV1 as object).sort()])
            .sort();

        it('applies, meets a conflict with another field manager, and forces it', async () => {
          const { env, admin, user } = await mountFor('configurer');
          const first = run('ApplyConfig', { ...env, CURRENCY: 'EUR' });
          expect(await first.exited, first.stderr).toBe(0);
          expect(first.stdout).toEqual([
            'applied shop-settings: currency=EUR',
            ...returnedManagers('shop-config (Apply)'),
          ]);
          // The official client's apply bodies carry `binaryData: {}` (its models start with empty maps and
          // lists, and send them): an empty map applied is owned, by each manager that applies it.
          const empty = client === 'official' ? ['f:binaryData'] : [];
          expect(await managers(admin)).toEqual([
            ['shop-config', 'Apply', [...empty, 'f:data', 'f:metadata']],
          ]);

          const conflicting = run('ApplyConfig', { ...env, CURRENCY: 'USD', FIELD_MANAGER: 'pricing' });
          expect(await conflicting.exited).toBe(1);
          // kube-apiserver stores the object as Go encodes it, without the empty maps, so applying them again
          // changes them: they conflict too (the oracle's "apply with empty maps by two managers" shows it).
          expect(conflicting.stderr).toBe(
            client === 'official'
              ? 'error 409 Conflict: Apply failed with 3 conflicts: conflicts with "shop-config":\n' +
                  '- .binaryData\n- .data.currency\n- .metadata.annotations\n'
              : 'error 409 Conflict: Apply failed with 1 conflict: conflict with "shop-config": .data.currency\n',
          );

          const forced = run('ApplyConfig', {
            ...env,
            CURRENCY: 'USD',
            FIELD_MANAGER: 'pricing',
            FORCE: 'true',
          });
          expect(await forced.exited, forced.stderr).toBe(0);
          expect(forced.stdout).toEqual([
            'applied shop-settings: currency=USD',
            ...returnedManagers('pricing (Apply), shop-config (Apply)'),
          ]);
          // shop-config keeps the label, which both apply; the currency (and the empty maps) moved to pricing.
          expect(await managers(admin)).toEqual([
            ['pricing', 'Apply', [...empty, 'f:data', 'f:metadata']],
            ['shop-config', 'Apply', ['f:metadata']],
          ]);
          const stored = await readSettings(admin);
          expect(stored.data).toEqual({ currency: 'USD' });
          expect(stored.metadata?.labels).toEqual({ 'app.kubernetes.io/part-of': 'shop' });
          await expectExactly(user, 'configurer', 'apply-config-rbac.yaml');
        });

        it('prints the real 403 once its RoleBinding is gone', async () => {
          const { env, admin } = await mountFor('configurer');
          await removeBinding(admin, 'configurer');
          const applier = run('ApplyConfig', { ...env, CURRENCY: 'EUR' });
          expect(await applier.exited).toBe(1);
          expect(applier.stderr).toBe(
            `${forbidden(client, 'configurer', 'patch', 'configmaps', 'shop-settings')}\n`,
          );
        });
      });
    });
  },
);
