import { namespaceKind } from '../registry/built-in-kinds.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import { leaseKind } from '../registry/lease-kind.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { ClusterContext } from './cluster-context.js';

/** The namespace of the nodes' heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** How often the kubelet renews its Lease (`renewInterval`, a quarter of the 40 s lease duration). */
export const LEASE_RENEW_MS = 10_000;
/** How often the kubelet reports an unchanged node status (`nodeStatusReportFrequency`). */
export const STATUS_REPORT_MS = 5 * 60_000;
/** The annotation a node's scenario is read from (`NotReady`). */
export const NODE_SCENARIO_ANNOTATION = 'fake-apiserver.dev/scenario';

const NODES = storageKeyOf(nodeKind);

/** A MicroTime as the API writes it (`2006-01-02T15:04:05.000000Z07:00`). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Whether a node is in the NotReady scenario (its kubelet reports the runtime's network as not ready). */
export function nodeNotReady(node: KubeObject): boolean {
  return node.metadata?.annotations?.[NODE_SCENARIO_ANNOTATION] === 'NotReady' || nodeUnreachable(node);
}

/** Whether a node is in the Unreachable scenario (its kubelet is gone: no heartbeat, no pod is touched). */
export function nodeUnreachable(node: KubeObject): boolean {
  return node.metadata?.annotations?.[NODE_SCENARIO_ANNOTATION] === 'Unreachable';
}

interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

const READY: Omit<NodeCondition, 'type'> = {
  status: 'True',
  reason: 'KubeletReady',
  message: 'kubelet is posting ready status',
};
const NOT_READY: Omit<NodeCondition, 'type'> = {
  status: 'False',
  reason: 'KubeletNotReady',
  message:
    'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
};
const PRESSURE: Record<string, Omit<NodeCondition, 'type'>> = {
  MemoryPressure: {
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  DiskPressure: {
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  PIDPressure: {
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
};

/**
 * The node's side of the kubelet: for every Node, a Lease in `kube-node-lease` (holder the node, 40 s,
 * owned by the Node) renewed every 10 s of the server's clock, and the node's conditions (Ready and the
 * three pressures) reported at start, on a scenario change and every 5 minutes, with their heartbeat.
 * A node annotated `fake-apiserver.dev/scenario: NotReady` reports `Ready: False` (`KubeletNotReady`); one
 * annotated `Unreachable` reports nothing and renews no Lease (the node lifecycle controller then finds it).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/nodelease/controller.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kubelet_node_status.go
 */
export function startNodeHeartbeats(context: ClusterContext): () => void {
  const { store, timers } = context;
  const reported = new Map<string, string>();
  const renewLeases = () => {
    for (const node of store.list({ kind: nodeKind }).items) renewLease(context, node);
    cancelLease = timers.after(LEASE_RENEW_MS, renewLeases);
  };
  const reportAll = () => {
    for (const node of store.list({ kind: nodeKind }).items) reportStatus(context, node, reported);
    cancelReport = timers.after(STATUS_REPORT_MS, reportAll);
  };
  let cancelLease = timers.after(0, renewLeases);
  let cancelReport = timers.after(0, reportAll);
  const unsubscribe = store.subscribe((event) => {
    if (event.kindKey !== NODES) return;
    const name = event.object.metadata?.name ?? '';
    if (event.type === 'DELETED') {
      reported.delete(name);
      return;
    }
    if (event.type === 'ADDED' || reported.get(name) !== scenarioOf(event.object)) {
      timers.after(0, () => {
        const node = store.get(nodeKind, '', name);
        if (!node) return;
        renewLease(context, node);
        reportStatus(context, node, reported);
      });
    }
  });
  return () => {
    unsubscribe();
    cancelLease();
    cancelReport();
  };
}

function scenarioOf(node: KubeObject): string {
  return node.metadata?.annotations?.[NODE_SCENARIO_ANNOTATION] ?? '';
}

function renewLease(context: ClusterContext, node: KubeObject): void {
  const { store } = context;
  if (nodeUnreachable(node)) return;
  if (!store.get(namespaceKind, '', NODE_LEASE_NAMESPACE)) return;
  const name = node.metadata?.name ?? '';
  const renewTime = microTime(context.clock.now());
  const existing = store.get(leaseKind, NODE_LEASE_NAMESPACE, name);
  const writer = context.writers.kubelet;
  if (existing) {
    const spec = { ...(existing.spec as Record<string, unknown>), holderIdentity: name, renewTime };
    writer.update(leaseKind, { ...structuredClone(existing), spec });
    return;
  }
  writer.create(leaseKind, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid ?? '' }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
  });
}

function reportStatus(context: ClusterContext, node: KubeObject, reported: Map<string, string>): void {
  const name = node.metadata?.name ?? '';
  const notReady = nodeNotReady(node);
  reported.set(name, scenarioOf(node));
  if (nodeUnreachable(node)) return;
  const now = kubeTimestamp(context.clock.now());
  const status = structuredClone((node.status ?? {}) as Record<string, unknown>);
  const conditions = ((status.conditions as NodeCondition[] | undefined) ?? []).slice();
  const wanted: Record<string, Omit<NodeCondition, 'type'>> = {
    ...PRESSURE,
    Ready: notReady ? NOT_READY : READY,
  };
  for (const [type, condition] of Object.entries(wanted)) {
    const index = conditions.findIndex((c) => c.type === type);
    const old = index >= 0 ? conditions[index] : undefined;
    const next: NodeCondition = {
      type,
      status: condition.status,
      lastHeartbeatTime: now,
      lastTransitionTime: old?.status === condition.status ? (old.lastTransitionTime ?? now) : now,
      ...(condition.reason ? { reason: condition.reason } : {}),
      ...(condition.message ? { message: condition.message } : {}),
    };
    if (index >= 0) conditions[index] = next;
    else conditions.push(next);
  }
  status.conditions = conditions;
  context.writers.kubelet.updateStatus(nodeKind, { ...node, status });
}
