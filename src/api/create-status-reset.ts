/**
 * What a create through the API does to `status`: every upstream strategy of a kind with a `status`
 * subresource resets it in `PrepareForCreate`, so a client cannot create a ready Deployment or a Running pod.
 * Fixtures and `server.apply()` do not come through here: they seed status on purpose.
 *
 * The values are what the reset status serializes to in the served version (non-`omitempty` fields of the
 * zero value); the kind's own defaults (`defaultOnCreate`, `normalizeOnWrite`) then run on top, as the
 * decode defaulting does upstream (a pod's phase and QoS class, a namespace's phase, a claim's phase).
 */
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { localAvailableCondition } from '../registry/kinds/apiregistration-kinds.js';

type StatusReset = (now: Date, obj: KubeObject) => Record<string, unknown>;

const empty: StatusReset = () => ({});

/**
 * The status each built-in kind's `PrepareForCreate` leaves, by `group/Kind`.
 * @see https://github.com/kubernetes/kubernetes/tree/v1.33.0/pkg/registry (each `<kind>/strategy.go`)
 */
const CREATE_STATUS: Readonly<Record<string, StatusReset>> = {
  // pkg/registry/core/pod/strategy.go: `pod.Status = api.PodStatus{Phase: Pending, QOSClass: ComputePodQOS(pod)}`
  // (phase and QoS class are filled by the pod kind's defaultOnCreate).
  '/Pod': empty,
  // pkg/registry/core/namespace/strategy.go: `namespace.Status = api.NamespaceStatus{Phase: Active}`.
  '/Namespace': empty,
  // pkg/registry/core/service/strategy.go: `service.Status = api.ServiceStatus{}`.
  '/Service': () => ({ loadBalancer: {} }),
  // pkg/registry/core/persistentvolumeclaim/strategy.go: `pvc.Status = {}`; v1 defaulting gives phase Pending.
  '/PersistentVolumeClaim': empty,
  // pkg/registry/core/persistentvolume/strategy.go: Pending, with the phase transition time (GA in 1.31).
  '/PersistentVolume': (now) => ({ phase: 'Pending', lastPhaseTransitionTime: kubeTimestamp(now) }),
  // pkg/registry/core/replicationcontroller/strategy.go: `controller.Status = {}` (`replicas` always serialized).
  '/ReplicationController': () => ({ replicas: 0 }),
  // pkg/registry/core/resourcequota/strategy.go: `resourcequota.Status = api.ResourceQuotaStatus{}`.
  '/ResourceQuota': empty,
  // pkg/registry/apps/*/strategy.go: `Status = apps.<Kind>Status{}`.
  'apps/Deployment': empty,
  'apps/ReplicaSet': () => ({ replicas: 0 }),
  'apps/StatefulSet': () => ({ replicas: 0, availableReplicas: 0 }),
  'apps/DaemonSet': () => ({
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  }),
  // pkg/registry/batch/job/strategy.go and cronjob/strategy.go: `Status = batch.<Kind>Status{}`.
  'batch/Job': empty,
  'batch/CronJob': empty,
  // pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go (v2: `desiredReplicas` always serialized).
  'autoscaling/HorizontalPodAutoscaler': () => ({ desiredReplicas: 0 }),
  // pkg/registry/policy/poddisruptionbudget/strategy.go (the counters are filled by the kind's defaults).
  'policy/PodDisruptionBudget': empty,
  // pkg/registry/networking/ingress/strategy.go: `ingress.Status = networking.IngressStatus{}`.
  'networking.k8s.io/Ingress': () => ({ loadBalancer: {} }),
  // pkg/registry/storage/volumeattachment/strategy.go: `volumeAttachment.Status = {}` (`attached` serialized).
  'storage.k8s.io/VolumeAttachment': () => ({ attached: false }),
  // kube-aggregator's pkg/registry/apiservice/strategy.go: reset, then a Local APIService (no spec.service) is
  // marked available at once.
  'apiregistration.k8s.io/APIService': (now, obj) =>
    (obj.spec as { service?: unknown } | undefined)?.service
      ? {}
      : { conditions: [localAvailableCondition(now)] },
};

/**
 * Kinds with a status subresource whose create keeps the status sent: a Node is registered by its kubelet
 * with its status (pkg/registry/core/node/strategy.go only drops disabled fields), and a
 * CustomResourceDefinition's status is this server's CRD controller's to fill.
 */
const KEEPS_STATUS_ON_CREATE = new Set(['/Node', 'apiextensions.k8s.io/CustomResourceDefinition']);

/**
 * Resets `status` as the kind's create strategy does, for creates through the API only (POST, and a
 * server-side apply that creates). A custom resource with a status subresource loses its status
 * (`customResourceStrategy.PrepareForCreate`); kinds without a status subresource keep what they are given.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go
 */
export function resetStatusOnApiCreate(kind: ResourceKind, obj: KubeObject, now: Date): void {
  if (!kind.subresources?.some((s) => s.name === 'status')) return;
  const key = `${kind.group}/${kind.kind}`;
  if (KEEPS_STATUS_ON_CREATE.has(key)) return;
  const reset = kind.origin === 'crd' ? undefined : CREATE_STATUS[key];
  if (reset) obj.status = reset(now, obj);
  else delete obj.status;
}

/**
 * What a create through the API does to a kind's `status`, as a facet every kind states: `reset` to what its
 * strategy's `PrepareForCreate` leaves, `keep` what the client sent (Nodes, CRDs), `drop` it (custom resources
 * with a status subresource), or `none` for a kind without a status subresource (status is stored as sent).
 */
export function createStatusRule(kind: ResourceKind): 'reset' | 'keep' | 'drop' | 'none' {
  if (!kind.subresources?.some((s) => s.name === 'status')) return 'none';
  const key = `${kind.group}/${kind.kind}`;
  if (KEEPS_STATUS_ON_CREATE.has(key)) return 'keep';
  return kind.origin !== 'crd' && CREATE_STATUS[key] ? 'reset' : 'drop';
}
