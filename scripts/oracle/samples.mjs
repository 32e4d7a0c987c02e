// A minimal valid object of every kind the scenarios write, as a function of its name. Workloads ask for no
// replicas and Jobs are suspended: the oracle has no nodes, and the comparison is of the API, not of pods.

const container = { name: 'c', image: 'busybox:1.36' };
const template = (app) => ({ metadata: { labels: { app } }, spec: { containers: [container] } });

/**
 * @typedef {{ group: string, version: string, resource: string, kind: string, namespaced: boolean,
 *   spec: (name: string) => object }} Sample
 */

/** @type {Sample[]} */
export const SAMPLES = [
  core('configmaps', 'ConfigMap', true, () => ({ data: { a: '1' } })),
  core('secrets', 'Secret', true, () => ({ type: 'Opaque', data: { a: 'MQ==' } })),
  core('serviceaccounts', 'ServiceAccount', true, () => ({})),
  core('services', 'Service', true, () => ({ spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } })),
  core('pods', 'Pod', true, () => ({ spec: { containers: [container] } })),
  core('endpoints', 'Endpoints', true, () => ({
    subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
  })),
  core('events', 'Event', true, (name, ns) => ({
    involvedObject: { kind: 'Pod', name: 'p', namespace: ns },
    reason: 'Tested',
    message: 'a message',
    type: 'Normal',
  })),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', true, () => ({
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  })),
  core('resourcequotas', 'ResourceQuota', true, () => ({ spec: { hard: { pods: '10' } } })),
  core('limitranges', 'LimitRange', true, () => ({
    spec: { limits: [{ type: 'Container', default: { cpu: '100m' } }] },
  })),
  core('replicationcontrollers', 'ReplicationController', true, () => ({
    spec: { replicas: 0, selector: { app: 'x' }, template: template('x') },
  })),
  core('podtemplates', 'PodTemplate', true, () => ({ template: template('x') })),
  core('namespaces', 'Namespace', false, () => ({})),
  core('nodes', 'Node', false, () => ({})),
  core('persistentvolumes', 'PersistentVolume', false, () => ({
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' } },
  })),
  apps('deployments', 'Deployment', () => ({
    spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template: template('x') },
  })),
  apps('replicasets', 'ReplicaSet', () => ({
    spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template: template('x') },
  })),
  apps('statefulsets', 'StatefulSet', () => ({
    spec: { replicas: 0, serviceName: 'x', selector: { matchLabels: { app: 'x' } }, template: template('x') },
  })),
  apps('daemonsets', 'DaemonSet', () => ({
    spec: { selector: { matchLabels: { app: 'x' } }, template: template('x') },
  })),
  apps('controllerrevisions', 'ControllerRevision', () => ({ revision: 1, data: { a: 1 } })),
  api('batch', 'v1', 'jobs', 'Job', true, () => ({
    spec: { suspend: true, template: { spec: { containers: [container], restartPolicy: 'Never' } } },
  })),
  api('batch', 'v1', 'cronjobs', 'CronJob', true, () => ({
    spec: {
      schedule: '*/5 * * * *',
      suspend: true,
      jobTemplate: { spec: { template: { spec: { containers: [container], restartPolicy: 'OnFailure' } } } },
    },
  })),
  api('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, () => ({
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
      minReplicas: 1,
      maxReplicas: 3,
    },
  })),
  api('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, () => ({
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, maxReplicas: 3 },
  })),
  api('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, () => ({
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } },
  })),
  api('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, () => ({
    spec: { defaultBackend: { service: { name: 'x', port: { number: 80 } } } },
  })),
  api('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, () => ({
    spec: { podSelector: {} },
  })),
  api('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false, () => ({
    spec: { controller: 'example.com/ingress' },
  })),
  api('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, () => ({
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
    ports: [{ port: 80 }],
  })),
  api('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true, () => ({
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
  })),
  api('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true, (name, ns) => ({
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
  })),
  api('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false, () => ({
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
  })),
  api('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false, (name, ns) => ({
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
  })),
  api('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, () => ({ value: 1000 })),
  api('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, () => ({
    provisioner: 'example.com/x',
  })),
  api('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false, () => ({ spec: {} })),
  api('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false, () => ({ spec: { drivers: [] } })),
  api('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false, () => ({
    spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } },
  })),
  api('coordination.k8s.io', 'v1', 'leases', 'Lease', true, () => ({ spec: { holderIdentity: 'me' } })),
  api('events.k8s.io', 'v1', 'events', 'Event', true, (name, ns) => ({
    eventTime: '2026-01-01T00:00:00.000000Z',
    reportingController: 'example.com/oracle',
    reportingInstance: 'oracle-1',
    action: 'Test',
    reason: 'Tested',
    type: 'Normal',
    note: 'a note',
    regarding: { kind: 'Pod', name: 'p', namespace: ns },
  })),
];

function core(resource, kind, namespaced, spec) {
  return { group: '', version: 'v1', resource, kind, namespaced, spec };
}

function apps(resource, kind, spec) {
  return api('apps', 'v1', resource, kind, true, spec);
}

function api(group, version, resource, kind, namespaced, spec) {
  return { group, version, resource, kind, namespaced, spec };
}

/** The apiVersion of a sample. */
export function apiVersionOf(sample) {
  return sample.group ? `${sample.group}/${sample.version}` : sample.version;
}

/** The collection path of a sample's kind, in namespace `{ns}` when namespaced. */
export function collectionPath(sample) {
  const base = sample.group ? `/apis/${sample.group}/${sample.version}` : `/api/${sample.version}`;
  return sample.namespaced ? `${base}/namespaces/{ns}/${sample.resource}` : `${base}/${sample.resource}`;
}

/** The full object of a sample named `name`, labelled with the scenario's id. */
export function objectOf(sample, name, labels = { oracle: '{sid}' }) {
  const body = sample.spec(name, '{ns}');
  return {
    apiVersion: apiVersionOf(sample),
    kind: sample.kind,
    metadata: { name, ...(sample.namespaced ? { namespace: '{ns}' } : {}), labels },
    ...body,
  };
}
