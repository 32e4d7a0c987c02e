/**
 * The core/v1 kinds beyond pods, namespaces, service accounts, config maps and secrets, with kube-apiserver
 * 1.33's discovery data (`GET /api/v1`), the field selectors of `pkg/apis/core/v1/conversion.go` and the
 * defaults clients rely on.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/conversion.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/defaults.go
 * @see https://github.com/kubernetes/kubernetes/tree/master/pkg/registry/core
 */
import type { KubeObject, ResourceKind, SubresourceDefinition } from '../resource-kind.js';
import {
  fieldGetters,
  fieldValue,
  legacyUnsupportedField,
  objectField,
  objectItems,
  storedKind,
} from './fields.js';
import { SUBRESOURCE_VERBS } from '../verbs.js';
import { defaultPodTemplate } from './pod-template-defaults.js';
import { defaultService, keepAllocatedServiceValues } from './service-defaults.js';

const statusOf = (kind: string): SubresourceDefinition => ({
  name: 'status',
  kind,
  verbs: SUBRESOURCE_VERBS,
});

function coreKind(
  kind: string,
  resource: string,
  rest: Partial<ResourceKind> & Pick<ResourceKind, 'namespaced'>,
): ResourceKind {
  return storedKind('', 'v1', kind, resource, rest);
}

/**
 * core/v1 Service: a cluster IP from 10.96.0.0/12 and node ports from 30000-32767 allocated on create
 * (`services/proxy` is not listed: it is not served). DELETE returns the object, as its store does.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/service/storage/storage.go
 */
export const serviceKind: ResourceKind = coreKind('Service', 'services', {
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: [statusOf('Service')],
  // ValidateServiceName is NameIsDNS1035Label (pkg/apis/core/validation/validation.go).
  nameValidation: 'dns1035Label',
  fieldSelectors: fieldGetters('metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'),
  unsupportedFieldMessage: legacyUnsupportedField,
  deleteReturnsObject: true,
  defaultOnCreate: defaultService,
  normalizeOnWrite(service, current) {
    if (current) keepAllocatedServiceValues(service, current);
  },
});

/** core/v1 Endpoints (the singular is `endpoints`); ports default to TCP. */
export const endpointsKind: ResourceKind = coreKind('Endpoints', 'endpoints', {
  namespaced: true,
  singular: 'endpoints',
  shortNames: ['ep'],
  // k8s.io/api core/v1 lifecycle.go: deprecated in 1.33, replaced by discovery.k8s.io/v1 EndpointSlice.
  deprecationWarning: 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice',
  normalizeOnWrite(endpoints) {
    for (const subset of objectItems(endpoints.subsets)) {
      for (const port of objectItems(subset.ports)) port.protocol ??= 'TCP';
    }
  },
});

/**
 * core/v1 Event, with `AddFieldLabelConversionsForEvent`'s selectors (`source` is `source.component`,
 * `reportingComponent` the `reportingComponent` field).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/event/strategy.go
 */
export const eventKind: ResourceKind = coreKind('Event', 'events', {
  namespaced: true,
  shortNames: ['ev'],
  fieldSelectors: {
    ...fieldGetters(
      'metadata.name',
      'metadata.namespace',
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'type',
    ),
    source: (event) => fieldValue(event, 'source.component'),
  },
  unsupportedFieldMessage: legacyUnsupportedField,
});

/**
 * core/v1 Node (cluster scoped): `spec.unschedulable` selectable (`false` when unset), allocatable
 * defaulting to capacity.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/node/strategy.go
 */
export const nodeKind: ResourceKind = coreKind('Node', 'nodes', {
  namespaced: false,
  shortNames: ['no'],
  subresources: [statusOf('Node')],
  fieldSelectors: {
    'metadata.name': (node) => fieldValue(node, 'metadata.name'),
    'spec.unschedulable': (node) => fieldValue(node, 'spec.unschedulable', 'false'),
  },
  unsupportedFieldMessage: legacyUnsupportedField,
  normalizeOnWrite(node) {
    const status = objectField(node, 'status');
    if (status.capacity !== undefined) status.allocatable ??= status.capacity;
    objectField(node, 'spec');
  },
});

/** core/v1 PersistentVolumeClaim: volumeMode Filesystem, phase Pending. */
export const persistentVolumeClaimKind: ResourceKind = coreKind(
  'PersistentVolumeClaim',
  'persistentvolumeclaims',
  {
    namespaced: true,
    shortNames: ['pvc'],
    subresources: [statusOf('PersistentVolumeClaim')],
    deleteReturnsObject: true,
    normalizeOnWrite(claim) {
      objectField(claim, 'spec').volumeMode ??= 'Filesystem';
      objectField(claim, 'status').phase ??= 'Pending';
    },
  },
);

/**
 * core/v1 PersistentVolume (cluster scoped): reclaim policy Retain, volumeMode Filesystem, a hostPath's type `""`,
 * phase Pending.
 */
export const persistentVolumeKind: ResourceKind = coreKind('PersistentVolume', 'persistentvolumes', {
  namespaced: false,
  shortNames: ['pv'],
  subresources: [statusOf('PersistentVolume')],
  deleteReturnsObject: true,
  normalizeOnWrite(volume) {
    const spec = objectField(volume, 'spec');
    spec.persistentVolumeReclaimPolicy ??= 'Retain';
    spec.volumeMode ??= 'Filesystem';
    // SetDefaults_HostPathVolumeSource: HostPathUnset.
    const hostPath = spec.hostPath as Record<string, unknown> | undefined;
    if (hostPath && typeof hostPath === 'object') hostPath.type ??= '';
    objectField(volume, 'status').phase ??= 'Pending';
  },
});

/** core/v1 ResourceQuota. */
export const resourceQuotaKind: ResourceKind = coreKind('ResourceQuota', 'resourcequotas', {
  namespaced: true,
  shortNames: ['quota'],
  subresources: [statusOf('ResourceQuota')],
});

/**
 * core/v1 LimitRange. `SetDefaults_LimitRangeItem`: a Container item's default limit falls back to its max, its
 * default request to the default limit, then to its min.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/pkg/apis/core/v1/defaults.go
 */
export const limitRangeKind: ResourceKind = coreKind('LimitRange', 'limitranges', {
  namespaced: true,
  shortNames: ['limits'],
  normalizeOnWrite(limitRange) {
    const spec = objectField(limitRange, 'spec');
    if (!Array.isArray(spec.limits)) return;
    for (const item of spec.limits as Record<string, unknown>[]) {
      if (item === null || typeof item !== 'object' || item.type !== 'Container') continue;
      const defaults = objectField(item, 'default');
      const requests = objectField(item, 'defaultRequest');
      const fill = (into: Record<string, unknown>, from: unknown) => {
        if (from === null || typeof from !== 'object') return;
        for (const [key, value] of Object.entries(from)) into[key] ??= value;
      };
      fill(defaults, item.max);
      fill(requests, defaults);
      fill(requests, item.min);
    }
  },
});

function labelsOf(obj: Record<string, unknown> | undefined): Record<string, string> | undefined {
  const labels = obj?.labels;
  return labels !== null && typeof labels === 'object' ? (labels as Record<string, string>) : undefined;
}

/**
 * core/v1 ReplicationController with its `scale` subresource (autoscaling/v1 Scale): replicas default to
 * 1, the selector and the object's labels to the template's labels (`SetDefaults_ReplicationController`).
 */
export const replicationControllerKind: ResourceKind = coreKind(
  'ReplicationController',
  'replicationcontrollers',
  {
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: SUBRESOURCE_VERBS },
      statusOf('ReplicationController'),
    ],
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
    tracksGeneration: true,
    fieldSelectors: {
      ...fieldGetters('metadata.name', 'metadata.namespace'),
      'status.replicas': (rc: KubeObject) => fieldValue(rc, 'status.replicas', '0'),
    },
    unsupportedFieldMessage: legacyUnsupportedField,
    normalizeOnWrite(rc) {
      const spec = objectField(rc, 'spec');
      spec.replicas ??= 1;
      const template = spec.template as Record<string, unknown> | undefined;
      if (template && typeof template === 'object') {
        const templateLabels = labelsOf(template.metadata as Record<string, unknown> | undefined);
        if (templateLabels && Object.keys(templateLabels).length > 0) {
          if (!spec.selector || Object.keys(spec.selector as object).length === 0)
            spec.selector = { ...templateLabels };
          const metadata = (rc.metadata ??= {});
          if (!metadata.labels || Object.keys(metadata.labels).length === 0)
            metadata.labels = { ...templateLabels };
        }
        defaultPodTemplate(template);
      }
      objectField(rc, 'status').replicas ??= 0;
    },
  },
);

/** Every core/v1 kind this module adds. */
export const moreCoreKinds: readonly ResourceKind[] = [
  serviceKind,
  endpointsKind,
  eventKind,
  nodeKind,
  persistentVolumeClaimKind,
  persistentVolumeKind,
  resourceQuotaKind,
  limitRangeKind,
  replicationControllerKind,
];
