import type { KubeObject } from '../registry/resource-kind.js';
import type { StoreEvent } from '../store/object-store.js';
import type { PodLogStore } from '../store/pod-logs.js';
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

function touchesLifecycle(obj: KubeObject | undefined): boolean {
  const metadata = obj?.metadata;
  if (!metadata) return false;
  return (
    metadata.deletionTimestamp !== undefined ||
    (Array.isArray(metadata.ownerReferences) && metadata.ownerReferences.length > 0)
  );
}

/** Whether a change can give the controllers work: a deletion, an owner reference, a pending deletion. */
function needsReconcile(event: StoreEvent): boolean {
  return event.type === 'DELETED' || touchesLifecycle(event.object) || touchesLifecycle(event.previous);
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

  const unsubscribe = deps.store.subscribe((event) => {
    if (event.type === 'DELETED' && event.kindKey === '/pods') {
      deps.logs?.forget(event.namespace, event.object.metadata?.name ?? '');
    }
    if (!running && needsReconcile(event)) schedule();
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
