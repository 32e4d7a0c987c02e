import type { KubeObject } from '../registry/resource-kind.js';
import type { StoreEvent } from '../store/object-store.js';
import type { PodLogStore } from '../store/pod-logs.js';
import { isDeepStrictEqual } from 'node:util';
import { namespaceKind } from '../registry/built-in-kinds.js';
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

/**
 * How many stored objects name each owner uid, kept up to date from the store's changes, so that a change
 * that can give the controllers no work (most of them) costs a few map lookups rather than a pass over the
 * store.
 */
class OwnerReferenceIndex {
  readonly #references = new Map<string, number>();

  add(obj: KubeObject | undefined, delta: 1 | -1): void {
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
}

/**
 * Whether a change can give the controllers work: an object being deleted (or its last finalizer gone), a new
 * or changed owner reference, the deletion of an owner, or any deletion while a namespace is Terminating.
 */
function needsReconcile(
  event: StoreEvent,
  owners: OwnerReferenceIndex,
  namespaceTerminating: () => boolean,
): boolean {
  if (beingDeleted(event.object) || beingDeleted(event.previous)) return true;
  if (event.type === 'DELETED') {
    return owners.isOwner(event.object.metadata?.uid) || namespaceTerminating();
  }
  const refs = ownerUidsOf(event.object);
  if (refs.length === 0) return false;
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
    for (const obj of deps.store.scan({ kind })) owners.add(obj, 1);
  }
  const namespaceTerminating = (): boolean => {
    for (const namespace of deps.store.scan({ kind: namespaceKind }))
      if (beingDeleted(namespace)) return true;
    return false;
  };

  const unsubscribe = deps.store.subscribe((event) => {
    owners.add(event.previous, -1);
    if (event.type !== 'DELETED') owners.add(event.object, 1);
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
