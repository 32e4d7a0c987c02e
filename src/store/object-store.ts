import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  alreadyExists,
  conflict,
  expired,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
  type GroupResource,
} from '../errors/status.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { storageKeyOf } from './storage-key.js';
import { systemClock, type Clock } from '../time/clock.js';
import { SortedBucket } from './sorted-bucket.js';
import { applyDeletionRulesOnUpdate } from './update-rules.js';

/** The type of a watch event. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change recorded in the store's event log. */
export interface StoreEvent {
  type: WatchEventType;
  resourceVersion: number;
  kindKey: string;
  namespace: string;
  object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED. */
  previous?: KubeObject;
}

/** Selects which objects a list or watch sees. */
export type ObjectPredicate = (obj: KubeObject) => boolean;

/**
 * Reports a listener or watch that threw while a change was delivered: the store's `log` option, or
 * stderr when none was given.
 */
function defaultLog(message: string): void {
  process.stderr.write(`[fake-apiserver] ${message}\n`);
}

/** A registered recipient of changes; `deliver` is called with every change, in resourceVersion order. */
interface Listener {
  deliver(event: StoreEvent): void;
  /** What to do when `deliver` throws. */
  failed(error: unknown, event: StoreEvent): void;
}

/** A live watch registered with the store. */
export interface StoreWatch {
  /** Stops delivering events. Idempotent. */
  stop(): void;
}

/** Every object of a store at one moment (see `ObjectStore.snapshot`); the objects are frozen and shared. */
export interface StoreSnapshot {
  /** The store's resourceVersion when the snapshot was taken. */
  readonly resourceVersion: number;
  /** Objects by group/resource, then by `namespace/name`. */
  readonly buckets: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;
}

/** Where a list or watch looks: one namespace, or every namespace when undefined. */
export interface Scope {
  kind: ResourceKind;
  namespace?: string;
}

const DEFAULT_HISTORY = 10_000;

function kindKeyOf(kind: ResourceKind): string {
  return storageKeyOf(kind);
}

function groupResource(kind: ResourceKind): GroupResource {
  return { group: kind.group, resource: kind.resource };
}

function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The key a change's object is stored under in its kind's bucket (`namespace/name`, '' namespace if cluster-scoped). */
export function storeKeyOf(event: StoreEvent): string {
  return objectKey(event.namespace, event.object.metadata?.name ?? '');
}

/** The RFC 3339 seconds-precision timestamp the apiserver writes (`2024-01-01T00:00:00Z`). */
export function kubeTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * One store for every kind: objects keyed by group/resource, namespace and name; a single
 * monotonically increasing resourceVersion; an event log with history for watch replay and 410.
 * Objects handed in or out are copies, so callers can never change stored state by accident.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 */
export class ObjectStore {
  #resourceVersion = 0;
  readonly #objects = new Map<string, SortedBucket>();
  readonly #lastChange = new Map<string, number>();
  readonly #history: StoreEvent[] = [];
  readonly #historyLimit: number;
  readonly #listeners = new Set<Listener>();
  /** Changes recorded but not yet delivered to every listener (see `#record`). */
  readonly #undelivered: StoreEvent[] = [];
  #delivering = false;

  readonly #clock: Clock;
  readonly #onCommit: ((events: readonly StoreEvent[]) => void) | undefined;
  readonly #log: (message: string) => void;

  /**
   * @param options.initial objects (and the resourceVersion) to start from, as a restart does: kept as
   *   they are, uid and resourceVersion included; no events, no history (older versions are 410 Expired).
   * @param options.onCommit receives every change before it is applied or seen by a watcher (persistence),
   *   the changes of one `replaceAll` together; if it throws, nothing is changed and the error reaches the
   *   caller.
   * @param options.log where a watcher or listener that throws is reported (the server's log); stderr by
   *   default. The change itself stands: it is committed before anyone hears of it.
   */
  constructor(
    options: {
      historyLimit?: number;
      clock?: Clock;
      initial?: StoreSnapshot;
      onCommit?: (events: readonly StoreEvent[]) => void;
      log?: (message: string) => void;
    } = {},
  ) {
    this.#historyLimit = options.historyLimit ?? DEFAULT_HISTORY;
    this.#clock = options.clock ?? systemClock;
    this.#onCommit = options.onCommit;
    this.#log = options.log ?? defaultLog;
    if (options.initial) {
      this.#resourceVersion = options.initial.resourceVersion;
      for (const [kindKey, objects] of options.initial.buckets) {
        const bucket = new SortedBucket();
        for (const [key, obj] of objects) bucket.set(key, deepFreeze(obj));
        this.#objects.set(kindKey, bucket);
      }
    }
  }

  /** The latest resourceVersion issued. */
  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestWatchableVersion(): number {
    return this.#history.length > 0 ? this.#history[0]!.resourceVersion - 1 : this.#resourceVersion;
  }

  #bucket(kind: ResourceKind): SortedBucket {
    const key = kindKeyOf(kind);
    let bucket = this.#objects.get(key);
    if (!bucket) {
      bucket = new SortedBucket();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  /** A private copy of an incoming object, with where it is (or would be) stored. */
  #target(kind: ResourceKind, input: KubeObject) {
    const obj = structuredClone(input);
    const metadata = (obj.metadata ??= {});
    const namespace = kind.namespaced ? (metadata.namespace ?? '') : '';
    const name = metadata.name ?? '';
    return { obj, metadata, namespace, name, bucket: this.#bucket(kind), key: objectKey(namespace, name) };
  }

  /** One object (deeply frozen: clone it to change it), or undefined. */
  get(kind: ResourceKind, namespace: string, name: string): KubeObject | undefined {
    return this.#objects.get(kindKeyOf(kind))?.get(objectKey(namespace, name));
  }

  /** The objects in scope, unsorted and frozen: the cheap read for authorization and lookups. */
  *scan(scope: Scope): IterableIterator<KubeObject> {
    const bucket = this.#objects.get(kindKeyOf(scope.kind));
    if (!bucket) return;
    for (const obj of bucket.values()) {
      if (scope.namespace === undefined || obj.metadata?.namespace === scope.namespace) yield obj;
    }
  }

  /** The objects in scope (frozen) that satisfy `predicate`, sorted by namespace and name, as etcd keys sort. */
  list(scope: Scope, predicate?: ObjectPredicate): { items: KubeObject[]; resourceVersion: number } {
    const bucket = this.#objects.get(kindKeyOf(scope.kind));
    const items: KubeObject[] = [];
    if (bucket) {
      const prefix = scope.namespace === undefined ? '' : objectKey(scope.namespace, '');
      for (const obj of bucket.inOrder(prefix)) if (!predicate || predicate(obj)) items.push(obj);
    }
    return { items, resourceVersion: this.#resourceVersion };
  }

  /**
   * The objects in scope as they were at `version`, reconstructed by undoing later history: what a
   * paginated list continues from. 410 Expired when the history no longer reaches back that far.
   */
  listAt(scope: Scope, version: number, predicate?: ObjectPredicate): KubeObject[] {
    if (version >= this.#resourceVersion) return this.list(scope, predicate).items;
    if (version < this.oldestWatchableVersion) {
      throw expired(`too old resource version: ${version} (${this.oldestWatchableVersion + 1})`);
    }
    const kindKey = kindKeyOf(scope.kind);
    const state = new Map<string, KubeObject>(this.#objects.get(kindKey) ?? []);
    for (let i = this.#history.length - 1; i >= 0; i--) {
      const event = this.#history[i]!;
      if (event.resourceVersion <= version) break;
      if (event.kindKey !== kindKey) continue;
      const key = objectKey(event.namespace, event.object.metadata?.name ?? '');
      if (event.type === 'ADDED') state.delete(key);
      else state.set(key, event.previous!);
    }
    return [...state.keys()]
      .sort()
      .map((key) => state.get(key)!)
      .filter((obj) => scope.namespace === undefined || obj.metadata?.namespace === scope.namespace)
      .filter((obj) => !predicate || predicate(obj));
  }

  /**
   * Stores a new object, filling uid, creationTimestamp, resourceVersion (and generation where the
   * kind tracks it). The object must carry its final name and namespace.
   */
  create(
    kind: ResourceKind,
    input: KubeObject,
    options: { dryRun?: boolean; keepCreationTimestamp?: boolean } = {},
  ): KubeObject {
    const { obj, metadata, namespace, name, bucket, key } = this.#target(kind, input);
    if (bucket.has(key)) throw alreadyExists(groupResource(kind), name);
    metadata.uid = randomUUID();
    kind.completeWithUid?.(obj);
    if (!options.keepCreationTimestamp || typeof metadata.creationTimestamp !== 'string') {
      metadata.creationTimestamp = kubeTimestamp(this.#clock.now());
    }
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    delete metadata.selfLink;
    if (kind.tracksGeneration) metadata.generation = 1;
    if (options.dryRun) {
      // Nothing was stored, so no resourceVersion: upstream's DryRunnableStorage.Create copies the object
      // as the strategy left it, and only etcd assigns one (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/dryrun.go).
      delete metadata.resourceVersion;
      return obj;
    }
    metadata.resourceVersion = String(this.#resourceVersion + 1);
    deepFreeze(obj);
    const event: StoreEvent = {
      type: 'ADDED',
      resourceVersion: this.#resourceVersion + 1,
      kindKey: kindKeyOf(kind),
      namespace,
      object: obj,
    };
    this.#onCommit?.([event]);
    this.#resourceVersion++;
    bucket.set(key, obj);
    this.#record(event);
    return obj;
  }

  /**
   * Replaces an existing object. A `metadata.resourceVersion` in the input that differs from the stored
   * one is a 409 Conflict, as optimistic concurrency requires; uid and creationTimestamp are kept. The
   * deletion rules apply (`applyDeletionRulesOnUpdate`): an update that removes the last finalizer of an
   * object being deleted deletes it (and returns its last state); `marksDeletion` is for the deletion itself;
   * `keepGeneration` is for status writes, which never move the generation.
   */
  update(
    kind: ResourceKind,
    input: KubeObject,
    options: { dryRun?: boolean; marksDeletion?: boolean; keepGeneration?: boolean } = {},
  ): KubeObject {
    const { obj, metadata, namespace, name, bucket, key } = this.#target(kind, input);
    const current = bucket.get(key);
    if (!current) throw notFound(groupResource(kind), name);
    const currentMeta = current.metadata!;
    if (metadata.resourceVersion && metadata.resourceVersion !== currentMeta.resourceVersion) {
      throw conflict(groupResource(kind), name, OPTIMISTIC_LOCK_MESSAGE);
    }
    metadata.uid = currentMeta.uid;
    metadata.creationTimestamp = currentMeta.creationTimestamp;
    if (applyDeletionRulesOnUpdate(kind, current, obj, options.marksDeletion)) {
      return this.delete(kind, namespace, name, { dryRun: options.dryRun ?? false });
    }
    if (kind.tracksGeneration && options.keepGeneration) {
      // A status write: status strategies never move the generation.
      metadata.generation = currentMeta.generation;
    } else if (kind.tracksGeneration) {
      const generation = currentMeta.generation ?? 1;
      const changed = kind.generationChanged
        ? kind.generationChanged(obj, current)
        : !isDeepStrictEqual(obj.spec, current.spec);
      metadata.generation = changed ? generation + 1 : generation;
      // Marking for deletion bumps it too (`markAsDeleting` in the generic store).
      if (options.marksDeletion && !currentMeta.deletionTimestamp) metadata.generation += 1;
    }
    metadata.resourceVersion = currentMeta.resourceVersion;
    if (isDeepStrictEqual(obj, current)) return current;
    if (options.dryRun) return obj;
    metadata.resourceVersion = String(this.#resourceVersion + 1);
    deepFreeze(obj);
    const event: StoreEvent = {
      type: 'MODIFIED',
      resourceVersion: this.#resourceVersion + 1,
      kindKey: kindKeyOf(kind),
      namespace,
      object: obj,
      previous: current,
    };
    this.#onCommit?.([event]);
    this.#resourceVersion++;
    bucket.set(key, obj);
    this.#record(event);
    return obj;
  }

  /** Removes an object and returns its last state with a new resourceVersion. */
  delete(
    kind: ResourceKind,
    namespace: string,
    name: string,
    options: { dryRun?: boolean; preconditions?: { uid?: string; resourceVersion?: string } } = {},
  ): KubeObject {
    const bucket = this.#bucket(kind);
    const key = objectKey(kind.namespaced ? namespace : '', name);
    const current = bucket.get(key);
    if (!current) throw notFound(groupResource(kind), name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== current.metadata?.uid) {
      throw conflict(
        groupResource(kind),
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid}`,
      );
    }
    if (resourceVersion && resourceVersion !== current.metadata?.resourceVersion) {
      throw conflict(
        groupResource(kind),
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion}`,
      );
    }
    if (options.dryRun) return current;
    const last = structuredClone(current);
    last.metadata!.resourceVersion = String(this.#resourceVersion + 1);
    deepFreeze(last);
    const event: StoreEvent = {
      type: 'DELETED',
      resourceVersion: this.#resourceVersion + 1,
      kindKey: kindKeyOf(kind),
      namespace: kind.namespaced ? namespace : '',
      object: last,
      previous: current,
    };
    this.#onCommit?.([event]);
    this.#resourceVersion++;
    bucket.delete(key);
    this.#record(event);
    return last;
  }

  /** Every stored object at this moment, for `replaceAll`: frozen objects are shared, not copied. */
  snapshot(): StoreSnapshot {
    const buckets = new Map<string, ReadonlyMap<string, KubeObject>>();
    for (const [kindKey, bucket] of this.#objects) if (bucket.size > 0) buckets.set(kindKey, new Map(bucket));
    return { resourceVersion: this.#resourceVersion, buckets };
  }

  /**
   * Makes the stored objects those of `snapshot`, as ordinary changes: an object the snapshot lacks is
   * DELETED, one it has back is ADDED, one that differs is MODIFIED, each with a new resourceVersion (the
   * version never goes back, as informers require), so that watches converge without a relist. uid and
   * creationTimestamp come back as they were. Returns the changes, in the order watchers saw them.
   */
  replaceAll(snapshot: StoreSnapshot): StoreEvent[] {
    const changes: { kindKey: string; key: string; from?: KubeObject; to?: KubeObject }[] = [];
    for (const [kindKey, bucket] of this.#objects) {
      const target = snapshot.buckets.get(kindKey);
      for (const [key, from] of bucket) if (!target?.has(key)) changes.push({ kindKey, key, from });
    }
    for (const [kindKey, target] of snapshot.buckets) {
      const bucket = this.#objects.get(kindKey);
      for (const [key, to] of target) {
        const from = bucket?.get(key);
        if (from !== to && !(from && sameButResourceVersion(from, to)))
          changes.push({ kindKey, key, from, to });
      }
    }
    const events: StoreEvent[] = changes.map(({ kindKey, from, to }, index) => {
      const resourceVersion = this.#resourceVersion + index + 1;
      const object = structuredClone((to ?? from)!);
      object.metadata!.resourceVersion = String(resourceVersion);
      deepFreeze(object);
      const type: WatchEventType = !to ? 'DELETED' : from ? 'MODIFIED' : 'ADDED';
      const namespace = object.metadata?.namespace ?? '';
      return { type, resourceVersion, kindKey, namespace, object, ...(from ? { previous: from } : {}) };
    });
    if (events.length > 0) this.#onCommit?.(events);
    // Every change lands before any watcher hears of one, so a controller reacting to the first event
    // (role aggregation) already sees the whole restored state, which was settled when it was captured.
    events.forEach((event, index) => {
      const { kindKey, key, to } = changes[index]!;
      let bucket = this.#objects.get(kindKey);
      if (!bucket) this.#objects.set(kindKey, (bucket = new SortedBucket()));
      if (to) bucket.set(key, event.object);
      else bucket.delete(key);
      this.#resourceVersion = event.resourceVersion;
    });
    for (const event of events) this.#record(event);
    return events;
  }

  /**
   * Delivers, in resourceVersion order, every change in scope after `sinceVersion` (replayed from
   * history), then live changes. Objects that stop or start matching `predicate` are seen as DELETED
   * or ADDED, as the watch cache does. Throws 410 Expired when `sinceVersion` has left the history.
   *
   * When `predicate` or `onEvent` throws, the change still stands and the other watchers still get it:
   * with `onError` the watch is stopped and `onError` is told (a client's watch ends with an ERROR event);
   * without it the error is logged and the watch goes on (a controller must not die of one bad object).
   */
  watch(
    scope: Scope,
    sinceVersion: number,
    predicate: ObjectPredicate,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onError?: (error: unknown) => void,
  ): StoreWatch {
    if (sinceVersion < this.oldestWatchableVersion) {
      throw expired(`too old resource version: ${sinceVersion} (${this.oldestWatchableVersion + 1})`);
    }
    const kindKey = kindKeyOf(scope.kind);
    // Changes recorded before the watch began (replayed below) may still be on their way to the other
    // listeners when it is registered: each is delivered once.
    let seen = sinceVersion;
    const deliver = (event: StoreEvent): void => {
      if (event.resourceVersion <= seen) return;
      seen = event.resourceVersion;
      if (event.kindKey !== kindKey) return;
      if (scope.namespace !== undefined && event.namespace !== scope.namespace) return;
      const now = event.type !== 'DELETED' && predicate(event.object);
      const before = event.previous !== undefined && predicate(event.previous);
      let type: WatchEventType | undefined;
      if (event.type === 'ADDED') type = now ? 'ADDED' : undefined;
      else if (event.type === 'DELETED') type = before ? 'DELETED' : undefined;
      else if (now && before) type = 'MODIFIED';
      else if (now) type = 'ADDED';
      else if (before) type = 'DELETED';
      if (!type) return;
      onEvent(type, event.object);
    };
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      this.#listeners.delete(listener);
    };
    const listener: Listener = {
      deliver,
      failed: (error, event) => {
        if (!onError) {
          this.#log(
            `a ${describeWatch(scope)} watcher failed on ${describeEvent(event)}: ${describeError(error)}`,
          );
          return;
        }
        stop();
        try {
          onError(error);
        } catch (secondError) {
          this.#log(
            `a ${describeWatch(scope)} watcher failed on ${describeEvent(event)}: ${describeError(error)}; then its error handler failed: ${describeError(secondError)}`,
          );
        }
      },
    };
    for (const event of this.#history) {
      if (stopped) break;
      try {
        deliver(event);
      } catch (error) {
        listener.failed(error, event);
      }
    }
    if (!stopped) this.#listeners.add(listener);
    return { stop };
  }

  /**
   * Calls `listener` with every change to any kind from now on (what a watch of each kind would see,
   * unfiltered), for observers such as the web inspector and the controllers. A listener that throws is
   * logged and stays subscribed; the change stands and the other listeners still get it. Returns the
   * function that stops it.
   */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    const from = this.#resourceVersion;
    const subscribed: Listener = {
      deliver: (event) => {
        if (event.resourceVersion > from) listener(event);
      },
      failed: (error, event) =>
        this.#log(`a store listener failed on ${describeEvent(event)}: ${describeError(error)}`),
    };
    this.#listeners.add(subscribed);
    return () => {
      this.#listeners.delete(subscribed);
    };
  }

  /**
   * The resourceVersion of the last change to a kind (0 if none since start): a cheap way for caches of
   * what is derived from a kind (RBAC decisions) to know they are stale.
   */
  lastChangeOf(kind: ResourceKind): number {
    return this.#lastChange.get(kindKeyOf(kind)) ?? 0;
  }

  #record(event: StoreEvent): void {
    this.#lastChange.set(event.kindKey, event.resourceVersion);
    this.#history.push(event);
    if (this.#history.length > this.#historyLimit)
      this.#history.splice(0, this.#history.length - this.#historyLimit);
    this.#undelivered.push(event);
    this.#deliverAll();
  }

  /**
   * Hands each recorded change to every listener, in resourceVersion order. A listener that writes (the
   * role aggregation controller) records a change while the current one is being delivered: that one waits
   * until every listener has the current one, so no watcher sees a later version before an earlier one.
   * Each listener is isolated: one that throws is dealt with by its `failed`, and the others still get the
   * change, so a committed write is never answered as failed.
   */
  #deliverAll(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let event = this.#undelivered.shift(); event; event = this.#undelivered.shift()) {
        for (const listener of [...this.#listeners]) {
          if (!this.#listeners.has(listener)) continue;
          try {
            listener.deliver(event);
          } catch (error) {
            try {
              listener.failed(error, event);
            } catch (failure) {
              this.#log(`a store listener failed on ${describeEvent(event)}: ${describeError(failure)}`);
            }
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }
}

function describeWatch(scope: Scope): string {
  const resource = scope.kind.group ? `${scope.kind.resource}.${scope.kind.group}` : scope.kind.resource;
  return scope.namespace === undefined ? resource : `${resource} (namespace ${scope.namespace})`;
}

function describeEvent(event: StoreEvent): string {
  const name = event.object.metadata?.name ?? '';
  const where = event.namespace ? `${event.namespace}/${name}` : name;
  return `${event.type} ${event.kindKey.replace(/^\//, '')} ${where} (resourceVersion ${event.resourceVersion})`;
}

/** An error's message (and the first line of its stack, which says where). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const at = error.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  return at ? `${error.message} (${at.trim()})` : error.message;
}

function sameButResourceVersion(a: KubeObject, b: KubeObject): boolean {
  const withoutVersion = (obj: KubeObject) => ({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: '' },
  });
  return isDeepStrictEqual(withoutVersion(a), withoutVersion(b));
}

/** Freezes an object graph, so that stored state can be handed out without copies yet never changed by accident. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
