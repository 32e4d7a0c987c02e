import { podKind } from '../registry/built-in-kinds.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import { leaseKind } from '../registry/lease-kind.js';
import { setPodCondition } from '../registry/pod-conditions.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from './cluster-context.js';
import { NODE_LEASE_NAMESPACE } from './node-heartbeat.js';
import { ReconcileQueue } from './reconcile-queue.js';

const NODES = storageKeyOf(nodeKind);
/** The taints the node lifecycle controller puts on a node whose Ready condition is False or Unknown. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
/** How often node health is checked (`--node-monitor-period`). */
const MONITOR_PERIOD_MS = 5_000;
/** How long a Lease may go unrenewed before the node is Unknown (`--node-monitor-grace-period`, 1.32+). */
const GRACE_PERIOD_MS = 50_000;

interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** `--node-startup-grace-period`: how long a node whose kubelet never posted status is left alone. */
const STARTUP_GRACE_PERIOD_MS = 60_000;

function readyStatus(node: KubeObject | undefined): string {
  const conditions = ((node?.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions ?? []) as { type: string; status: string }[];
  return conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/**
 * The Ready status the controller acts on: a node whose kubelet never posted one is Unknown only once
 * `--node-startup-grace-period` has passed since its creation ("Kubelet never posted node status"); before,
 * the controller leaves it alone (True here: no taint, no event).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/nodelifecycle/node_lifecycle_controller.go (tryUpdateNodeHealth)
 */
function observedReadyStatus(node: KubeObject, now: Date): string {
  const conditions = (node.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Ready')) return readyStatus(node);
  const created = Date.parse(String(node.metadata?.creationTimestamp ?? ''));
  return Number.isFinite(created) && now.getTime() - created > STARTUP_GRACE_PERIOD_MS ? 'Unknown' : 'True';
}

/**
 * kube-controller-manager's node lifecycle controller (`nodelifecycle`): a node whose Ready condition is
 * False gets the `node.kubernetes.io/not-ready` taints (NoSchedule, and NoExecute with `timeAdded`), Unknown
 * the `unreachable` ones, True none; when a node stops being ready its pods are marked not Ready (event
 * `NodeNotReady`). Every 5 s of the server's clock, a node whose Lease has not been renewed for 50 s has its
 * conditions set Unknown (`NodeStatusUnknown`, `Kubelet stopped posting node status.`): the `Unreachable`
 * scenario. A node without a Lease (no kubelet ever ran it) is left alone. Not simulated: zone-wide eviction
 * rates.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/nodelifecycle/node_lifecycle_controller.go
 */
export const nodeLifecycleController: ClusterComponent = {
  name: 'nodelifecycle',
  start(context) {
    const queue = new ReconcileQueue(
      'nodelifecycle',
      context.timers,
      (name) => reconcile(context, name),
      context.log,
    );
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey !== NODES || event.type === 'DELETED') return;
      if (event.type === 'ADDED' || readyStatus(event.previous) !== readyStatus(event.object)) {
        queue.add(event.object.metadata?.name ?? '');
      }
    });
    for (const node of context.store.list({ kind: nodeKind }).items) queue.add(node.metadata?.name ?? '');
    let cancel = context.timers.after(MONITOR_PERIOD_MS, function monitor() {
      // On a later turn, so that the kubelet's renewals due by the same move of a fake clock come first.
      context.timers.after(0, () => {
        markStaleNodes(context);
        // A node whose kubelet never posted status turns Unknown once its start-up grace period is over.
        for (const node of context.store.list({ kind: nodeKind }).items) {
          if (readyStatus(node) === 'Unknown') queue.add(node.metadata?.name ?? '');
        }
      });
      cancel = context.timers.after(MONITOR_PERIOD_MS, monitor);
    });
    return () => {
      unsubscribe();
      cancel();
    };
  },
};

function reconcile(context: ClusterContext, name: string): void {
  const node = context.store.get(nodeKind, '', name);
  if (!node) return;
  const ready = observedReadyStatus(node, context.clock.now());
  const now = kubeTimestamp(context.clock.now());
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter(
    (t) => t.key !== NOT_READY_TAINT && t.key !== UNREACHABLE_TAINT,
  );
  const current = (node.spec as { taints?: Taint[] } | undefined)?.taints ?? [];
  const key = ready === 'False' ? NOT_READY_TAINT : ready === 'Unknown' ? UNREACHABLE_TAINT : undefined;
  if (key) {
    const kept = current.find((t) => t.key === key && t.effect === 'NoExecute');
    taints.push(
      { key, effect: 'NoSchedule' },
      { key, effect: 'NoExecute', timeAdded: kept?.timeAdded ?? now },
    );
  }
  if (JSON.stringify(taints) !== JSON.stringify(current)) {
    const spec = { ...(node.spec as Record<string, unknown>) };
    if (taints.length > 0) spec.taints = taints;
    else delete spec.taints;
    context.writers['kube-controller-manager'].update(nodeKind, { ...structuredClone(node), spec });
  }
  if (ready === 'True' || current.some((t) => t.key === key)) return;
  context.recordEvent({
    involvedObject: node,
    type: 'Normal',
    reason: 'NodeNotReady',
    message: `Node ${name} status is now: NodeNotReady`,
    component: 'node-controller',
  });
  for (const pod of context.store.list({ kind: podKind }).items) {
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== name) continue;
    const status = structuredClone((pod.status ?? {}) as Record<string, unknown>);
    if (!setPodCondition(status, { type: 'Ready', status: 'False' }, now)) continue;
    context.writers['kube-controller-manager'].updateStatus(podKind, { ...pod, status });
    context.recordEvent({
      involvedObject: pod,
      type: 'Warning',
      reason: 'NodeNotReady',
      message: 'Node is not ready',
      component: 'node-controller',
    });
  }
}

function markStaleNodes(context: ClusterContext): void {
  const now = context.clock.now();
  for (const node of context.store.list({ kind: nodeKind }).items) {
    const name = node.metadata?.name ?? '';
    const lease = context.store.get(leaseKind, NODE_LEASE_NAMESPACE, name);
    const renewed = Date.parse(String((lease?.spec as { renewTime?: string } | undefined)?.renewTime ?? ''));
    if (!lease || !Number.isFinite(renewed) || now.getTime() - renewed <= GRACE_PERIOD_MS) continue;
    if (readyStatus(node) === 'Unknown') continue;
    const status = structuredClone((node.status ?? {}) as Record<string, unknown>);
    const stamp = kubeTimestamp(now);
    status.conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).map(
      (condition) => ({
        ...condition,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: condition.status === 'Unknown' ? condition.lastTransitionTime : stamp,
      }),
    );
    context.writers['kube-controller-manager'].updateStatus(nodeKind, { ...node, status });
  }
}
