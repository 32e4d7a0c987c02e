import { parseQuantity } from '../registry/pod-qos.js';
import type { KubeObject } from '../registry/resource-kind.js';

type Json = Record<string, unknown>;

/** A taint or toleration as the API holds them. */
interface Taint {
  key?: string;
  value?: string;
  effect?: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface NodeSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}
interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[] | null;
  matchFields?: NodeSelectorRequirement[] | null;
}

const SCHEDULED_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;

function specOf(obj: KubeObject): Json {
  return (obj.spec ?? {}) as Json;
}

/** The reason a node is refused, as the scheduler's filter plugins word it. */
export type FitFailure = string;

/** Whether `tolerations` tolerate `taint` (`v1helper.TolerationsTolerateTaint`). */
export function toleratesTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((toleration) => {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    if (toleration.key && toleration.key !== taint.key) return false;
    if (!toleration.key && toleration.operator !== 'Exists') return false;
    if (toleration.operator === 'Exists') return true;
    return (toleration.value ?? '') === (taint.value ?? '');
  });
}

/** The toleration of a taint, if any, for NoExecute eviction (its tolerationSeconds). */
export function tolerationFor(tolerations: readonly Toleration[], taint: Taint): Toleration | undefined {
  return tolerations.find((toleration) => toleratesTaint([toleration], taint));
}

function requirementMatches(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0]!, 10);
      if (!Number.isFinite(have) || !Number.isFinite(want)) return false;
      return requirement.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** Whether a node selector term matches a node (`nodeaffinity.NodeSelector`): every expression and field. */
function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return (
    expressions.every((r) => requirementMatches(r, labels[r.key ?? ''])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name))
  );
}

/**
 * Whether a pod's `nodeSelector` and required node affinity let it onto a node (the NodeAffinity plugin's
 * filter): every label of the selector, and one of the required terms.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
 */
export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const spec = specOf(pod);
  const labels = node.metadata?.labels ?? {};
  const selector = (spec.nodeSelector ?? {}) as Record<string, string>;
  if (Object.entries(selector).some(([key, value]) => labels[key] !== value)) return false;
  const required = ((spec.affinity as Json | undefined)?.nodeAffinity as Json | undefined)
    ?.requiredDuringSchedulingIgnoredDuringExecution as
    { nodeSelectorTerms?: NodeSelectorTerm[] } | undefined;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => termMatches(term, node));
}

// Stored objects are frozen and replaced on every write: a pod's requests are computed once per version.
const requestsCache = new WeakMap<KubeObject, Record<string, bigint>>();

/** The requests of a pod the scheduler counts: its containers' sum, or its largest init container if more. */
export function podRequests(pod: KubeObject): Record<string, bigint> {
  const cached = requestsCache.get(pod);
  if (cached) return cached;
  const computed = computeRequests(pod);
  if (Object.isFrozen(pod)) requestsCache.set(pod, computed);
  return computed;
}

function computeRequests(pod: KubeObject): Record<string, bigint> {
  const spec = specOf(pod);
  const requestsOf = (container: Json) =>
    (((container.resources as Json | undefined)?.requests ?? {}) as Record<string, unknown>) ?? {};
  const total: Record<string, bigint> = {};
  const containers = (spec.containers as Json[] | undefined) ?? [];
  const inits = (spec.initContainers as Json[] | undefined) ?? [];
  // Sidecars (init containers that keep running) add to what the pod's containers need.
  const running = [...containers, ...inits.filter((c) => c.restartPolicy === 'Always')];
  for (const container of running) {
    for (const [name, value] of Object.entries(requestsOf(container))) {
      total[name] = (total[name] ?? 0n) + (parseQuantity(String(value)) ?? 0n);
    }
  }
  for (const init of inits.filter((c) => c.restartPolicy !== 'Always')) {
    for (const [name, value] of Object.entries(requestsOf(init))) {
      const amount = parseQuantity(String(value)) ?? 0n;
      if (amount > (total[name] ?? 0n)) total[name] = amount;
    }
  }
  for (const [name, value] of Object.entries((spec.overhead ?? {}) as Record<string, unknown>)) {
    total[name] = (total[name] ?? 0n) + (parseQuantity(String(value)) ?? 0n);
  }
  return total;
}

function allocatableOf(node: KubeObject): Record<string, bigint> {
  const allocatable = ((node.status as Json | undefined)?.allocatable ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(allocatable).map(([name, value]) => [name, parseQuantity(String(value)) ?? 0n]),
  );
}

/**
 * Why a node cannot take a pod, in the order of the default profile's filters (NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity, NodeResourcesFit), worded as each plugin words it; empty when it fits.
 * `bound` are the pods already on the node that still hold their resources.
 * @see https://github.com/kubernetes/kubernetes/tree/v1.33.0/pkg/scheduler/framework/plugins
 */
export function fitFailures(pod: KubeObject, node: KubeObject, bound: readonly KubeObject[]): FitFailure[] {
  const spec = specOf(pod);
  const nodeSpec = specOf(node);
  const tolerations = (spec.tolerations as Toleration[] | undefined) ?? [];
  if (
    nodeSpec.unschedulable === true &&
    !toleratesTaint(tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })
  )
    return ['node(s) were unschedulable'];
  if (typeof spec.nodeName === 'string' && spec.nodeName && spec.nodeName !== node.metadata?.name)
    return ["node(s) didn't match the requested node name"];
  const taints = ((nodeSpec.taints as Taint[] | undefined) ?? []).filter(
    (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
  );
  const untolerated = taints.find((taint) => !toleratesTaint(tolerations, taint));
  if (untolerated)
    return [`node(s) had untolerated taint {${untolerated.key ?? ''}: ${untolerated.value ?? ''}}`];
  if (!matchesNodeAffinity(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  const failures: FitFailure[] = [];
  const allocatable = allocatableOf(node);
  const maxPods = allocatable.pods !== undefined ? allocatable.pods / 1_000_000_000n : 110n;
  if (BigInt(bound.length) + 1n > maxPods) failures.push('Too many pods');
  const wanted = podRequests(pod);
  const used: Record<string, bigint> = {};
  for (const other of bound) {
    for (const [name, amount] of Object.entries(podRequests(other))) used[name] = (used[name] ?? 0n) + amount;
  }
  const names = new Set([...SCHEDULED_RESOURCES, ...Object.keys(wanted)]);
  for (const name of names) {
    const want = wanted[name] ?? 0n;
    if (want === 0n) continue;
    const have = allocatable[name] ?? 0n;
    if (want + (used[name] ?? 0n) > have) failures.push(`Insufficient ${name}`);
  }
  return failures;
}

/**
 * The message of a pod no node takes, as the scheduler's `FitError` and the default preemption post-filter
 * word it: a histogram of the reasons, sorted, then what preemption found.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/scheduler/framework/types.go (FitError.Error)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/scheduler/framework/preemption/preemption.go
 */
export function unschedulableMessage(nodeCount: number, failures: ReadonlyMap<string, FitFailure[]>): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const histogram = new Map<string, number>();
  const preemption = new Map<string, number>();
  for (const reasons of failures.values()) {
    for (const reason of reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    // Evicting pods frees resources, nothing else: preemption only helps where resources were short.
    const helpful = reasons.every((r) => r.startsWith('Insufficient ') || r === 'Too many pods');
    const outcome = helpful
      ? 'No preemption victims found for incoming pod'
      : 'Preemption is not helpful for scheduling';
    preemption.set(outcome, (preemption.get(outcome) ?? 0) + 1);
  }
  const render = (counts: Map<string, number>) =>
    [...counts.entries()]
      .map(([reason, count]) => `${count} ${reason}`)
      .sort()
      .join(', ');
  return (
    `0/${nodeCount} nodes are available: ${render(histogram)}. ` +
    `preemption: 0/${nodeCount} nodes are available: ${render(preemption)}.`
  );
}
