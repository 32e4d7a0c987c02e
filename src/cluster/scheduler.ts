import { bindPod } from '../api/pod-binding.js';
import { podKind } from '../registry/built-in-kinds.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import { podCondition, setPodCondition } from '../registry/pod-conditions.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from './cluster-context.js';
import { keyOf, ReconcileQueue, splitKey } from './reconcile-queue.js';
import { fitFailures, unschedulableMessage, type FitFailure } from './scheduling.js';

/** The scheduler name the default scheduler answers to. */
export const DEFAULT_SCHEDULER = 'default-scheduler';

const PODS = storageKeyOf(podKind);
const NODES = storageKeyOf(nodeKind);

/** Whether a pod waits for the default scheduler. */
function waitsForScheduler(pod: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as { nodeName?: string; schedulerName?: string };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return (
    !spec.nodeName &&
    (spec.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER &&
    !pod.metadata?.deletionTimestamp &&
    phase !== 'Succeeded' &&
    phase !== 'Failed'
  );
}

/** Whether a pod still holds its node's resources (bound and not finished). */
export function holdsNode(pod: KubeObject, node: string): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return (
    (pod.spec as { nodeName?: string } | undefined)?.nodeName === node &&
    phase !== 'Succeeded' &&
    phase !== 'Failed'
  );
}

/**
 * The default scheduler: binds each pod that waits for it (no `nodeName`, `schedulerName` default) to a node
 * that passes the default profile's filters (`scheduling.ts`), the least loaded first, through the
 * `pods/binding` storage (`PodScheduled: True`, event `Scheduled`). A pod no node takes gets
 * `PodScheduled: False` with reason `Unschedulable` and upstream's message, and a `FailedScheduling`
 * event; it is tried again when a node changes or a bound pod goes. Scheduling gates hold a pod back
 * (`SchedulingGated`). Not simulated: scoring beyond the load, preemption, pod (anti-)affinity, topology
 * spread, host ports, volumes.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/scheduler/schedule_one.go
 */
export const scheduler: ClusterComponent = {
  name: 'scheduler',
  start(context: ClusterContext) {
    const { store } = context;
    const cache = new SchedulerCache();
    const queue = new ReconcileQueue(
      'scheduler',
      context.timers,
      (key) => schedule(context, cache, key),
      context.log,
    );
    const requeueWaiting = () => {
      for (const key of cache.waiting) queue.add(key);
    };
    const unsubscribe = store.subscribe((event) => {
      if (event.kindKey === NODES && event.type !== 'DELETED') requeueWaiting();
      if (event.kindKey !== PODS) return;
      cache.observe(event.previous, event.type === 'DELETED' ? undefined : event.object);
      const pod = event.object;
      if (event.type === 'DELETED') {
        if ((pod.spec as { nodeName?: string } | undefined)?.nodeName) requeueWaiting();
        return;
      }
      if (!waitsForScheduler(pod)) return;
      // Our own status writes come back as MODIFIED: only a new pod or a changed spec is news.
      if (event.type === 'ADDED' || JSON.stringify(event.previous?.spec) !== JSON.stringify(pod.spec)) {
        queue.add(keyOf(pod));
      }
    });
    for (const pod of store.scan({ kind: podKind })) cache.observe(undefined, pod);
    requeueWaiting();
    return unsubscribe;
  },
};

/**
 * What the scheduler knows of the pods, kept from the store's changes as upstream's scheduler cache is: the pods
 * that wait for it, and for each node the pods that hold its resources. A scheduling decision then costs the
 * pods of the nodes it looks at, not a pass over every pod.
 */
class SchedulerCache {
  /** Keys of the pods that wait for the default scheduler. */
  readonly waiting = new Set<string>();
  readonly #byNode = new Map<string, Map<string, KubeObject>>();

  observe(previous: KubeObject | undefined, current: KubeObject | undefined): void {
    const pod = current ?? previous;
    if (!pod) return;
    const key = keyOf(pod);
    const previousNode = previous ? heldNode(previous) : undefined;
    if (previousNode) this.#byNode.get(previousNode)?.delete(key);
    if (!current) {
      this.waiting.delete(key);
      return;
    }
    const node = heldNode(current);
    if (node) {
      let pods = this.#byNode.get(node);
      if (!pods) this.#byNode.set(node, (pods = new Map()));
      pods.set(key, current);
    }
    if (waitsForScheduler(current)) this.waiting.add(key);
    else this.waiting.delete(key);
  }

  /** The pods that hold `node`'s resources. */
  podsOn(node: string): KubeObject[] {
    return [...(this.#byNode.get(node)?.values() ?? [])];
  }
}

/** The node whose resources a pod holds, if any (bound and not finished). */
function heldNode(pod: KubeObject): string | undefined {
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  return node && holdsNode(pod, node) ? node : undefined;
}

function schedule(context: ClusterContext, cache: SchedulerCache, key: string): void {
  const [namespace, name] = splitKey(key);
  const pod = context.store.get(podKind, namespace, name);
  if (!pod || !waitsForScheduler(pod)) return;
  const gates = (pod.spec as { schedulingGates?: unknown[] } | undefined)?.schedulingGates ?? [];
  if (gates.length > 0) {
    setScheduledCondition(
      context,
      pod,
      'SchedulingGated',
      'Scheduling is blocked due to non-empty scheduling gates',
    );
    return;
  }
  const nodes = [...context.store.scan({ kind: nodeKind })];
  const failures = new Map<string, FitFailure[]>();
  let best: { node: KubeObject; load: number } | undefined;
  for (const node of nodes) {
    const nodeName = node.metadata?.name ?? '';
    const bound = cache.podsOn(nodeName);
    const reasons = fitFailures(pod, node, bound);
    if (reasons.length > 0) failures.set(nodeName, reasons);
    else if (!best || bound.length < best.load) best = { node, load: bound.length };
  }
  if (!best) {
    const message = unschedulableMessage(nodes.length, failures);
    setScheduledCondition(context, pod, 'Unschedulable', message);
    context.recordEvent({
      involvedObject: pod,
      type: 'Warning',
      reason: 'FailedScheduling',
      message,
      component: DEFAULT_SCHEDULER,
    });
    return;
  }
  const nodeName = best.node.metadata?.name ?? '';
  const bound = bindPod(context, namespace, {
    name,
    uid: pod.metadata?.uid ?? '',
    target: { kind: 'Node', name: nodeName },
  });
  context.recordEvent({
    involvedObject: bound,
    type: 'Normal',
    reason: 'Scheduled',
    message: `Successfully assigned ${namespace}/${name} to ${nodeName}`,
    component: DEFAULT_SCHEDULER,
  });
}

function setScheduledCondition(
  context: ClusterContext,
  pod: KubeObject,
  reason: string,
  message: string,
): void {
  const existing = podCondition(pod.status, 'PodScheduled');
  if (existing?.status === 'False' && existing.reason === reason && existing.message === message) return;
  const status = structuredClone((pod.status ?? {}) as Record<string, unknown>);
  setPodCondition(
    status,
    { type: 'PodScheduled', status: 'False', reason, message },
    kubeTimestamp(context.clock.now()),
  );
  context.writers['kube-scheduler'].updateStatus(podKind, { ...pod, status });
}
