/**
 * The kinds of the smaller built-in groups (discovery.k8s.io, networking.k8s.io, policy, autoscaling,
 * events.k8s.io, storage.k8s.io) with kube-apiserver 1.33's discovery data and their v1 defaults.
 * @see https://github.com/kubernetes/kubernetes/tree/master/pkg/registry
 */
import type { ResourceKind } from '../resource-kind.js';
import { fieldGetters, fieldValue, objectField, objectItems, storedKind as groupKind } from './fields.js';
import { SUBRESOURCE_VERBS } from '../verbs.js';
import { eventsV1Conversion, eventsV1ToCoreEvent, validateEventsV1Create } from './event-conversion.js';
import { hpaV1Conversion } from './hpa-conversion.js';

const status = (kind: string) => [{ name: 'status', kind, verbs: SUBRESOURCE_VERBS }];

/** discovery.k8s.io/v1 EndpointSlice; ports default to TCP and the name `""` (`SetDefaults_EndpointPort`). */
export const endpointSliceKind = groupKind('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', {
  namespaced: true,
  normalizeOnWrite(slice) {
    for (const port of objectItems(slice.ports)) {
      port.name ??= '';
      port.protocol ??= 'TCP';
    }
  },
});

/** networking.k8s.io/v1 Ingress (`ing`), with an empty load-balancer status. */
export const ingressKind = groupKind('networking.k8s.io', 'v1', 'Ingress', 'ingresses', {
  namespaced: true,
  shortNames: ['ing'],
  subresources: status('Ingress'),
  tracksGeneration: true,
  normalizeOnWrite(ingress) {
    objectField(ingress, 'status').loadBalancer ??= {};
  },
});

/** networking.k8s.io/v1 IngressClass (cluster scoped). */
export const ingressClassKind = groupKind('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', {
  namespaced: false,
  tracksGeneration: true,
});

/**
 * networking.k8s.io/v1 NetworkPolicy (`netpol`): `policyTypes` default to Ingress, plus Egress when egress
 * rules are given; ports default to TCP (`SetDefaults_NetworkPolicy`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/networking/v1/defaults.go
 */
export const networkPolicyKind = groupKind('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', {
  namespaced: true,
  shortNames: ['netpol'],
  tracksGeneration: true,
  normalizeOnWrite(policy) {
    const spec = objectField(policy, 'spec');
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
      spec.policyTypes =
        Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
    for (const rule of [...objectItems(spec.ingress), ...objectItems(spec.egress)]) {
      for (const port of objectItems(rule.ports)) port.protocol ??= 'TCP';
    }
  },
});

/** policy/v1 PodDisruptionBudget (`pdb`). */
export const podDisruptionBudgetKind = groupKind(
  'policy',
  'v1',
  'PodDisruptionBudget',
  'poddisruptionbudgets',
  {
    namespaced: true,
    shortNames: ['pdb'],
    subresources: status('PodDisruptionBudget'),
    tracksGeneration: true,
    defaultOnCreate(pdb) {
      const statusObject = objectField(pdb, 'status');
      statusObject.disruptionsAllowed ??= 0;
      statusObject.currentHealthy ??= 0;
      statusObject.desiredHealthy ??= 0;
      statusObject.expectedPods ??= 0;
    },
  },
);

/**
 * autoscaling/v2 HorizontalPodAutoscaler (`hpa`): `minReplicas` 1 and, without metrics, 80 % CPU utilization.
 * It is the storage version: autoscaling/v1 (`autoscalingV1HorizontalPodAutoscalerKind`) serves the same objects.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/autoscaling/v2/defaults.go
 */
export const horizontalPodAutoscalerKind: ResourceKind = groupKind(
  'autoscaling',
  'v2',
  'HorizontalPodAutoscaler',
  'horizontalpodautoscalers',
  {
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: status('HorizontalPodAutoscaler'),
    tracksGeneration: true,
    normalizeOnWrite(hpa) {
      const spec = objectField(hpa, 'spec');
      spec.minReplicas ??= 1;
      if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
        spec.metrics = [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ];
      }
    },
  },
);

/**
 * autoscaling/v1 HorizontalPodAutoscaler: the v2 objects seen through v1's `targetCPUUtilizationPercentage`
 * (`hpa-conversion.ts`); `minReplicas` defaults to 1.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/autoscaling/v1/defaults.go
 */
export const autoscalingV1HorizontalPodAutoscalerKind: ResourceKind = {
  ...horizontalPodAutoscalerKind,
  version: 'v1',
  conversion: hpaV1Conversion((v2) => horizontalPodAutoscalerKind.normalizeOnWrite?.(v2)),
  normalizeOnWrite(hpa) {
    objectField(hpa, 'spec').minReplicas ??= 1;
  },
};

/**
 * events.k8s.io/v1 Event (`ev`), selectable by the fields of `pkg/apis/events/v1/conversion.go` (`regarding.*`,
 * `reportingController`). Stored as core/v1 events, as upstream keeps both in one resource
 * (`event-conversion.ts`); creates get the strict validation of `ValidateEventCreate`.
 */
export const eventsV1EventKind = groupKind('events.k8s.io', 'v1', 'Event', 'events', {
  namespaced: true,
  shortNames: ['ev'],
  storedAs: { group: '', resource: 'events' },
  conversion: eventsV1Conversion,
  defaultOnCreate: (event) => validateEventsV1Create(eventsV1ToCoreEvent(event)),
  fieldSelectors: {
    ...fieldGetters(
      'metadata.name',
      'metadata.namespace',
      'regarding.kind',
      'regarding.namespace',
      'regarding.name',
      'regarding.uid',
      'regarding.apiVersion',
      'regarding.resourceVersion',
      'regarding.fieldPath',
      'reason',
      'reportingController',
      'type',
    ),
    // `source` is still selectable: it maps to the deprecated source's component.
    source: (event) => fieldValue(event, 'deprecatedSource.component'),
  },
  unsupportedFieldMessage: (field) => `field label not supported: ${field}`,
});

/** storage.k8s.io/v1 StorageClass (`sc`, cluster scoped): reclaim policy Delete, binding mode Immediate. */
export const storageClassKind = groupKind('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', {
  namespaced: false,
  shortNames: ['sc'],
  normalizeOnWrite(storageClass) {
    storageClass.reclaimPolicy ??= 'Delete';
    storageClass.volumeBindingMode ??= 'Immediate';
  },
});

/** storage.k8s.io/v1 CSIDriver (cluster scoped). */
export const csiDriverKind = groupKind('storage.k8s.io', 'v1', 'CSIDriver', 'csidrivers', {
  namespaced: false,
  normalizeOnWrite(driver) {
    const spec = objectField(driver, 'spec');
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.requiresRepublish ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    spec.volumeLifecycleModes ??= ['Persistent'];
    spec.seLinuxMount ??= false;
  },
});

/** storage.k8s.io/v1 CSINode (cluster scoped). */
export const csiNodeKind = groupKind('storage.k8s.io', 'v1', 'CSINode', 'csinodes', { namespaced: false });

/** storage.k8s.io/v1 VolumeAttachment (cluster scoped, status). */
export const volumeAttachmentKind = groupKind(
  'storage.k8s.io',
  'v1',
  'VolumeAttachment',
  'volumeattachments',
  {
    namespaced: false,
    subresources: status('VolumeAttachment'),
  },
);

/** Every kind of these groups, in the order discovery lists them within each group. */
/**
 * scheduling.k8s.io/v1 PriorityClass (`pc`, cluster scoped); `preemptionPolicy` defaults to
 * PreemptLowerPriority.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/scheduling/v1/defaults.go
 */
export const priorityClassKind = groupKind('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', {
  namespaced: false,
  shortNames: ['pc'],
  normalizeOnWrite(priorityClass) {
    priorityClass.preemptionPolicy ??= 'PreemptLowerPriority';
  },
});

export const groupKinds: readonly ResourceKind[] = [
  endpointSliceKind,
  ingressClassKind,
  ingressKind,
  networkPolicyKind,
  podDisruptionBudgetKind,
  priorityClassKind,
  horizontalPodAutoscalerKind,
  autoscalingV1HorizontalPodAutoscalerKind,
  eventsV1EventKind,
  csiDriverKind,
  csiNodeKind,
  storageClassKind,
  volumeAttachmentKind,
];
