import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { configMapKind, namespaceKind, podKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { ObjectStore, type Scope, type StoreSnapshot, type WatchEventType } from './object-store.js';

// Property test of the store on its own: random create/update/delete/replaceAll sequences, after each of
// which list, get, listAt and every watch must tell the same story as a plain model of the objects.

const kinds: readonly ResourceKind[] = [configMapKind, podKind, namespaceKind];
const HISTORY_LIMIT = 25;

type Op =
  | { op: 'create'; kind: number; namespace: string; name: string; app: string }
  | {
      op: 'update';
      kind: number;
      namespace: string;
      name: string;
      app: string;
      version: 'none' | 'current' | 'stale';
    }
  | {
      op: 'delete';
      kind: number;
      namespace: string;
      name: string;
      precondition: 'none' | 'current' | 'stale';
    }
  | { op: 'snapshot' }
  | { op: 'replaceAll'; which: number };

const namespaceArb = fc.constantFrom('default', 'team-a', 'team-b');
const nameArb = fc.constantFrom('a', 'b', 'c', 'd');
const appArb = fc.constantFrom('web', 'db', '');
const kindArb = fc.integer({ min: 0, max: kinds.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      kind: kindArb,
      namespace: namespaceArb,
      name: nameArb,
      app: appArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('update' as const),
      kind: kindArb,
      namespace: namespaceArb,
      name: nameArb,
      app: appArb,
      version: fc.constantFrom('none' as const, 'current' as const, 'stale' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      kind: kindArb,
      namespace: namespaceArb,
      name: nameArb,
      precondition: fc.constantFrom('none' as const, 'current' as const, 'stale' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('snapshot' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('replaceAll' as const), which: fc.nat() }) },
);

const keyOf = (obj: KubeObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
const isWeb = (obj: KubeObject): boolean => obj.metadata?.labels?.app === 'web';

/** What a client keeps from a watch: the objects by key, and every resourceVersion it was told, in order. */
class WatchFold {
  readonly state = new Map<string, KubeObject>();
  readonly versions: number[] = [];
  apply(type: WatchEventType, obj: KubeObject): void {
    this.versions.push(Number(obj.metadata!.resourceVersion));
    if (type === 'DELETED') {
      expect(this.state.has(keyOf(obj)), `DELETED for an object the watch never had: ${keyOf(obj)}`).toBe(
        true,
      );
      this.state.delete(keyOf(obj));
    } else {
      expect(this.state.has(keyOf(obj)), `${type} for ${keyOf(obj)}`).toBe(type === 'MODIFIED');
      this.state.set(keyOf(obj), obj);
    }
  }
  sorted(): KubeObject[] {
    return [...this.state.keys()].sort().map((key) => this.state.get(key)!);
  }
}

function expectApiError(action: () => unknown, code: number): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

function runSequence(ops: readonly Op[]): void {
  const store = new ObjectStore({ historyLimit: HISTORY_LIMIT });
  const model = kinds.map(() => new Map<string, KubeObject>());
  const snapshots: StoreSnapshot[] = [];
  // What a full list of each kind looked like at each version, to check listAt against.
  const history = new Map<number, KubeObject[][]>([[0, kinds.map(() => [])]]);
  const allWatches = kinds.map((kind) => {
    const fold = new WatchFold();
    store.watch(
      { kind },
      0,
      () => true,
      (type, obj) => fold.apply(type, obj),
    );
    return fold;
  });
  const webWatches = kinds.map((kind) => {
    const fold = new WatchFold();
    const scope: Scope = kind.namespaced ? { kind, namespace: 'default' } : { kind };
    store.watch(scope, 0, isWeb, (type, obj) => fold.apply(type, obj));
    return fold;
  });
  // Watches that start part way, replaying from history: opened at the sequence's midpoint.
  let lateWatches: WatchFold[] | undefined;

  ops.forEach((op, step) => {
    const before = store.resourceVersion;
    let changed = false;
    if (op.op === 'snapshot') {
      snapshots.push(store.snapshot());
    } else if (op.op === 'replaceAll') {
      if (snapshots.length === 0) return;
      const snapshot = snapshots[op.which % snapshots.length]!;
      const events = store.replaceAll(snapshot);
      changed = events.length > 0;
      kinds.forEach((kind, i) => {
        const bucket = snapshot.buckets.get(`${kind.group}/${kind.resource}`);
        const restored = new Map<string, KubeObject>();
        for (const original of bucket?.values() ?? []) {
          const now = store.get(kind, original.metadata!.namespace ?? '', original.metadata!.name!)!;
          // Back as it was (uid, creationTimestamp, labels), under a new resourceVersion.
          expect({ ...now, metadata: { ...now.metadata, resourceVersion: '' } }).toEqual({
            ...original,
            metadata: { ...original.metadata, resourceVersion: '' },
          });
          restored.set(keyOf(now), now);
        }
        model[i] = restored;
      });
    } else {
      const kind = kinds[op.kind]!;
      const namespace = kind.namespaced ? op.namespace : '';
      const key = `${namespace}/${op.name}`;
      const current = model[op.kind]!.get(key);
      const labels = op.op !== 'delete' && op.app ? { app: op.app } : undefined;
      const input: KubeObject = {
        metadata: { name: op.name, ...(kind.namespaced ? { namespace } : {}), ...(labels ? { labels } : {}) },
      };
      if (op.op === 'create') {
        if (current) return expectApiError(() => store.create(kind, input), 409);
        const created = store.create(kind, input);
        model[op.kind]!.set(key, created);
        changed = true;
      } else if (op.op === 'update') {
        if (current && op.version !== 'none') {
          input.metadata!.resourceVersion =
            op.version === 'current'
              ? current.metadata!.resourceVersion
              : String(Number(current.metadata!.resourceVersion) - 1);
        }
        if (!current) return expectApiError(() => store.update(kind, input), 404);
        if (op.version === 'stale') return expectApiError(() => store.update(kind, input), 409);
        const updated = store.update(kind, input);
        expect(updated.metadata!.uid).toBe(current.metadata!.uid);
        changed = updated !== current;
        model[op.kind]!.set(key, updated);
      } else {
        if (!current) return expectApiError(() => store.delete(kind, namespace, op.name), 404);
        const resourceVersion =
          op.precondition === 'current'
            ? current.metadata!.resourceVersion
            : op.precondition === 'stale'
              ? '1'
              : undefined;
        if (resourceVersion && resourceVersion !== current.metadata!.resourceVersion) {
          return expectApiError(
            () => store.delete(kind, namespace, op.name, { preconditions: { resourceVersion } }),
            409,
          );
        }
        const last = store.delete(kind, namespace, op.name, { preconditions: { resourceVersion } });
        expect(Number(last.metadata!.resourceVersion)).toBe(store.resourceVersion);
        model[op.kind]!.delete(key);
        changed = true;
      }
    }

    // resourceVersion: strictly increasing with every change, still otherwise.
    if (changed) expect(store.resourceVersion).toBeGreaterThan(before);
    else expect(store.resourceVersion).toBe(before);

    kinds.forEach((kind, i) => {
      const expected = [...model[i]!.keys()].sort().map((key) => model[i]!.get(key)!);
      const { items, resourceVersion } = store.list({ kind });
      expect(resourceVersion).toBe(store.resourceVersion);
      expect(items).toEqual(expected);
      expect(new Set(items.map(keyOf)).size).toBe(items.length);
      for (const obj of items) {
        expect(store.get(kind, obj.metadata!.namespace ?? '', obj.metadata!.name!)).toBe(obj);
        expect(Number(obj.metadata!.resourceVersion)).toBeLessThanOrEqual(store.resourceVersion);
      }
      if (kind.namespaced) {
        expect(store.list({ kind, namespace: 'team-a' }).items).toEqual(
          expected.filter((o) => o.metadata!.namespace === 'team-a'),
        );
      }
      // Every watch has seen exactly the changes so far, in resourceVersion order and once each.
      const all = allWatches[i]!;
      expect(all.sorted()).toEqual(expected);
      expect(all.versions).toEqual([...new Set(all.versions)].sort((a, b) => a - b));
      const web = webWatches[i]!;
      const expectedWeb = expected.filter(
        (o) => isWeb(o) && (!kind.namespaced || o.metadata!.namespace === 'default'),
      );
      expect(web.sorted()).toEqual(expectedWeb);
      expect(web.versions).toEqual([...web.versions].sort((a, b) => a - b));
      if (lateWatches) expect(lateWatches[i]!.sorted()).toEqual(expected);
    });
    if (changed)
      history.set(
        store.resourceVersion,
        kinds.map((kind) => store.list({ kind }).items),
      );

    // listAt reconstructs every earlier version the history still reaches, and 410s older ones.
    for (const [version, lists] of history) {
      if (version < store.oldestWatchableVersion) {
        expectApiError(() => store.listAt({ kind: configMapKind }, version), 410);
        history.delete(version);
        continue;
      }
      kinds.forEach((kind, i) => expect(store.listAt({ kind } satisfies Scope, version)).toEqual(lists[i]));
    }

    if (step === Math.floor(ops.length / 2)) {
      // The oldest version still reachable: the watch replays all of the history it keeps.
      const since = store.oldestWatchableVersion;
      lateWatches = kinds.map((kind) => {
        const fold = new WatchFold();
        for (const obj of store.listAt({ kind }, since)) fold.state.set(keyOf(obj), obj);
        store.watch(
          { kind },
          since,
          () => true,
          (type, obj) => fold.apply(type, obj),
        );
        return fold;
      });
      kinds.forEach((kind, i) => expect(lateWatches![i]!.sorted()).toEqual(store.list({ kind }).items));
      expectApiError(
        () =>
          store.watch(
            { kind: podKind },
            since - 1,
            () => true,
            () => {},
          ),
        410,
      );
    }
  });
}

describe('ObjectStore properties', () => {
  it('keeps list, get, listAt and watches consistent through random create/update/delete/replaceAll', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => runSequence(ops)),
      { numRuns: 200 },
    );
  });

  it('the model check catches a lost watch event', () => {
    // Guards the property itself: a fold that missed an event no longer matches the list.
    const fold = new WatchFold();
    const store = new ObjectStore();
    store.watch(
      { kind: configMapKind },
      0,
      () => true,
      (type, obj) => {
        if (obj.metadata!.name !== 'b') fold.apply(type, obj);
      },
    );
    store.create(configMapKind, { metadata: { name: 'a', namespace: 'default' } });
    store.create(configMapKind, { metadata: { name: 'b', namespace: 'default' } });
    expect(fold.sorted()).not.toEqual(store.list({ kind: configMapKind }).items);
  });
});
