import { describe, expect, it } from 'vitest';
import { configMapKind, namespaceKind } from '../registry/built-in-kinds.js';
import type { ResourceKind } from '../registry/resource-kind.js';
import { ObjectStore } from '../store/object-store.js';
import { deleteObject } from './delete-object.js';

const clock = { now: () => new Date('2024-05-01T10:00:00.500Z') };
const widgets: ResourceKind = {
  ...configMapKind,
  kind: 'Widget',
  resource: 'widgets',
  tracksGeneration: true,
};

function setup() {
  const store = new ObjectStore({ clock });
  store.create(namespaceKind, { metadata: { name: 'a' }, spec: { finalizers: ['kubernetes'] } });
  return { store, deps: { store, clock } };
}

describe('deleteObject', () => {
  it('marks an object with finalizers, bumping generation once, and deletes one without', () => {
    const { store, deps } = setup();
    store.create(widgets, { metadata: { name: 'w', namespace: 'a', finalizers: ['x'] }, spec: {} });
    const first = deleteObject(deps, widgets, 'a', 'w');
    expect(first.deleted).toBe(false);
    expect(first.object.metadata).toMatchObject({
      deletionTimestamp: '2024-05-01T10:00:00Z',
      deletionGracePeriodSeconds: 0,
      generation: 2,
    });
    const again = deleteObject(deps, widgets, 'a', 'w');
    expect(again.object.metadata?.resourceVersion).toBe(first.object.metadata?.resourceVersion);

    store.create(widgets, { metadata: { name: 'plain', namespace: 'a' } });
    expect(deleteObject(deps, widgets, 'a', 'plain').deleted).toBe(true);
    expect(store.get(widgets, 'a', 'plain')).toBeUndefined();
  });

  it('checks preconditions and changes nothing on a dry run', () => {
    const { store, deps } = setup();
    const created = store.create(configMapKind, { metadata: { name: 'c', namespace: 'a' } });
    expect(() => deleteObject(deps, configMapKind, 'a', 'c', { preconditions: { uid: 'other' } })).toThrow(
      `Operation cannot be fulfilled on configmaps "c": Precondition failed: UID in precondition: other, UID in object meta: ${created.metadata?.uid}`,
    );
    deleteObject(deps, configMapKind, 'a', 'c', { dryRun: true, propagationPolicy: 'Foreground' });
    expect(store.get(configMapKind, 'a', 'c')?.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('turns a namespace Terminating and keeps it while its spec finalizers remain', () => {
    const { store, deps } = setup();
    const result = deleteObject(deps, namespaceKind, '', 'a', { propagationPolicy: 'Background' });
    expect(result.deleted).toBe(false);
    expect(result.object.status).toEqual({ phase: 'Terminating' });
    expect(result.object.metadata?.deletionGracePeriodSeconds).toBeUndefined();
    expect(deleteObject(deps, namespaceKind, '', 'a').deleted).toBe(false);
    const current = store.get(namespaceKind, '', 'a')!;
    store.update(namespaceKind, { ...current, spec: { finalizers: [] } });
    expect(store.get(namespaceKind, '', 'a')).toBeUndefined();
  });
});
