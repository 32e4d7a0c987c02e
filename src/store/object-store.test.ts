import { describe, expect, it } from 'vitest';
import { configMapKind, podKind } from '../registry/built-in-kinds.js';
import { ObjectStore } from './object-store.js';

const pod = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
});

describe('ObjectStore', () => {
  it('hands out frozen objects, so stored state cannot change by accident', () => {
    const store = new ObjectStore();
    const created = store.create(podKind, pod('a'));
    expect(Object.isFrozen(created.metadata)).toBe(true);
    expect(() => {
      (store.get(podKind, 'default', 'a')!.metadata as Record<string, unknown>).name = 'b';
    }).toThrow(TypeError);
    const updated = store.update(podKind, { ...pod('a', { x: 'y' }) });
    expect(Object.isFrozen(updated.metadata!.labels)).toBe(true);
  });

  it('issues one increasing resourceVersion across kinds, and 409 on a stale one', () => {
    const store = new ObjectStore();
    const a = store.create(podKind, pod('a'));
    const cm = store.create(configMapKind, { metadata: { name: 'c', namespace: 'default' } });
    expect(Number(cm.metadata!.resourceVersion)).toBe(Number(a.metadata!.resourceVersion) + 1);
    const stale = { ...pod('a', { x: 'y' }), metadata: { ...pod('a').metadata, resourceVersion: '0' } };
    expect(() => store.update(podKind, stale)).toThrow(/the object has been modified/);
  });

  it('reconstructs an earlier state for a paginated list, and 410 once history is gone', () => {
    const store = new ObjectStore({ historyLimit: 3 });
    store.create(podKind, pod('a'));
    const version = store.resourceVersion;
    store.create(podKind, pod('b'));
    store.delete(podKind, 'default', 'a');
    expect(store.listAt({ kind: podKind }, version).map((p) => p.metadata!.name)).toEqual(['a']);
    store.create(podKind, pod('c'));
    store.create(podKind, pod('d'));
    expect(() => store.listAt({ kind: podKind }, version)).toThrow(/too old resource version/);
  });

  it('tells a selective watch about objects entering and leaving its selector', () => {
    const store = new ObjectStore();
    store.create(podKind, pod('a'));
    const events: string[] = [];
    const watch = store.watch(
      { kind: podKind },
      store.resourceVersion,
      (obj) => obj.metadata?.labels?.app === 'web',
      (type, obj) => events.push(`${type}:${obj.metadata?.name}`),
    );
    store.update(podKind, pod('a', { app: 'web' }));
    store.update(podKind, pod('a', { app: 'db' }));
    store.create(podKind, pod('b', { app: 'web' }));
    store.delete(podKind, 'default', 'b');
    watch.stop();
    store.create(podKind, pod('c', { app: 'web' }));
    expect(events).toEqual(['ADDED:a', 'DELETED:a', 'ADDED:b', 'DELETED:b']);
  });
});
