import { describe, expect, it } from 'vitest';
import { configMapKind, namespaceKind, podKind } from '../registry/built-in-kinds.js';
import { ObjectStore } from './object-store.js';

const pod = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
});

function names(store: ObjectStore): string[] {
  return store.list({ kind: podKind }).items.map((p) => p.metadata!.name!);
}

describe('ObjectStore snapshot and replaceAll', () => {
  it('returns to the snapshot as DELETED, ADDED and MODIFIED events with new, increasing versions', () => {
    const store = new ObjectStore();
    const kept = store.create(podKind, pod('kept'));
    const changed = store.create(podKind, pod('changed', { v: '1' }));
    const removed = store.create(podKind, pod('removed'));
    const snapshot = store.snapshot();

    store.update(podKind, pod('changed', { v: '2' }));
    store.delete(podKind, 'default', 'removed');
    store.create(podKind, pod('added'));
    const before = store.resourceVersion;
    const seen: string[] = [];
    store.watch(
      { kind: podKind },
      before,
      () => true,
      (type, obj) => seen.push(`${type}:${obj.metadata!.name}:${obj.metadata!.resourceVersion}`),
    );

    const events = store.replaceAll(snapshot);

    expect(seen).toEqual([
      `DELETED:added:${before + 1}`,
      `MODIFIED:changed:${before + 2}`,
      `ADDED:removed:${before + 3}`,
    ]);
    expect(events.map((e) => e.resourceVersion)).toEqual([before + 1, before + 2, before + 3]);
    expect(store.resourceVersion).toBe(before + 3);
    expect(names(store)).toEqual(['changed', 'kept', 'removed']);
    expect(store.get(podKind, 'default', 'kept')).toBe(kept);
    const restored = store.get(podKind, 'default', 'changed')!;
    expect(restored.metadata!.labels).toEqual({ v: '1' });
    expect(restored.metadata!.uid).toBe(changed.metadata!.uid);
    expect(restored.metadata!.resourceVersion).toBe(String(before + 2));
    expect(Object.isFrozen(restored.metadata)).toBe(true);
    const back = store.get(podKind, 'default', 'removed')!;
    expect(back.metadata!.uid).toBe(removed.metadata!.uid);
    expect(back.metadata!.creationTimestamp).toBe(removed.metadata!.creationTimestamp);
  });

  it('changes nothing and issues no version when nothing changed', () => {
    const store = new ObjectStore();
    store.create(podKind, pod('a'));
    const snapshot = store.snapshot();
    const version = store.resourceVersion;
    expect(store.replaceAll(snapshot)).toEqual([]);
    expect(store.resourceVersion).toBe(version);
  });

  it('leaves an object changed and changed back alone, whatever its resourceVersion', () => {
    const store = new ObjectStore();
    store.create(podKind, pod('a', { v: '1' }));
    const snapshot = store.snapshot();
    store.update(podKind, pod('a', { v: '2' }));
    const changedBack = store.update(podKind, pod('a', { v: '1' }));
    expect(store.replaceAll(snapshot)).toEqual([]);
    expect(store.get(podKind, 'default', 'a')).toBe(changedBack);
  });

  it('covers every kind, including ones first created after the snapshot', () => {
    const store = new ObjectStore();
    store.create(namespaceKind, { metadata: { name: 'default' } });
    const snapshot = store.snapshot();
    store.create(configMapKind, { metadata: { name: 'c', namespace: 'default' } });
    store.create(namespaceKind, { metadata: { name: 'extra' } });
    const events = store.replaceAll(snapshot);
    expect(events.map((e) => `${e.type}:${e.kindKey}:${e.object.metadata!.name}`).sort()).toEqual([
      'DELETED:/configmaps:c',
      'DELETED:/namespaces:extra',
    ]);
    expect(store.list({ kind: configMapKind }).items).toEqual([]);
    expect(store.list({ kind: namespaceKind }).items.map((n) => n.metadata!.name)).toEqual(['default']);
  });

  it('keeps history consistent: a list at a version before the restore still reconstructs', () => {
    const store = new ObjectStore();
    store.create(podKind, pod('a'));
    const snapshot = store.snapshot();
    store.create(podKind, pod('b'));
    const withB = store.resourceVersion;
    store.replaceAll(snapshot);
    expect(store.listAt({ kind: podKind }, withB).map((p) => p.metadata!.name)).toEqual(['a', 'b']);
    expect(names(store)).toEqual(['a']);
  });

  it('hands out a snapshot that later writes do not change', () => {
    const store = new ObjectStore();
    store.create(podKind, pod('a'));
    const snapshot = store.snapshot();
    store.create(podKind, pod('b'));
    store.delete(podKind, 'default', 'a');
    expect([...snapshot.buckets.get('/pods')!.keys()]).toEqual(['default/a']);
  });
});
