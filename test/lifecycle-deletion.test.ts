import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';
import { send } from './support/https-client.js';

const kubectl = kubectlBinary(33);

// The official Python client: foreground deletion waits for a blocking dependent, orphaning keeps one.
const PYTHON_GC = `
import json, sys, time
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
def cm(name, owner=None):
    meta = client.V1ObjectMeta(name=name)
    if owner is not None:
        meta.owner_references = [client.V1OwnerReference(api_version="v1", kind="ConfigMap", name=owner.metadata.name, uid=owner.metadata.uid, block_owner_deletion=True)]
    return v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=meta))
def exists(name):
    try:
        return v1.read_namespaced_config_map(name, "default")
    except ApiException as e:
        if e.status == 404:
            return None
        raise
def wait_gone(name):
    for _ in range(100):
        if exists(name) is None:
            return True
        time.sleep(0.05)
    return False
out = {}
owner = cm("py-owner")
cm("py-dep", owner)
v1.delete_namespaced_config_map("py-owner", "default", propagation_policy="Foreground")
out["foreground"] = [wait_gone("py-dep"), wait_gone("py-owner")]
owner = cm("py-owner2")
cm("py-dep2", owner)
v1.delete_namespaced_config_map("py-owner2", "default", body=client.V1DeleteOptions(propagation_policy="Orphan"))
out["orphan"] = [wait_gone("py-owner2"), exists("py-dep2").metadata.owner_references]
print(json.dumps(out))
`;

/** Polls until `check` stops throwing (the controllers run on the next turn of the event loop). */
async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('object lifecycle: finalizers, garbage collection, namespace termination, deletecollection', () => {
  let server: StartedFakeApiServer;
  let api: CoreV1Api;
  let kc: KubeConfig;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-lifecycle-'));
    server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    api = kc.makeApiClient(CoreV1Api);
  });
  afterAll(() => server?.close());

  /** DELETE as the admin, for the response body (client-node types every DELETE answer as a Status). */
  const adminDelete = (path: string, body?: unknown) =>
    send(server.url, server.caCert, {
      method: 'DELETE',
      path,
      client: adminCredentials(server.kubeconfig),
      ...(body === undefined ? {} : { body }),
    });
  const gone = async (name: string, namespace = 'default') => {
    const error = await api.readNamespacedConfigMap({ name, namespace }).catch((e: unknown) => e);
    expect((error as ApiException<unknown>).code).toBe(404);
  };
  const createConfigMap = (body: V1ConfigMap, namespace = 'default') =>
    api.createNamespacedConfigMap({ namespace, body });

  it('keeps an object with finalizers until an update removes the last one (client-node watch)', async () => {
    const created = await createConfigMap({ metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const events: { type: string; deleting: boolean; finalizers: string[] }[] = [];
    const deletedSeen = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: created.metadata?.resourceVersion, fieldSelector: 'metadata.name=held' },
          (type, obj: V1ConfigMap) => {
            events.push({
              type,
              deleting: obj.metadata?.deletionTimestamp !== undefined,
              finalizers: obj.metadata?.finalizers ?? [],
            });
            if (type === 'DELETED') resolve();
          },
          () => {},
        )
        .then((controller) => afterAll(() => controller.abort()));
    });

    const response = await adminDelete('/api/v1/namespaces/default/configmaps/held');
    expect(response.status).toBe(200);
    const marked = response.json() as { metadata: Record<string, unknown> };
    expect(marked.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.finalizers).toEqual(['example.com/hold']);
    // A second DELETE is harmless.
    await api.deleteNamespacedConfigMap({ name: 'held', namespace: 'default' });

    const current = await api.readNamespacedConfigMap({ name: 'held', namespace: 'default' });
    const added = await api
      .replaceNamespacedConfigMap({
        name: 'held',
        namespace: 'default',
        body: {
          ...current,
          metadata: { ...current.metadata, finalizers: ['example.com/hold', 'example.com/late'] },
        },
      })
      .catch((e: unknown) => e);
    expect((added as ApiException<string>).code).toBe(422);
    expect(JSON.parse((added as ApiException<string>).body).message).toBe(
      'ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/late"}',
    );

    await api.replaceNamespacedConfigMap({
      name: 'held',
      namespace: 'default',
      body: { ...current, metadata: { ...current.metadata, finalizers: [] } },
    });
    await deletedSeen;
    await gone('held');
    expect(events).toEqual([
      { type: 'MODIFIED', deleting: true, finalizers: ['example.com/hold'] },
      { type: 'DELETED', deleting: true, finalizers: ['example.com/hold'] },
    ]);
  });

  it('collects dependents in the background, in the foreground, orphans them, and collects dangling ones', async () => {
    const ownerRef = (owner: V1ConfigMap, block = false) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: owner.metadata!.name!,
      uid: owner.metadata!.uid!,
      ...(block ? { blockOwnerDeletion: true } : {}),
    });

    const owner = await createConfigMap({ metadata: { name: 'owner-bg' } });
    await createConfigMap({ metadata: { name: 'dep-bg', ownerReferences: [ownerRef(owner)] } });
    await api.deleteNamespacedConfigMap({ name: 'owner-bg', namespace: 'default' });
    await eventually(() => gone('dep-bg'));

    const fg = await createConfigMap({ metadata: { name: 'owner-fg' } });
    await createConfigMap({
      metadata: { name: 'dep-fg', ownerReferences: [ownerRef(fg, true)], finalizers: ['example.com/slow'] },
    });
    const waiting = (
      await adminDelete('/api/v1/namespaces/default/configmaps/owner-fg', {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Foreground',
      })
    ).json() as V1ConfigMap;
    expect(waiting.metadata?.finalizers).toEqual(['foregroundDeletion']);
    // The blocking dependent is being deleted but holds the owner until its own finalizer goes.
    const dependent = await eventually(async () => {
      const dep = await api.readNamespacedConfigMap({ name: 'dep-fg', namespace: 'default' });
      expect(dep.metadata?.deletionTimestamp).toBeDefined();
      return dep;
    });
    expect(
      (await api.readNamespacedConfigMap({ name: 'owner-fg', namespace: 'default' })).metadata
        ?.deletionTimestamp,
    ).toBeDefined();
    await api.replaceNamespacedConfigMap({
      name: 'dep-fg',
      namespace: 'default',
      body: { ...dependent, metadata: { ...dependent.metadata, finalizers: [] } },
    });
    await eventually(() => gone('dep-fg'));
    await eventually(() => gone('owner-fg'));

    const orphaning = await createConfigMap({ metadata: { name: 'owner-orphan' } });
    await createConfigMap({ metadata: { name: 'dep-orphan', ownerReferences: [ownerRef(orphaning)] } });
    await api.deleteNamespacedConfigMap({
      name: 'owner-orphan',
      namespace: 'default',
      propagationPolicy: 'Orphan',
    });
    await eventually(() => gone('owner-orphan'));
    const orphan = await api.readNamespacedConfigMap({ name: 'dep-orphan', namespace: 'default' });
    expect(orphan.metadata?.ownerReferences ?? []).toEqual([]);

    await createConfigMap({
      metadata: {
        name: 'dep-dangling',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never', uid: 'no-such-uid' }],
      },
    });
    await eventually(() => gone('dep-dangling'));
  });

  it('deletes a collection by label selector and answers with the list as it was', async () => {
    await createConfigMap({ metadata: { name: 'batch-1', labels: { batch: 'x' } } });
    await createConfigMap({ metadata: { name: 'batch-2', labels: { batch: 'x' } } });
    await createConfigMap({ metadata: { name: 'batch-keep', labels: { batch: 'y' } } });
    await api.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' });
    await gone('batch-1');
    await gone('batch-2');
    await api.readNamespacedConfigMap({ name: 'batch-keep', namespace: 'default' });

    await createConfigMap({ metadata: { name: 'batch-3', labels: { batch: 'z' } } });
    const listed = await adminDelete('/api/v1/namespaces/default/configmaps?labelSelector=batch%3Dz');
    expect(listed.status).toBe(200);
    expect(listed.json()).toMatchObject({
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      items: [{ metadata: { name: 'batch-3', labels: { batch: 'z' } } }],
    });
    await gone('batch-3');
  });

  it('terminates a namespace: refuses new content, waits for finalizers, then goes', async () => {
    await api.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await createConfigMap({ metadata: { name: 'plain' } }, 'doomed');
    await createConfigMap({ metadata: { name: 'sticky', finalizers: ['example.com/hold'] } }, 'doomed');
    const terminating = await api.deleteNamespace({ name: 'doomed' });
    expect((terminating as { status?: { phase?: string } }).status?.phase).toBe('Terminating');

    const refused = await createConfigMap({ metadata: { name: 'late' } }, 'doomed').catch((e: unknown) => e);
    expect((refused as ApiException<string>).code).toBe(403);
    const status = JSON.parse((refused as ApiException<string>).body);
    expect(status.message).toBe(
      'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    expect(status.details.causes).toEqual([
      {
        reason: 'NamespaceTerminating',
        message: 'namespace doomed is being terminated',
        field: 'metadata.namespace',
      },
    ]);

    const ns = await eventually(async () => {
      const read = await api.readNamespace({ name: 'doomed' });
      const condition = read.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining');
      expect(condition?.status).toBe('True');
      return read;
    });
    expect(ns.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining')?.message).toBe(
      'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    );
    expect(ns.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining')?.message).toBe(
      'Some resources are remaining: configmaps. has 1 resource instances',
    );
    await gone('plain', 'doomed');
    const sticky = await api.readNamespacedConfigMap({ name: 'sticky', namespace: 'doomed' });
    await api.replaceNamespacedConfigMap({
      name: 'sticky',
      namespace: 'doomed',
      body: { ...sticky, metadata: { ...sticky.metadata, finalizers: [] } },
    });
    await eventually(async () => {
      const error = await api.readNamespace({ name: 'doomed' }).catch((e: unknown) => e);
      expect((error as ApiException<unknown>).code).toBe(404);
    });
  });

  it('lets the finalize subresource force a Terminating namespace out, as the well-known workaround does', async () => {
    await api.createNamespace({ body: { metadata: { name: 'stuck' } } });
    await createConfigMap({ metadata: { name: 'sticky', finalizers: ['example.com/hold'] } }, 'stuck');
    await api.deleteNamespace({ name: 'stuck' });
    const ns = await api.readNamespace({ name: 'stuck' });
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    const finalized = await send(server.url, server.caCert, {
      method: 'PUT',
      path: '/api/v1/namespaces/stuck/finalize',
      client: adminCredentials(server.kubeconfig),
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stuck' }, spec: { finalizers: [] } },
    });
    expect(finalized.status).toBe(200);
    const error = await api.readNamespace({ name: 'stuck' }).catch((e: unknown) => e);
    expect((error as ApiException<unknown>).code).toBe(404);
  });

  it('deletes through the programmatic handle with the same rules', async () => {
    await server.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'handle-held', namespace: 'default', finalizers: ['example.com/hold'] },
    });
    const marked = server.delete({ kind: 'ConfigMap', namespace: 'default', name: 'handle-held' });
    expect(marked?.metadata?.deletionTimestamp).toBeDefined();
    expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'handle-held' })).toBeDefined();
  });

  it.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))(
    'collects in the foreground and orphans for the Python client',
    async () => {
      await writeFile(join(dir, 'gc.py'), PYTHON_GC);
      const result = await run('/usr/bin/python3', [join(dir, 'gc.py'), join(dir, 'kubeconfig')]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ foreground: [true, true], orphan: [true, null] });
    },
  );

  describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))('kubectl 1.33', () => {
    const kubectlAsAdmin = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);

    it('deletes every kind of a manifest with delete -f', async () => {
      const manifest = join(dir, 'several.yaml');
      await writeFile(
        manifest,
        [
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m-config\n  namespace: default\ndata:\n  a: "1"',
          'apiVersion: v1\nkind: Secret\nmetadata:\n  name: m-secret\n  namespace: default\nstringData:\n  b: "2"',
          'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: m-account\n  namespace: default',
          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: m-pod\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: nginx',
        ].join('\n---\n'),
      );
      const applied = await kubectlAsAdmin('apply', '-f', manifest);
      expect(applied.stderr).toBe('');
      const deleted = await kubectlAsAdmin('delete', '-f', manifest, '--timeout=10s');
      expect(deleted).toMatchObject({ code: 0, stderr: '' });
      expect(deleted.stdout).toContain('configmap "m-config" deleted');
      expect(deleted.stdout).toContain('pod "m-pod" deleted');
      for (const kind of ['ConfigMap', 'Secret', 'ServiceAccount', 'Pod']) {
        const name = { ConfigMap: 'm-config', Secret: 'm-secret', ServiceAccount: 'm-account', Pod: 'm-pod' }[
          kind
        ]!;
        expect(server.get({ kind, namespace: 'default', name })).toBeUndefined();
      }
    });

    it('waits with wait --for=delete until another request removes the finalizer', async () => {
      await server.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'w-pod', namespace: 'default', finalizers: ['example.com/hold'] },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      });
      const started = await kubectlAsAdmin('delete', 'pod', 'w-pod', '--wait=false');
      expect(started).toMatchObject({ code: 0, stdout: 'pod "w-pod" deleted\n' });
      const waiting = kubectlAsAdmin('wait', '--for=delete', 'pod/w-pod', '--timeout=10s');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await kubectlAsAdmin('patch', 'pod', 'w-pod', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
      const waited = await waiting;
      expect(waited.code).toBe(0);
      expect(waited.stdout).toContain('pod/w-pod condition met');
    });

    it('deletes a namespace with its contents and waits for it', async () => {
      expect((await kubectlAsAdmin('create', 'namespace', 'k-doomed')).code).toBe(0);
      expect((await kubectlAsAdmin('-n', 'k-doomed', 'create', 'configmap', 'inside')).code).toBe(0);
      const startedAt = Date.now();
      const deleted = await kubectlAsAdmin('delete', 'namespace', 'k-doomed', '--timeout=20s');
      expect(deleted).toMatchObject({ code: 0, stdout: 'namespace "k-doomed" deleted\n' });
      expect(Date.now() - startedAt).toBeLessThan(5000);
      expect(server.get({ kind: 'Namespace', name: 'k-doomed' })).toBeUndefined();
      expect(server.get({ kind: 'ConfigMap', namespace: 'k-doomed', name: 'inside' })).toBeUndefined();
    });

    it('refuses to delete default and kube-system, as NamespaceLifecycle admission does', async () => {
      for (const name of ['default', 'kube-system']) {
        const refused = await kubectlAsAdmin('delete', 'namespace', name, '--timeout=5s');
        expect(refused.code).toBe(1);
        expect(refused.stderr).toBe(
          `Error from server (Forbidden): namespaces "${name}" is forbidden: this namespace may not be deleted\n`,
        );
        expect(server.get({ kind: 'Namespace', name })?.metadata?.deletionTimestamp).toBeUndefined();
      }
    });
  });
});
