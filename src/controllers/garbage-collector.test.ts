import { describe, expect, it } from 'vitest';
import { builtInKinds, configMapKind, namespaceKind } from '../registry/built-in-kinds.js';
import { KindRegistry } from '../registry/kind-registry.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { systemClock } from '../time/clock.js';
import { ObjectStore } from '../store/object-store.js';
import { startLifecycleControllers } from './lifecycle-controllers.js';
import { namespaceConditions } from './namespace-deleter.js';

function setup() {
  const store = new ObjectStore();
  const registry = new KindRegistry(builtInKinds);
  for (const name of ['a', 'b']) {
    store.create(namespaceKind, { metadata: { name }, spec: { finalizers: ['kubernetes'] } });
  }
  const lifecycle = startLifecycleControllers({ store, registry, clock: systemClock });
  const configMap = (namespace: string, name: string, metadata: Record<string, unknown> = {}): KubeObject =>
    store.create(configMapKind, { metadata: { name, namespace, ...metadata } });
  const ref = (owner: KubeObject) => ({
    apiVersion: owner.apiVersion ?? 'v1',
    kind: 'ConfigMap',
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
  });
  return { store, lifecycle, configMap, ref };
}

describe('garbage collector', () => {
  it('takes an owner in another namespace for absent, and keeps a dependent while one owner lives', () => {
    const { store, lifecycle, configMap, ref } = setup();
    const elsewhere = configMap('b', 'owner');
    const alive = configMap('a', 'alive');
    const gone = configMap('a', 'gone');
    configMap('a', 'cross', { ownerReferences: [ref(elsewhere)] });
    configMap('a', 'shared', { ownerReferences: [ref(alive), ref(gone)] });
    store.delete(configMapKind, 'a', 'gone');
    lifecycle.settle();
    expect(store.get(configMapKind, 'a', 'cross')).toBeUndefined();
    expect(store.get(configMapKind, 'a', 'shared')?.metadata?.ownerReferences).toEqual([ref(alive)]);
    lifecycle.stop();
  });

  it('accepts a cluster-scoped owner for a namespaced dependent', () => {
    const { store, lifecycle, configMap } = setup();
    const ns = store.get(namespaceKind, '', 'b')!;
    configMap('a', 'owned-by-ns', {
      ownerReferences: [{ apiVersion: 'v1', kind: 'Namespace', name: 'b', uid: ns.metadata!.uid! }],
    });
    lifecycle.settle();
    expect(store.get(configMapKind, 'a', 'owned-by-ns')).toBeDefined();
    lifecycle.stop();
  });

  it('runs on its own on the next turn of the event loop', async () => {
    const { store, lifecycle, configMap, ref } = setup();
    const owner = configMap('a', 'owner');
    configMap('a', 'dependent', { ownerReferences: [ref(owner)] });
    store.delete(configMapKind, 'a', 'owner');
    expect(store.get(configMapKind, 'a', 'dependent')).toBeDefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.get(configMapKind, 'a', 'dependent')).toBeUndefined();
    lifecycle.stop();
  });
});

describe('namespaceConditions', () => {
  it('reports what remains as the namespace controller does', () => {
    const conditions = namespaceConditions({
      resources: new Map([
        ['configmaps.', 2],
        ['leases.coordination.k8s.io', 1],
      ]),
      finalizers: new Map([['example.com/x', 2]]),
    });
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain'],
    ]);
    expect(conditions[3]!.message).toBe(
      'Some resources are remaining: configmaps. has 2 resource instances, leases.coordination.k8s.io has 1 resource instances',
    );
  });
});
