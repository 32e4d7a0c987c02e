import { describe, expect, it } from 'vitest';
import { configMapKind } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { ObjectStore, type StoreEvent, type WatchEventType } from './object-store.js';

const configMap = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});

/** A store whose log is kept, and a watch of every ConfigMap that records what it sees. */
function setUp() {
  const logged: string[] = [];
  const store = new ObjectStore({ log: (message) => logged.push(message) });
  const seen = (events: string[]) => (type: WatchEventType, obj: KubeObject) =>
    events.push(`${type} ${obj.metadata?.name} ${obj.metadata?.resourceVersion}`);
  return { store, logged, seen };
}

// A filter that cannot evaluate one object, as a label selector could not with `metadata.labels: null`.
const failsOn = (name: string) => (obj: KubeObject) => {
  if (obj.metadata?.name === name) throw new TypeError(`cannot filter ${name}`);
  return true;
};

describe('ObjectStore fan-out', () => {
  it('a listener that throws neither fails the write nor keeps the change from the listeners after it', () => {
    const { store, logged, seen } = setUp();
    const before: string[] = [];
    const after: string[] = [];
    store.watch({ kind: configMapKind }, 0, () => true, seen(before));
    store.subscribe(() => {
      throw new Error('listener bug');
    });
    store.watch({ kind: configMapKind }, 0, () => true, seen(after));

    const created = store.create(configMapKind, configMap('a'));
    expect(created.metadata!.resourceVersion).toBe('1');
    expect(store.get(configMapKind, 'default', 'a')).toBe(created);
    store.update(configMapKind, configMap('a', { x: 'y' }));
    store.delete(configMapKind, 'default', 'a');

    const expected = ['ADDED a 1', 'MODIFIED a 2', 'DELETED a 3'];
    expect(before).toEqual(expected);
    expect(after).toEqual(expected);
    // Logged each time: the listener stays subscribed.
    expect(logged).toEqual([
      expect.stringMatching(
        /^a store listener failed on ADDED configmaps default\/a \(resourceVersion 1\): listener bug \(at /,
      ),
      expect.stringContaining('on MODIFIED configmaps default/a (resourceVersion 2): listener bug'),
      expect.stringContaining('on DELETED configmaps default/a (resourceVersion 3): listener bug'),
    ]);
  });

  it('ends a watch whose filter throws, through its onError, and the others still get the change', () => {
    const { store, logged, seen } = setUp();
    const failing: string[] = [];
    const errors: unknown[] = [];
    const other: string[] = [];
    store.watch({ kind: configMapKind }, 0, failsOn('bad'), seen(failing), (error) => errors.push(error));
    store.watch({ kind: configMapKind }, 0, () => true, seen(other));

    store.create(configMapKind, configMap('good'));
    expect(() => store.create(configMapKind, configMap('bad'))).not.toThrow();
    store.create(configMapKind, configMap('later'));

    expect(failing).toEqual(['ADDED good 1']);
    expect(errors).toEqual([new TypeError('cannot filter bad')]);
    expect(other).toEqual(['ADDED good 1', 'ADDED bad 2', 'ADDED later 3']);
    expect(store.list({ kind: configMapKind }).items).toHaveLength(3);
    expect(logged).toEqual([]);
  });

  it("keeps a controller's watch (no onError) going when it throws, and logs it", () => {
    const { store, logged, seen } = setUp();
    const events: string[] = [];
    const onEvent = seen(events);
    store.watch({ kind: configMapKind }, 0, failsOn('bad'), onEvent);
    store.create(configMapKind, configMap('bad'));
    store.create(configMapKind, configMap('good'));
    expect(events).toEqual(['ADDED good 2']);
    expect(logged).toEqual([
      expect.stringMatching(
        /^a configmaps watcher failed on ADDED configmaps default\/bad \(resourceVersion 1\): cannot filter bad/,
      ),
    ]);
  });

  it('ends a watch whose filter throws on a replayed change before it is registered', () => {
    const { store, seen } = setUp();
    store.create(configMapKind, configMap('bad'));
    store.create(configMapKind, configMap('good'));
    const events: string[] = [];
    const errors: unknown[] = [];
    const watch = store.watch({ kind: configMapKind }, 0, failsOn('bad'), seen(events), (error) =>
      errors.push(error),
    );
    store.create(configMapKind, configMap('later'));
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(() => watch.stop()).not.toThrow();
  });

  it('logs an onError that throws too, and still delivers the change to the others', () => {
    const { store, logged, seen } = setUp();
    const other: string[] = [];
    store.watch({ kind: configMapKind }, 0, failsOn('bad'), seen([]), () => {
      throw new Error('handler bug');
    });
    store.watch({ kind: configMapKind }, 0, () => true, seen(other));
    store.create(configMapKind, configMap('bad'));
    expect(other).toEqual(['ADDED bad 1']);
    expect(logged).toEqual([
      expect.stringMatching(/cannot filter bad .*; then its error handler failed: handler bug/),
    ]);
  });

  it('delivers a change made by a listener after the one it reacted to, to everyone, in order', () => {
    const { store, seen } = setUp();
    const first: string[] = [];
    const last: string[] = [];
    store.watch({ kind: configMapKind }, 0, () => true, seen(first));
    // A controller that reacts within the write, as the role aggregation controller does.
    store.subscribe((event: StoreEvent) => {
      if (event.object.metadata?.name === 'a' && event.type === 'ADDED') {
        store.create(configMapKind, configMap('derived'));
      }
    });
    store.watch({ kind: configMapKind }, 0, () => true, seen(last));
    const created = store.create(configMapKind, configMap('a'));
    expect(created.metadata!.resourceVersion).toBe('1');
    // The derived object is stored by the time the write returns.
    expect(store.get(configMapKind, 'default', 'derived')).toBeDefined();
    expect(first).toEqual(['ADDED a 1', 'ADDED derived 2']);
    expect(last).toEqual(['ADDED a 1', 'ADDED derived 2']);
  });

  it('gives a watch opened by a listener, while a change is on its way, each change once', () => {
    const { store, seen } = setUp();
    const late: string[] = [];
    let opened = false;
    store.subscribe(() => {
      if (opened) return;
      opened = true;
      store.create(configMapKind, configMap('b'));
      store.watch({ kind: configMapKind }, 0, () => true, seen(late));
    });
    store.create(configMapKind, configMap('a'));
    store.create(configMapKind, configMap('c'));
    expect(late).toEqual(['ADDED a 1', 'ADDED b 2', 'ADDED c 3']);
  });
});
