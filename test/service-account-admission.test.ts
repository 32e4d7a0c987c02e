import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';

const kubectl = kubectlBinary(33);
const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

// The ServiceAccount admission plugin, as kube-apiserver 1.33 runs it on a pod's create
// (plugin/pkg/admission/serviceaccount/admission.go).
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
  'ServiceAccount admission: the kube-api-access volume, and a service account that must exist',
  () => {
    let server: StartedFakeApiServer;
    let dir: string;
    let api: CoreV1Api;
    const k = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-sa-admission-'));
      server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig'), cluster: false });
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      api = kc.makeApiClient(CoreV1Api);
    });
    afterAll(() => server?.close());

    it('mounts the projected token, CA and namespace read-only in every container and init container', async () => {
      await writeFile(
        join(dir, 'pod.yaml'),
        `apiVersion: v1
kind: Pod
metadata: {name: mounted}
spec:
  initContainers: [{name: init, image: busybox}]
  containers:
    - {name: app, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}
    - name: own
      image: nginx
      volumeMounts: [{name: data, mountPath: ${SA_PATH}}]
  volumes: [{name: data, emptyDir: {}}]
`,
      );
      expect((await k('create', '-f', join(dir, 'pod.yaml'))).stdout).toBe('pod/mounted created\n');
      const pod = JSON.parse((await k('get', 'pod', 'mounted', '-o', 'json')).stdout);
      const [data, access] = pod.spec.volumes;
      expect(data).toEqual({ name: 'data', emptyDir: {} });
      expect(access.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(access.projected).toEqual({
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
        defaultMode: 420,
      });
      const mount = { name: access.name, readOnly: true, mountPath: SA_PATH };
      expect(pod.spec.initContainers[0].volumeMounts).toEqual([mount]);
      expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, mount]);
      // A container that mounts its own volume there keeps it.
      expect(pod.spec.containers[1].volumeMounts).toEqual([{ name: 'data', mountPath: SA_PATH }]);
      expect(pod.spec.serviceAccountName).toBe('default');
    });

    it('kubectl apply of the same pod again keeps the volume admission added (it never applied it)', async () => {
      await writeFile(
        join(dir, 'applied.yaml'),
        'apiVersion: v1\nkind: Pod\nmetadata: {name: applied}\nspec: {containers: [{name: c, image: "nginx:1.27"}]}\n',
      );
      expect((await k('apply', '-f', join(dir, 'applied.yaml'))).stdout).toBe('pod/applied created\n');
      const again = await k('apply', '-f', join(dir, 'applied.yaml'));
      expect(again).toMatchObject({ code: 0, stdout: 'pod/applied unchanged\n' });
      // And server.apply() of it, a seed that replaces the pod, keeps it too.
      await server.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'applied', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] },
      });
      const pod = server.get({ kind: 'Pod', namespace: 'default', name: 'applied' }) as {
        spec: { volumes: { name: string }[]; containers: { image: string; volumeMounts: unknown[] }[] };
      };
      expect(pod.spec.containers[0]!.image).toBe('nginx:1.28');
      expect(pod.spec.volumes.map((v) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
      expect(pod.spec.containers[0]!.volumeMounts).toHaveLength(1);
    });

    it('mounts nothing when the pod or its service account turns automounting off', async () => {
      await api.createNamespacedServiceAccount({
        namespace: 'default',
        body: { metadata: { name: 'quiet' }, automountServiceAccountToken: false },
      });
      const create = (name: string, spec: Record<string, unknown>) =>
        api.createNamespacedPod({
          namespace: 'default',
          body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } },
        });
      const bySa = await create('quiet-sa', { serviceAccountName: 'quiet' });
      expect(bySa.spec?.volumes).toBeUndefined();
      expect(bySa.spec?.containers[0]!.volumeMounts).toBeUndefined();
      const byPod = await create('quiet-pod', { automountServiceAccountToken: false });
      expect(byPod.spec?.volumes).toBeUndefined();
      // The pod's own word wins over its service account's.
      const loud = await create('loud', { serviceAccountName: 'quiet', automountServiceAccountToken: true });
      expect(loud.spec?.volumes?.map((v) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
    });

    it("copies the service account's imagePullSecrets into a pod that names none", async () => {
      await api.createNamespacedServiceAccount({
        namespace: 'default',
        body: { metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'registry' }] },
      });
      const pod = await api.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'pulls' },
          spec: { serviceAccountName: 'puller', containers: [{ name: 'c', image: 'nginx' }] },
        },
      });
      expect(pod.spec?.imagePullSecrets).toEqual([{ name: 'registry' }]);
    });

    it("refuses a pod whose service account does not exist, with kube-apiserver's 403", async () => {
      const result = await k(
        'run',
        'orphan',
        '--image=nginx',
        '--overrides',
        '{"spec":{"serviceAccountName":"nope"}}',
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'Error from server (Forbidden): pods "orphan" is forbidden: error looking up service account default/nope: serviceaccount "nope" not found\n',
      );
      const error = await api
        .createNamespacedPod({
          namespace: 'default',
          body: {
            metadata: { generateName: 'worker-' },
            spec: { serviceAccountName: 'nope', containers: [{ name: 'c', image: 'nginx' }] },
          },
        })
        .catch((e: unknown) => e);
      expect((error as ApiException<string>).code).toBe(403);
      expect(JSON.parse((error as ApiException<string>).body)).toMatchObject({
        reason: 'Forbidden',
        message:
          'pods "worker-" is forbidden: error looking up service account default/nope: serviceaccount "nope" not found',
        details: { name: 'worker-', kind: 'pods' },
      });
    });
  },
);
