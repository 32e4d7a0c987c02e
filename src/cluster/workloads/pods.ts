import type { KubeObject, ResourceKind } from '../../registry/resource-kind.js';
import { apiVersionOf } from '../../registry/resource-kind.js';
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../../store/label-selector.js';

/** A pod condition, as core/v1 PodCondition. */
export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

/** An owner reference, as metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * An object's spec or status read without a schema, as the controllers read the fields upstream's Go types
 * name (`spec.template.metadata.labels`, `status.conditions`); the write path validates what they write.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fields of the API's Go types, read by name
export type Fields = Record<string, any>;

/** The metadata of an object, typed for the fields the controllers read. */
export function meta(obj: KubeObject): {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generation: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  ownerReferences: OwnerReference[];
} {
  const m = obj.metadata ?? {};
  return {
    name: m.name ?? '',
    namespace: m.namespace ?? '',
    uid: m.uid ?? '',
    labels: (m.labels as Record<string, string> | undefined) ?? {},
    annotations: (m.annotations as Record<string, string> | undefined) ?? {},
    generation: Number(m.generation ?? 0),
    creationTimestamp: (m.creationTimestamp as string | undefined) ?? '',
    ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp as string } : {}),
    ownerReferences: (m.ownerReferences as OwnerReference[] | undefined) ?? [],
  };
}

/** `spec` of an object, untyped. */
export function specOf(obj: KubeObject): Fields {
  return (obj.spec as Fields | undefined) ?? {};
}

/** `status` of an object, untyped. */
export function statusOf(obj: KubeObject): Fields {
  return (obj.status as Fields | undefined) ?? {};
}

/**
 * The controller reference to put on what an owner creates: `controller: true`, `blockOwnerDeletion: true`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go (NewControllerRef)
 */
export function controllerRefTo(owner: KubeObject, kind: ResourceKind): OwnerReference {
  const m = meta(owner);
  return {
    apiVersion: apiVersionOf(kind),
    kind: kind.kind,
    name: m.name,
    uid: m.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner reference with `controller: true`, if any (`metav1.GetControllerOf`). */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return meta(obj).ownerReferences.find((ref) => ref.controller === true);
}

/** Whether `obj` is controlled by `owner` (its controller reference names the owner's uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerOf(obj)?.uid === meta(owner).uid;
}

/** Whether a `metav1.LabelSelector` selects an object's labels (`nil` selects nothing, `{}` everything). */
export function selects(selector: unknown, obj: KubeObject): boolean {
  return labelSelectorFromMetav1(selector as Metav1LabelSelector | undefined).matches(meta(obj).labels);
}

/** A pod's phase. */
export function podPhase(pod: KubeObject): string {
  return (statusOf(pod).phase as string | undefined) ?? 'Pending';
}

/**
 * Whether a pod counts as active: not Succeeded, not Failed, not being deleted (`controller.IsPodActive`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/controller_utils.go
 */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** A pod's condition of a type. */
export function podCondition(pod: KubeObject, type: string): PodCondition | undefined {
  const conditions = (statusOf(pod).conditions as PodCondition[] | undefined) ?? [];
  return conditions.find((condition) => condition.type === type);
}

/** Whether a pod's `Ready` condition is `True` (`podutil.IsPodReady`). */
export function isPodReady(pod: KubeObject): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/**
 * Whether a pod is available: Ready for at least `minReadySeconds` by `now` (`podutil.IsPodAvailable`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/api/v1/pod/util.go
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/** When a Ready pod becomes available, in milliseconds since the epoch, or undefined when not Ready. */
export function availableAt(pod: KubeObject, minReadySeconds: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  const since = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
  return (Number.isFinite(since) ? since : 0) + minReadySeconds * 1000;
}

/**
 * A pod made from a template as `controller.GetPodFromTemplate` makes it: the template's labels,
 * annotations, finalizers and spec, `generateName: <owner>-`, the controller reference.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/controller_utils.go
 */
export function podFromTemplate(
  template: Fields | undefined,
  namespace: string,
  generateName: string,
  controllerRef: OwnerReference,
): KubeObject {
  const templateMeta = (template?.metadata as Fields | undefined) ?? {};
  const metadata: Record<string, unknown> = { generateName, namespace };
  if (templateMeta.labels && Object.keys(templateMeta.labels).length > 0)
    metadata.labels = { ...templateMeta.labels };
  if (templateMeta.annotations && Object.keys(templateMeta.annotations).length > 0) {
    metadata.annotations = { ...templateMeta.annotations };
  }
  if (Array.isArray(templateMeta.finalizers) && templateMeta.finalizers.length > 0) {
    metadata.finalizers = [...templateMeta.finalizers];
  }
  metadata.ownerReferences = [controllerRef];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: structuredClone(template?.spec ?? {}),
  };
}

/** The total restarts of a pod's containers. */
function restartsOf(pod: KubeObject): number {
  const statuses = (statusOf(pod).containerStatuses as { restartCount?: number }[] | undefined) ?? [];
  return statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
}

function deletionCost(pod: KubeObject): number {
  const value = Number.parseInt(
    meta(pod).annotations['controller.kubernetes.io/pod-deletion-cost'] ?? '0',
    10,
  );
  return Number.isFinite(value) ? value : 0;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods so that those to delete first come first, as `controller.ActivePodsWithRanks` does:
 * unscheduled before scheduled, Pending before Unknown before Running, not Ready before Ready, lower
 * pod-deletion-cost, more pods of the same owner on the node, Ready for less time, more restarts, newer.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/controller_utils.go (ActivePodsWithRanks.Less)
 */
export function comparePodsForDeletion(
  ranks: Map<KubeObject, number>,
): (a: KubeObject, b: KubeObject) => number {
  return (a, b) => {
    const nodeA = specOf(a).nodeName ? 1 : 0;
    const nodeB = specOf(b).nodeName ? 1 : 0;
    if (nodeA !== nodeB) return nodeA - nodeB;
    const phaseA = PHASE_ORDER[podPhase(a)] ?? 0;
    const phaseB = PHASE_ORDER[podPhase(b)] ?? 0;
    if (phaseA !== phaseB) return phaseA - phaseB;
    const readyA = isPodReady(a) ? 1 : 0;
    const readyB = isPodReady(b) ? 1 : 0;
    if (readyA !== readyB) return readyA - readyB;
    if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
    const rankA = ranks.get(a) ?? 0;
    const rankB = ranks.get(b) ?? 0;
    if (rankA !== rankB) return rankB - rankA;
    if (readyA && readyB) {
      const sinceA = Date.parse(podCondition(a, 'Ready')?.lastTransitionTime ?? '') || 0;
      const sinceB = Date.parse(podCondition(b, 'Ready')?.lastTransitionTime ?? '') || 0;
      if (sinceA !== sinceB) return sinceB - sinceA;
    }
    if (restartsOf(a) !== restartsOf(b)) return restartsOf(b) - restartsOf(a);
    const createdA = Date.parse(meta(a).creationTimestamp) || 0;
    const createdB = Date.parse(meta(b).creationTimestamp) || 0;
    return createdB - createdA;
  };
}

/** Sets or replaces a condition by type, keeping `lastTransitionTime` when the status does not change. */
export function setCondition<
  T extends { type: string; status: string; lastTransitionTime?: string; lastUpdateTime?: string },
>(conditions: T[], next: T): T[] {
  const current = conditions.find((condition) => condition.type === next.type);
  if (current && current.status === next.status && next.lastTransitionTime) {
    next.lastTransitionTime = current.lastTransitionTime;
  }
  return [...conditions.filter((condition) => condition.type !== next.type), next];
}
