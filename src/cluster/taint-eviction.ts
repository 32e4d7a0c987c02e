import { deleteObject } from '../lifecycle/delete-object.js';
import { podKind } from '../registry/built-in-kinds.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import { setPodCondition } from '../registry/pod-conditions.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { CancelTimer } from './clock-timers.js';
import type { ClusterComponent, ClusterContext } from './cluster-context.js';
import { keyOf, ReconcileQueue, splitKey } from './reconcile-queue.js';
import { tolerationFor, toleratesTaint } from './scheduling.js';

const NODES = storageKeyOf(nodeKind);
const PODS = storageKeyOf(podKind);

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
  timeAdded?: string;
}

/**
 * When a pod on a node with NoExecute taints goes: now if a taint is not tolerated, at the taint's
 * `timeAdded` plus the smallest `tolerationSeconds` of the tolerations that match, never if none limits it.
 */
export function evictionTime(pod: KubeObject, taints: readonly Taint[], now: number): number | undefined {
  const tolerations = ((pod.spec as { tolerations?: Record<string, unknown>[] } | undefined)?.tolerations ??
    []) as { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }[];
  let at: number | undefined;
  for (const taint of taints.filter((t) => t.effect === 'NoExecute')) {
    if (!toleratesTaint(tolerations, taint)) return now;
    const seconds = tolerationFor(tolerations, taint) as { tolerationSeconds?: number } | undefined;
    if (typeof seconds?.tolerationSeconds !== 'number') continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const due = added + Math.max(0, seconds.tolerationSeconds) * 1000;
    at = at === undefined ? due : Math.min(at, due);
  }
  return at;
}

/**
 * kube-controller-manager's taint eviction controller (`taint-eviction-controller`): deletes the pods of a
 * node with NoExecute taints they do not tolerate, at once or once their `tolerationSeconds` (300 s by
 * default, from the DefaultTolerationSeconds admission) have passed on the server's clock; each gets the
 * `DisruptionTarget` condition and a `TaintManagerEviction` event first.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/tainteviction/taint_eviction.go
 */
export const taintEvictionController: ClusterComponent = {
  name: 'taint-eviction-controller',
  start(context) {
    const scheduled = new Map<string, { at: number; cancel: CancelTimer }>();
    const queue = new ReconcileQueue(
      'taint-eviction',
      context.timers,
      (key) => reconcilePod(context, key, scheduled),
      context.log,
    );
    const podsOn = (node: string) =>
      context.store
        .list({ kind: podKind })
        .items.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node);
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === NODES && event.type !== 'DELETED') {
        const before = JSON.stringify(
          (event.previous?.spec as { taints?: unknown } | undefined)?.taints ?? [],
        );
        const after = JSON.stringify((event.object.spec as { taints?: unknown } | undefined)?.taints ?? []);
        if (event.type === 'ADDED' || before !== after) {
          for (const pod of podsOn(event.object.metadata?.name ?? '')) queue.add(keyOf(pod));
        }
      }
      if (event.kindKey === PODS && event.type !== 'DELETED') queue.add(keyOf(event.object));
    });
    return () => {
      unsubscribe();
      for (const entry of scheduled.values()) entry.cancel();
    };
  },
};

function reconcilePod(
  context: ClusterContext,
  key: string,
  scheduled: Map<string, { at: number; cancel: CancelTimer }>,
): void {
  const [namespace, name] = splitKey(key);
  const pod = context.store.get(podKind, namespace, name);
  const nodeName = (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
  const node = nodeName ? context.store.get(nodeKind, '', nodeName) : undefined;
  const taints = ((node?.spec as { taints?: Taint[] } | undefined)?.taints ?? []) as Taint[];
  const at =
    pod && !pod.metadata?.deletionTimestamp
      ? evictionTime(pod, taints, context.clock.now().getTime())
      : undefined;
  const existing = scheduled.get(key);
  if (existing && existing.at === at) return;
  existing?.cancel();
  scheduled.delete(key);
  if (at === undefined || !pod) return;
  const cancel = context.timers.at(at, () => {
    scheduled.delete(key);
    evict(context, namespace, name, pod.metadata?.uid ?? '');
  });
  scheduled.set(key, { at, cancel });
}

function evict(context: ClusterContext, namespace: string, name: string, uid: string): void {
  const pod = context.store.get(podKind, namespace, name);
  if (!pod || pod.metadata?.uid !== uid || pod.metadata?.deletionTimestamp) return;
  const status = structuredClone((pod.status ?? {}) as Record<string, unknown>);
  setPodCondition(
    status,
    {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    },
    kubeTimestamp(context.clock.now()),
  );
  const updated = context.writers['kube-controller-manager'].updateStatus(podKind, { ...pod, status });
  context.recordEvent({
    involvedObject: updated,
    type: 'Normal',
    reason: 'TaintManagerEviction',
    message: `Marking for deletion Pod ${namespace}/${name}`,
    component: 'taint-eviction-controller',
  });
  deleteObject(context, podKind, namespace, name, { preconditions: { uid } });
}
