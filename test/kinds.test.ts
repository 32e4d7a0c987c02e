import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';

// The discovery entries of kube-apiserver 1.33 for the kinds this file covers (GET /api/v1, /apis/{g}/{v}).
const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUB = ['get', 'patch', 'update'];
// Every stored resource's storageVersionHash on a 1.33 cluster (subresources and reviews have none).
const STORAGE_VERSION_HASHES: Record<string, string> = {
  'api/v1 pods': 'xPOwRZ+Yhw8=',
  'api/v1 namespaces': 'Q3oi5N2YM8M=',
  'api/v1 serviceaccounts': 'pbx9ZvyFpBE=',
  'api/v1 configmaps': 'qFsyl6wFWjQ=',
  'api/v1 secrets': 'S6u1pOWzb84=',
  'apis/rbac.authorization.k8s.io/v1 roles': '7FuwZcIIItM=',
  'apis/rbac.authorization.k8s.io/v1 rolebindings': 'eGsCzGH6b1g=',
  'apis/rbac.authorization.k8s.io/v1 clusterroles': 'bYE5ZWDrJ44=',
  'apis/rbac.authorization.k8s.io/v1 clusterrolebindings': '48tpQ8gZHFc=',
  'apis/coordination.k8s.io/v1 leases': 'gqkMMb/YqFM=',
  'apis/apps/v1 controllerrevisions': '85nkx63pcBU=',
  'apis/apps/v1 daemonsets': 'dd7pWHUlMKQ=',
  'apis/apps/v1 deployments': '8aSe+NMegvE=',
  'apis/apps/v1 replicasets': 'P1RzHs8/mWQ=',
  'apis/apps/v1 statefulsets': 'H+vl74LkKdo=',
  'apis/apiextensions.k8s.io/v1 customresourcedefinitions': 'M5uH+AlWATY=',
  'api/v1 services': '0/CO1lhkEBI=',
  'api/v1 endpoints': 'fWeeMqaN/OA=',
  'api/v1 events': 'r2yiGXH7wu8=',
  'api/v1 nodes': 'XwShjMxG9Fs=',
  'api/v1 persistentvolumeclaims': 'QWTyNDq0dC4=',
  'api/v1 persistentvolumes': 'HN/zwEC+JgM=',
  'api/v1 resourcequotas': '8uhSgffRX6w=',
  'api/v1 limitranges': 'EBKMFVe6cwo=',
  'api/v1 replicationcontrollers': 'Jond2If31h0=',
  'apis/batch/v1 cronjobs': 'sd5LIXh4Fjs=',
  'apis/batch/v1 jobs': 'mudhfqk/qZY=',
  'apis/discovery.k8s.io/v1 endpointslices': 'qgS0xkrxYAI=',
  'apis/networking.k8s.io/v1 ingressclasses': 'l/iqIbDgFyQ=',
  'apis/networking.k8s.io/v1 ingresses': '39NQlfNR+bo=',
  'apis/networking.k8s.io/v1 networkpolicies': 'YpfwF18m1G8=',
  'apis/policy/v1 poddisruptionbudgets': 'EVWiDmWqyJw=',
  'apis/scheduling.k8s.io/v1 priorityclasses': '1QwjyaZjj3Y=',
  'apis/autoscaling/v2 horizontalpodautoscalers': 'qwQve8ut294=',
  'apis/autoscaling/v1 horizontalpodautoscalers': 'qwQve8ut294=',
  'apis/events.k8s.io/v1 events': 'r2yiGXH7wu8=',
  'apis/storage.k8s.io/v1 csidrivers': 'hL6j/rwBV5w=',
  'apis/storage.k8s.io/v1 csinodes': 'Pe62DkZtjuo=',
  'apis/storage.k8s.io/v1 storageclasses': 'K+m6uJwbjGY=',
  'apis/storage.k8s.io/v1 volumeattachments': 'tJx/ezt6UDU=',
};
const EXPECTED_DISCOVERY: Record<string, Record<string, unknown>[]> = {
  'api/v1': [
    {
      name: 'services',
      singularName: 'service',
      namespaced: true,
      kind: 'Service',
      verbs: ALL,
      shortNames: ['svc'],
      categories: ['all'],
    },
    { name: 'services/status', singularName: '', namespaced: true, kind: 'Service', verbs: SUB },
    {
      name: 'endpoints',
      singularName: 'endpoints',
      namespaced: true,
      kind: 'Endpoints',
      verbs: ALL,
      shortNames: ['ep'],
    },
    {
      name: 'events',
      singularName: 'event',
      namespaced: true,
      kind: 'Event',
      verbs: ALL,
      shortNames: ['ev'],
    },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ALL, shortNames: ['no'] },
    { name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: SUB },
    {
      name: 'persistentvolumeclaims',
      singularName: 'persistentvolumeclaim',
      namespaced: true,
      kind: 'PersistentVolumeClaim',
      verbs: ALL,
      shortNames: ['pvc'],
    },
    {
      name: 'persistentvolumeclaims/status',
      singularName: '',
      namespaced: true,
      kind: 'PersistentVolumeClaim',
      verbs: SUB,
    },
    {
      name: 'persistentvolumes',
      singularName: 'persistentvolume',
      namespaced: false,
      kind: 'PersistentVolume',
      verbs: ALL,
      shortNames: ['pv'],
    },
    {
      name: 'persistentvolumes/status',
      singularName: '',
      namespaced: false,
      kind: 'PersistentVolume',
      verbs: SUB,
    },
    {
      name: 'resourcequotas',
      singularName: 'resourcequota',
      namespaced: true,
      kind: 'ResourceQuota',
      verbs: ALL,
      shortNames: ['quota'],
    },
    { name: 'resourcequotas/status', singularName: '', namespaced: true, kind: 'ResourceQuota', verbs: SUB },
    {
      name: 'limitranges',
      singularName: 'limitrange',
      namespaced: true,
      kind: 'LimitRange',
      verbs: ALL,
      shortNames: ['limits'],
    },
    {
      name: 'replicationcontrollers',
      singularName: 'replicationcontroller',
      namespaced: true,
      kind: 'ReplicationController',
      verbs: ALL,
      shortNames: ['rc'],
      categories: ['all'],
    },
    {
      name: 'replicationcontrollers/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: SUB,
    },
    {
      name: 'replicationcontrollers/status',
      singularName: '',
      namespaced: true,
      kind: 'ReplicationController',
      verbs: SUB,
    },
  ],
  'apis/batch/v1': [
    {
      name: 'cronjobs',
      singularName: 'cronjob',
      namespaced: true,
      kind: 'CronJob',
      verbs: ALL,
      shortNames: ['cj'],
      categories: ['all'],
    },
    { name: 'cronjobs/status', singularName: '', namespaced: true, kind: 'CronJob', verbs: SUB },
    { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: ALL, categories: ['all'] },
    { name: 'jobs/status', singularName: '', namespaced: true, kind: 'Job', verbs: SUB },
  ],
  'apis/discovery.k8s.io/v1': [
    {
      name: 'endpointslices',
      singularName: 'endpointslice',
      namespaced: true,
      kind: 'EndpointSlice',
      verbs: ALL,
    },
  ],
  'apis/networking.k8s.io/v1': [
    {
      name: 'ingressclasses',
      singularName: 'ingressclass',
      namespaced: false,
      kind: 'IngressClass',
      verbs: ALL,
    },
    {
      name: 'ingresses',
      singularName: 'ingress',
      namespaced: true,
      kind: 'Ingress',
      verbs: ALL,
      shortNames: ['ing'],
    },
    { name: 'ingresses/status', singularName: '', namespaced: true, kind: 'Ingress', verbs: SUB },
    {
      name: 'networkpolicies',
      singularName: 'networkpolicy',
      namespaced: true,
      kind: 'NetworkPolicy',
      verbs: ALL,
      shortNames: ['netpol'],
    },
  ],
  'apis/policy/v1': [
    {
      name: 'poddisruptionbudgets',
      singularName: 'poddisruptionbudget',
      namespaced: true,
      kind: 'PodDisruptionBudget',
      verbs: ALL,
      shortNames: ['pdb'],
    },
    {
      name: 'poddisruptionbudgets/status',
      singularName: '',
      namespaced: true,
      kind: 'PodDisruptionBudget',
      verbs: SUB,
    },
  ],
  'apis/autoscaling/v1': [
    {
      name: 'horizontalpodautoscalers',
      singularName: 'horizontalpodautoscaler',
      namespaced: true,
      kind: 'HorizontalPodAutoscaler',
      verbs: ALL,
      shortNames: ['hpa'],
      categories: ['all'],
    },
    {
      name: 'horizontalpodautoscalers/status',
      singularName: '',
      namespaced: true,
      kind: 'HorizontalPodAutoscaler',
      verbs: SUB,
    },
  ],
  'apis/autoscaling/v2': [
    {
      name: 'horizontalpodautoscalers',
      singularName: 'horizontalpodautoscaler',
      namespaced: true,
      kind: 'HorizontalPodAutoscaler',
      verbs: ALL,
      shortNames: ['hpa'],
      categories: ['all'],
    },
    {
      name: 'horizontalpodautoscalers/status',
      singularName: '',
      namespaced: true,
      kind: 'HorizontalPodAutoscaler',
      verbs: SUB,
    },
  ],
  'apis/events.k8s.io/v1': [
    {
      name: 'events',
      singularName: 'event',
      namespaced: true,
      kind: 'Event',
      verbs: ALL,
      shortNames: ['ev'],
    },
  ],
  'apis/storage.k8s.io/v1': [
    { name: 'csidrivers', singularName: 'csidriver', namespaced: false, kind: 'CSIDriver', verbs: ALL },
    { name: 'csinodes', singularName: 'csinode', namespaced: false, kind: 'CSINode', verbs: ALL },
    {
      name: 'storageclasses',
      singularName: 'storageclass',
      namespaced: false,
      kind: 'StorageClass',
      verbs: ALL,
      shortNames: ['sc'],
    },
    {
      name: 'volumeattachments',
      singularName: 'volumeattachment',
      namespaced: false,
      kind: 'VolumeAttachment',
      verbs: ALL,
    },
    {
      name: 'volumeattachments/status',
      singularName: '',
      namespaced: false,
      kind: 'VolumeAttachment',
      verbs: SUB,
    },
  ],
};

const container = { name: 'main', image: 'busybox:1.36', command: ['true'] };
const podTemplate = {
  metadata: { labels: { app: 'kinds' } },
  spec: { containers: [container], restartPolicy: 'Never' },
};

/** One sample object per kind, for the CRUD and watch round trip. */
type Sample = KubernetesObject & Record<string, unknown>;

const SAMPLES: Sample[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web' },
    subsets: [{ addresses: [{ ip: '10.0.0.5' }], ports: [{ port: 8080 }] }],
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1' },
    involvedObject: { kind: 'Pod', name: 'web' },
    reason: 'Started',
    message: 'ok',
    type: 'Normal',
  },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-a' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv-a' } },
  },
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota' }, spec: { hard: { pods: '10' } } },
  {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: { limits: [{ type: 'Container', default: { cpu: '100m' } }] },
  },
  {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'rc' },
    spec: { replicas: 1, selector: { app: 'kinds' }, template: podTemplate },
  },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: { template: podTemplate } },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cron' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate } } },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.5'] }],
    ports: [{ port: 8080 }],
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web' },
    spec: { rules: [{ host: 'web.example.com' }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx' },
    spec: { controller: 'k8s.io/ingress-nginx' },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny' },
    spec: { podSelector: {} },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'pdb' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'kinds' } } },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'hpa' },
    spec: { scaleTargetRef: { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc' }, maxReplicas: 3 },
  },
  {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.2' },
    eventTime: '2025-01-01T00:00:00.000000Z',
    reportingController: 'test',
    reportingInstance: 'test-1',
    action: 'Started',
    reason: 'Started',
    regarding: { kind: 'Pod', name: 'web' },
    type: 'Normal',
  },
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: 'example.com/fast',
  },
];

const CLUSTER_SCOPED = new Set(['Node', 'PersistentVolume', 'IngressClass', 'StorageClass']);

function pathOf(obj: KubernetesObject, namespace: string): string {
  const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural: Record<string, string> = {
    Endpoints: 'endpoints',
    Ingress: 'ingresses',
    IngressClass: 'ingressclasses',
    NetworkPolicy: 'networkpolicies',
    StorageClass: 'storageclasses',
    PersistentVolumeClaim: 'persistentvolumeclaims',
  };
  const resource = plural[obj.kind!] ?? `${obj.kind!.toLowerCase()}s`;
  return CLUSTER_SCOPED.has(obj.kind!)
    ? `${base}/${resource}`
    : `${base}/namespaces/${namespace}/${resource}`;
}

describe('built-in kinds', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let kc: KubeConfig;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-kinds-'));
    kubeconfig = join(dir, 'kubeconfig');
    // Still: each sample is read back as it was written (no scheduler, kubelet or controller moves it on, and
    // the workload controllers would create pods and rewrite status).
    server = await startFakeApiServer({ kubeconfig, cluster: false });
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
  });
  afterAll(() => server?.close());

  const kubectl = (minor: number, ...args: string[]) =>
    run(kubectlBinary(minor), [
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      join(dir, `cache-${minor}`),
      ...args,
    ]);
  const hasKubectl = (minor: number) =>
    clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectlBinary(minor)));

  async function getJson(path: string): Promise<Record<string, unknown>> {
    const kubeconfigText = await readFile(kubeconfig, 'utf8');
    const response = await send(server.url, server.caCert, {
      path,
      client: adminCredentials(kubeconfigText),
    });
    return response.json() as Record<string, unknown>;
  }

  it('serves the discovery entries of kube-apiserver 1.33', async () => {
    for (const [path, expected] of Object.entries(EXPECTED_DISCOVERY)) {
      const list = await getJson(`/${path}`);
      const resources = list.resources as { name: string }[];
      for (const entry of expected) {
        const hash = STORAGE_VERSION_HASHES[`${path} ${String(entry.name)}`];
        expect(
          resources.find((r) => r.name === entry.name),
          `${path} ${String(entry.name)}`,
        ).toEqual(hash ? { ...entry, storageVersionHash: hash } : entry);
      }
    }
    const core = (await getJson('/api/v1')).resources as { name: string }[];
    expect(core.map((r) => r.name)).not.toContain('services/proxy');
  });

  it('lists /apis groups in kube-apiserver order', async () => {
    const groups = (await getJson('/apis')).groups as {
      name: string;
      preferredVersion: { version: string };
      versions: { version: string }[];
    }[];
    const names = groups.map((g) => g.name);
    const expectedOrder = [
      'events.k8s.io',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'autoscaling',
      'batch',
      'networking.k8s.io',
      'policy',
      'rbac.authorization.k8s.io',
      'storage.k8s.io',
      'coordination.k8s.io',
      'discovery.k8s.io',
    ];
    expect(names.filter((n) => expectedOrder.includes(n))).toEqual(expectedOrder);
    const autoscaling = groups.find((g) => g.name === 'autoscaling')!;
    expect(autoscaling.preferredVersion.version).toBe('v2');
    expect(autoscaling.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
  });

  it('round-trips every kind through client-node: create, read, patch, list, watch, delete', async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    for (const sample of SAMPLES) {
      const namespaced = !CLUSTER_SCOPED.has(sample.kind!);
      const spec = {
        ...sample,
        metadata: { ...sample.metadata, ...(namespaced ? { namespace: 'default' } : {}) },
      };
      const events: string[] = [];
      const controller = await new Watch(kc).watch(
        pathOf(sample, 'default'),
        {},
        // Only the sample: default also holds what the apiserver keeps there (the kubernetes Service…).
        (type, obj: KubernetesObject) => {
          if (obj.metadata?.name === sample.metadata?.name) events.push(`${type}:${obj.metadata?.name}`);
        },
        () => undefined,
      );
      try {
        const created = await api.create(spec);
        expect(created.metadata?.uid, sample.kind).toBeTruthy();
        const read = await api.read({
          apiVersion: spec.apiVersion!,
          kind: spec.kind!,
          metadata: spec.metadata as { name: string; namespace?: string },
        });
        expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
        const patched = await api.patch(
          {
            apiVersion: spec.apiVersion,
            kind: spec.kind,
            metadata: { ...spec.metadata, labels: { touched: 'yes' } },
          } as KubernetesObject,
          undefined,
          undefined,
          undefined,
          undefined,
          PatchStrategy.MergePatch,
        );
        expect(patched.metadata?.labels?.touched, sample.kind).toBe('yes');
        const list = await api.list(spec.apiVersion!, spec.kind!, namespaced ? 'default' : undefined);
        expect(list.items.map((i) => i.metadata?.name)).toContain(spec.metadata.name);
        await api.delete(spec);
        const name = spec.metadata.name!;
        // Deleting a replication controller orphans its pods by default: a finalizer update comes first.
        await expect.poll(() => events.at(-1), { timeout: 5000 }).toBe(`DELETED:${name}`);
        expect(events.slice(0, 2)).toEqual([`ADDED:${name}`, `MODIFIED:${name}`]);
      } finally {
        controller.abort();
      }
    }
  });

  it('defaults services, jobs, cronjobs, claims and volumes as the real apiserver', async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    const svc = (await api.create<Sample>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'np' }, ports: [{ port: 80 }] },
    })) as unknown as KubernetesObject & { spec: Record<string, any> };
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(svc.spec).toMatchObject({
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Cluster',
      clusterIPs: [svc.spec.clusterIP],
    });
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    const job = (await api.create<Sample>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'defaults', namespace: 'default' },
      spec: { template: podTemplate },
    })) as unknown as KubernetesObject & { spec: Record<string, any> };
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
    });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].terminationMessagePolicy).toBe('File');
    expect(job.metadata?.generation).toBe(1);
    // The job strategy's generated selector, from the uid the store assigned.
    const uid = job.metadata!.uid!;
    expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(job.spec.template.metadata.labels).toEqual({
      app: 'kinds',
      'job-name': 'defaults',
      'batch.kubernetes.io/job-name': 'defaults',
      'controller-uid': uid,
      'batch.kubernetes.io/controller-uid': uid,
    });
    expect(job.metadata?.labels).toEqual({ app: 'kinds' });
    const pv = (await api.create<Sample>({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-defaults' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' } },
    })) as unknown as KubernetesObject & { spec: Record<string, any>; status: Record<string, any> };
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(pv.status.phase).toBe('Pending');
  });

  it("rejects unsupported field selectors with the kind's message", async () => {
    const job = await getJson('/apis/batch/v1/namespaces/default/jobs?fieldSelector=status.succeeded%3D1');
    expect(job).toMatchObject({
      code: 400,
      message: 'field label "status.succeeded" not supported for batchv1.Job',
    });
    const node = await getJson('/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse');
    expect(node.kind).toBe('NodeList');
  });

  describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('python client', () => {
    it('lists events by field selector, gets the upstream error for an unsupported field, watches jobs', async () => {
      const api = KubernetesObjectApi.makeApiClient(kc);
      for (const [name, target] of [
        ['a.1', 'alpha'],
        ['b.1', 'beta'],
      ] as const) {
        await api.create<Sample>({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: 'default' },
          involvedObject: { kind: 'Pod', name: target, namespace: 'default' },
          reason: 'Pulled',
          type: 'Normal',
          source: { component: 'kubelet' },
        });
      }
      const script = join(dir, 'events.py');
      await writeFile(
        script,
        `import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
out = {}
events = v1.list_namespaced_event("default", field_selector="involvedObject.name=beta,source=kubelet")
out["names"] = [e.metadata.name for e in events.items]
try:
    v1.list_namespaced_event("default", field_selector="note=x")
except ApiException as e:
    out["error"] = [e.status, json.loads(e.body)["message"]]
from kubernetes import watch
batch = client.BatchV1Api()
batch.create_namespaced_job("default", {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "py-job"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}})
out["watched"] = [e["type"] + ":" + e["object"].metadata.name + ":" + str(e["object"].spec.backoff_limit) for e in watch.Watch().stream(batch.list_namespaced_job, "default", field_selector="metadata.name=py-job", timeout_seconds=1)]
print(json.dumps(out))
`,
      );
      const result = await run('/usr/bin/python3', [script, kubeconfig]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        names: ['b.1'],
        error: [400, 'field label not supported: note'],
        watched: ['ADDED:py-job:6'],
      });
    });
  });

  for (const minor of [27, 33]) {
    describe.runIf(hasKubectl(minor))(`kubectl 1.${minor}`, () => {
      it('lists the kinds in api-resources', async () => {
        const result = await kubectl(minor, 'api-resources');
        expect(result.code, result.stderr).toBe(0);
        const lines = result.stdout.split('\n');
        for (const pattern of [
          /^services\s+svc\s+v1\s+true\s+Service$/,
          /^nodes\s+no\s+v1\s+false\s+Node$/,
          /^replicationcontrollers\s+rc\s+v1\s+true\s+ReplicationController$/,
          /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/,
          /^jobs\s+batch\/v1\s+true\s+Job$/,
          /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/,
          /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/,
          /^events\s+ev\s+events\.k8s\.io\/v1\s+true\s+Event$/,
          /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/,
          /^poddisruptionbudgets\s+pdb\s+policy\/v1\s+true\s+PodDisruptionBudget$/,
          /^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass$/,
        ]) {
          expect(
            lines.some((line) => pattern.test(line.trim())),
            String(pattern),
          ).toBe(true);
        }
      });
    });
  }

  for (const minor of [27, 33]) {
    describe.runIf(hasKubectl(minor))(`kubectl ${minor} get`, () => {
      beforeAll(async () => {
        const manifest = `apiVersion: v1
kind: Service
metadata: {name: shop, namespace: default}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox:1.36}]
---
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {node-role.kubernetes.io/worker: ""}
status:
  conditions: [{type: Ready, status: "True"}]
  nodeInfo: {kubeletVersion: v1.33.1, osImage: Debian, kernelVersion: "6.1", containerRuntimeVersion: "containerd://1.7", machineID: m, systemUUID: s, bootID: b, kubeProxyVersion: "", operatingSystem: linux, architecture: amd64}
---
apiVersion: v1
kind: Event
metadata: {name: shop.1, namespace: default}
involvedObject: {kind: Service, name: shop, namespace: default}
reason: Synced
message: all good
type: Normal
`;
        const file = join(dir, `get-${minor}.yaml`);
        await writeFile(file, manifest);
        const applied = await kubectl(minor, 'apply', '-f', file);
        expect(applied.code, applied.stderr).toBe(0);
      });

      it('prints services, jobs, nodes and events with the real columns', async () => {
        const svc = await kubectl(minor, 'get', 'svc', 'shop', '-n', 'default');
        expect(svc.stdout).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
        expect(svc.stdout).toMatch(/\nshop\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s\n/);
        const wide = await kubectl(minor, 'get', 'svc', 'shop', '-n', 'default', '-o', 'wide');
        expect(wide.stdout).toMatch(/SELECTOR\n[\s\S]*\s+app=shop\n/);
        const jobs = await kubectl(minor, 'get', 'jobs', '-n', 'default');
        expect(jobs.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
        expect(jobs.stdout).toMatch(/\nmigrate\s+Running\s+0\/1\s+\d+s\n/);
        const nodes = await kubectl(minor, 'get', 'nodes');
        expect(nodes.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
        expect(nodes.stdout).toMatch(/\nworker-1\s+Ready\s+worker\s+\d+s\s+v1\.33\.1\n/);
        const events = await kubectl(
          33,
          'get',
          'events',
          '-n',
          'default',
          '--field-selector',
          'involvedObject.name=shop',
        );
        expect(events.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
        expect(events.stdout).toMatch(/\n\S+\s+Normal\s+Synced\s+service\/shop\s+all good\n/);
      });

      it("keeps a service's allocated cluster IP and node port through kubectl replace", async () => {
        const before = JSON.parse(
          (await kubectl(minor, 'get', 'svc', 'shop', '-n', 'default', '-o', 'json')).stdout,
        );
        const file = join(dir, `replace-${minor}.yaml`);
        await writeFile(
          file,
          'apiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: default}\nspec:\n  selector: {app: shop}\n  ports: [{port: 80, targetPort: 9090}]\n',
        );
        const replaced = await kubectl(minor, 'replace', '-f', file);
        expect(replaced.stdout, replaced.stderr).toBe('service/shop replaced\n');
        const after = JSON.parse(
          (await kubectl(minor, 'get', 'svc', 'shop', '-n', 'default', '-o', 'json')).stdout,
        );
        expect(after.spec.clusterIP).toBe(before.spec.clusterIP);
        expect(after.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 9090 }]);
      });

      it('includes services and jobs in kubectl get all', async () => {
        const all = await kubectl(minor, 'get', 'all', '-n', 'default');
        expect(all.code, all.stderr).toBe(0);
        expect(all.stdout).toMatch(/service\/shop\s+ClusterIP/);
        expect(all.stdout).toMatch(/job\.batch\/migrate\s+Running\s+0\/1/);
      });
    });
  }
});
