import type { KubeObject } from '../registry/resource-kind.js';
import type { StoreEvent } from '../store/object-store.js';
import type { PodLogStore } from '../store/pod-logs.js';
import { isDeepStrictEqual } from 'node:util';
import { namespaceKind } from '../registry/built-in-kinds.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../lifecycle/deletion-policy.js';
import { finalizersOf } from '../store/finalizers.js';
import { collectGarbage, type ControllerDeps } from './garbage-collector.js';
import { finishNamespaceDeletions } from './namespace-deleter.js';

/** The running garbage collector and namespace controller of one server. */
export interface LifecycleControllers {
  /** Runs both controllers now until nothing more changes (what the programmatic `delete()` waits for). */
  settle(): void;
  /** Stops reacting to changes. Idempotent. */
  stop(): void;
}

const MAX_PASSES = 100;

function ownerUidsOf(obj: KubeObject | undefined): string[] {
  const refs = obj?.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs
    .map((ref) => (ref as { uid?: unknown }).uid)
    .filter((uid): uid is string => typeof uid === 'string');
}

function beingDeleted(obj: KubeObject | undefined): boolean {
  return obj?.metadata?.deletionTimestamp !== undefined;
}

/** Whether an object waits for the garbage collector: being deleted with the orphan or foreground finalizer. */
function waitsForCollector(obj: KubeObject | undefined): boolean {
  if (!beingDeleted(obj)) return false;
  const finalizers = finalizersOf(obj!);
  return finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_FINALIZER);
}

/**
 * How many stored objects name each owner uid, and which owners wait in the foreground for their dependents,
 * kept up to date from the store's changes, so that a change that can give the controllers no work (most of
 * them: a pod's status, a pod's graceful deletion) costs a few map lookups rather than a pass over the store.
 */
class OwnerReferenceIndex {
  readonly #references = new Map<string, number>();
  readonly #waiting = new Set<string>();

  /** Records a change: `previous` is forgotten, `current` (absent when deleted) counted. */
  observe(previous: KubeObject | undefined, current: KubeObject | undefined): void {
    this.#count(previous, -1);
    this.#count(current, 1);
    const uid = (current ?? previous)?.metadata?.uid;
    if (!uid) return;
    if (current && waitsForCollector(current)) this.#waiting.add(uid);
    else this.#waiting.delete(uid);
  }

  #count(obj: KubeObject | undefined, delta: 1 | -1): void {
    for (const uid of ownerUidsOf(obj)) {
      const count = (this.#references.get(uid) ?? 0) + delta;
      if (count > 0) this.#references.set(uid, count);
      else this.#references.delete(uid);
    }
  }

  /** Whether any stored object names `uid` as an owner. */
  isOwner(uid: string | undefined): boolean {
    return uid !== undefined && this.#references.has(uid);
  }

  /** Whether one of these owners is being deleted with the orphan or foreground finalizer. */
  anyWaiting(uids: readonly string[]): boolean {
    return uids.some((uid) => this.#waiting.has(uid));
  }
}

/**
 * Whether a change can give the controllers work: an object waiting for the collector (orphan or foreground
 * finalizer), an owner being deleted or gone, a dependent gone or changed while its owner waits for it, a new
 * or changed owner reference, or any deletion while a namespace is Terminating. An object being deleted without
 * dependents or those finalizers (a pod's graceful deletion) is none of the collector's business.
 */
function needsReconcile(
  event: StoreEvent,
  owners: OwnerReferenceIndex,
  namespaceTerminating: () => boolean,
): boolean {
  const uid = event.object.metadata?.uid;
  const refs = ownerUidsOf(event.object);
  if (event.type === 'DELETED') {
    return (
      owners.isOwner(uid) ||
      owners.anyWaiting(refs) ||
      waitsForCollector(event.object) ||
      namespaceTerminating()
    );
  }
  if (waitsForCollector(event.object) || waitsForCollector(event.previous)) return true;
  if (beingDeleted(event.object) && owners.isOwner(uid)) return true;
  if (beingDeleted(event.object) && !beingDeleted(event.previous) && namespaceTerminating()) return true;
  if (refs.length === 0) return ownerUidsOf(event.previous).length > 0;
  return event.type === 'ADDED' || !isDeepStrictEqual(refs, ownerUidsOf(event.previous));
}

/**
 * Starts the controllers a cluster runs for deletion (the garbage collector and the namespace
 * controller). They react to store changes on the next turn of the event loop (`setImmediate`), so a
 * response is written before its consequences, yet tests never wait for a resync; a pod's logs go
 * with it.
 */
export function startLifecycleControllers(
  deps: ControllerDeps & { logs?: PodLogStore; log?: (message: string) => void },
): LifecycleControllers {
  let scheduled: NodeJS.Immediate | undefined;
  let running = false;
  let stopped = false;

  const settle = (): void => {
    if (running) return;
    running = true;
    try {
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const before = deps.store.resourceVersion;
        finishNamespaceDeletions(deps);
        collectGarbage(deps);
        if (deps.store.resourceVersion === before) break;
      }
    } finally {
      running = false;
    }
  };

  const schedule = (): void => {
    if (scheduled || stopped) return;
    scheduled = setImmediate(() => {
      scheduled = undefined;
      try {
        settle();
      } catch (error) {
        deps.log?.(`fake-apiserver: lifecycle controllers failed: ${String(error)}`);
      }
    });
  };

  const owners = new OwnerReferenceIndex();
  for (const kind of deps.registry.storedKinds()) {
    for (const obj of deps.store.scan({ kind })) owners.observe(undefined, obj);
  }
  const namespaceTerminating = (): boolean => {
    for (const namespace of deps.store.scan({ kind: namespaceKind }))
      if (beingDeleted(namespace)) return true;
    return false;
  };

  const unsubscribe = deps.store.subscribe((event) => {
    owners.observe(event.previous, event.type === 'DELETED' ? undefined : event.object);
    if (event.type === 'DELETED' && event.kindKey === '/pods') {
      deps.logs?.forget(event.namespace, event.object.metadata?.name ?? '');
    }
    if (!running && needsReconcile(event, owners, namespaceTerminating)) schedule();
  });

  return {
    settle,
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
    },
  };
}
