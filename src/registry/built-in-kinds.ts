import { STANDARD_VERBS } from './verbs.js';
import { appsKinds } from './apps-kinds.js';
import { leaseKind } from './lease-kind.js';
import { additionalBuiltInKinds } from './kinds/index.js';
import { customResourceDefinitionKind } from '../crd/crd-kind.js';
import { addDefaultTolerations, defaultPodFields } from './pod-defaults.js';
import { computePodQos } from './pod-qos.js';
import type { ResourceKind } from './resource-kind.js';
import { fieldGetters, fieldValue, legacyUnsupportedField } from './kinds/fields.js';

/**
 * core/v1 Pod, with the field selectors of `addFieldLabelConversionsForPod` (`spec.host` being the
 * legacy alias of `spec.nodeName`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/conversion.go
 */
export const podKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  singular: 'pod',
  namespaced: true,
  verbs: STANDARD_VERBS,
  shortNames: ['po'],
  categories: ['all'],
  subresources: [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ],
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  fieldSelectors: {
    ...fieldGetters(
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ),
    'spec.host': (obj) => fieldValue(obj, 'spec.nodeName'),
  },
  unsupportedFieldMessage: legacyUnsupportedField,
  deleteReturnsObject: true,
  // The DefaultTolerationSeconds admission plugin, on create and update.
  normalizeOnWrite(pod) {
    if (pod.spec && typeof pod.spec === 'object') addDefaultTolerations(pod.spec as Record<string, unknown>);
  },
  // A fixture may seed phase and qosClass; the QoS class is otherwise computed, for every pod
  // (`GetPodQOS`). API creates reset status first (`src/api/create-status-reset.ts`).
  defaultOnCreate(pod) {
    const spec = defaultPodFields(pod);
    const status = (pod.status ??= {}) as Record<string, unknown>;
    status.phase ??= 'Pending';
    status.qosClass ??= computePodQos(spec);
  },
};

/** core/v1 Namespace (cluster scoped, DNS-1123 label names, `status.phase` selectable). */
export const namespaceKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames: ['ns'],
  subresources: [
    { name: 'finalize', kind: 'Namespace', verbs: ['update'] },
    { name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] },
  ],
  storage: 'stored',
  nameValidation: 'dns1123Label',
  fieldSelectors: fieldGetters('metadata.name', 'status.phase'),
  unsupportedFieldMessage: legacyUnsupportedField,
  defaultOnCreate(ns) {
    const spec = (ns.spec ??= {}) as Record<string, unknown>;
    spec.finalizers ??= ['kubernetes'];
    const status = (ns.status ??= {}) as Record<string, unknown>;
    status.phase ??= 'Active';
    const metadata = (ns.metadata ??= {});
    const labels = (metadata.labels ??= {});
    if (metadata.name) labels['kubernetes.io/metadata.name'] = metadata.name;
  },
};

/** core/v1 ServiceAccount. */
export const serviceAccountKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  verbs: STANDARD_VERBS,
  shortNames: ['sa'],
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  deleteReturnsObject: true,
  subresources: [
    { name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  ],
};

/** core/v1 Secret, with the `type` field selector of `addFieldLabelConversionsForSecret`. */
export const secretKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  resource: 'secrets',
  singular: 'secret',
  namespaced: true,
  verbs: STANDARD_VERBS,
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  fieldSelectors: fieldGetters('metadata.name', 'metadata.namespace', 'type'),
  unsupportedFieldMessage: legacyUnsupportedField,
  defaultOnCreate(secret) {
    secret.type ??= 'Opaque';
  },
  normalizeOnWrite(secret) {
    // stringData is write-only: merged into data (base64) on every write, as the Secret strategy does.
    const stringData = secret.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = (secret.data ??= {}) as Record<string, string>;
      for (const [key, value] of Object.entries(stringData))
        data[key] = Buffer.from(value).toString('base64');
      delete secret.stringData;
    }
  },
};

/** core/v1 ConfigMap. */
export const configMapKind: ResourceKind = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  verbs: STANDARD_VERBS,
  shortNames: ['cm'],
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
};

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function rbacKind(kind: string, resource: string, namespaced: boolean): ResourceKind {
  return {
    group: RBAC_GROUP,
    version: 'v1',
    kind,
    resource,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: STANDARD_VERBS,
    storage: 'stored',
    nameValidation: 'pathSegment',
  };
}

/** The four rbac.authorization.k8s.io/v1 kinds. */
export const rbacKinds: readonly ResourceKind[] = [
  rbacKind('Role', 'roles', true),
  rbacKind('RoleBinding', 'rolebindings', true),
  rbacKind('ClusterRole', 'clusterroles', false),
  rbacKind('ClusterRoleBinding', 'clusterrolebindings', false),
];

function reviewKind(group: string, kind: string, resource: string, namespaced = false): ResourceKind {
  return {
    group,
    version: 'v1',
    kind,
    resource,
    // kube-apiserver 1.33 lists each review with its singular name (`tokenreview`), as the oracle shows.
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ['create'],
    storage: 'review',
  };
}

/** Create-only review resources answered on the spot. */
export const reviewKinds: readonly ResourceKind[] = [
  // In kube-apiserver's order: its installer sorts a group version's resources by path.
  reviewKind('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true),
  reviewKind('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
  reviewKind('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
  reviewKind('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews'),
  reviewKind('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews'),
  reviewKind('authentication.k8s.io', 'TokenReview', 'tokenreviews'),
];

/** Every kind served by default. */
export const builtInKinds: readonly ResourceKind[] = [
  podKind,
  namespaceKind,
  serviceAccountKind,
  configMapKind,
  secretKind,
  ...rbacKinds,
  ...reviewKinds,
  leaseKind,
  ...appsKinds,
  customResourceDefinitionKind,
  ...additionalBuiltInKinds,
];
