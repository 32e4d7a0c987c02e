import { describe, expect, it } from 'vitest';
import { builtInKinds } from '../built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../resource-kind.js';

const kindOf = (apiVersion: string, kind: string): ResourceKind => {
  const found = builtInKinds.find(
    (k) => (k.group ? `${k.group}/${k.version}` : k.version) === apiVersion && k.kind === kind,
  );
  if (!found) throw new Error(`${apiVersion} ${kind} not registered`);
  return found;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read deep defaulted fields
function created(apiVersion: string, kind: string, obj: KubeObject): any {
  const copy = structuredClone(obj);
  // As the create handler does: create-only defaults, then the defaults of every write.
  kindOf(apiVersion, kind).defaultOnCreate?.(copy);
  kindOf(apiVersion, kind).normalizeOnWrite?.(copy);
  return copy;
}

describe('service defaults', () => {
  it('allocates a unique cluster IP from 10.96.0.0/12 and fills the ClusterIP defaults', () => {
    const ips = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const svc = created('v1', 'Service', { spec: { selector: { app: 'a' }, ports: [{ port: 80 }] } });
      expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d{1,3}\.\d{1,3}$/);
      expect(svc.spec.clusterIP).not.toBe('10.96.0.1');
      ips.add(svc.spec.clusterIP);
      expect(svc.spec).toMatchObject({
        type: 'ClusterIP',
        sessionAffinity: 'None',
        clusterIPs: [svc.spec.clusterIP],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      });
      expect(svc.spec.externalTrafficPolicy).toBeUndefined();
      expect(svc.status).toEqual({ loadBalancer: {} });
    }
    expect(ips.size).toBe(50);
  });

  it('keeps a headless service headless, asking for dual stack when it has a selector', () => {
    const svc = created('v1', 'Service', { spec: { clusterIP: 'None', selector: { app: 'db' } } });
    expect(svc.spec).toMatchObject({
      clusterIP: 'None',
      clusterIPs: ['None'],
      ipFamilyPolicy: 'RequireDualStack',
    });
    const bare = created('v1', 'Service', { spec: { clusterIP: 'None' } });
    expect(bare.spec.ipFamilyPolicy).toBe('SingleStack');
    expect(bare.spec.selector).toBeUndefined();
  });

  it('gives NodePort and LoadBalancer services node ports, ExternalName services no IPs', () => {
    const lb = created('v1', 'Service', {
      spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] },
    });
    expect(lb.spec.ports[0].targetPort).toBe('https');
    expect(lb.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(lb.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    expect(lb.spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
    const external = created('v1', 'Service', {
      spec: { type: 'ExternalName', externalName: 'example.com' },
    });
    expect(external.spec.clusterIP).toBeUndefined();
    expect(external.spec.ipFamilies).toBeUndefined();
  });
});

describe('workload defaults', () => {
  const template = { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } };

  it('defaults a job as SetDefaults_Job, its pod template as a pod spec, and keeps a seeded status', () => {
    const job = created('batch/v1', 'Job', { spec: { template }, status: { succeeded: 3 } });
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
    });
    expect(job.spec.template.spec).toMatchObject({ restartPolicy: 'OnFailure', dnsPolicy: 'ClusterFirst' });
    expect(job.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
    // API creates reset status (src/api/create-status-reset.ts); the kind's hook keeps a fixture's.
    expect(job.status).toEqual({ succeeded: 3 });
    const parallel = created('batch/v1', 'Job', { spec: { parallelism: 3, template } });
    expect(parallel.spec.completions).toBeUndefined();
    expect(parallel.spec.parallelism).toBe(3);
  });

  it('defaults a cronjob', () => {
    const cronJob = created('batch/v1', 'CronJob', {
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } },
    });
    expect(cronJob.spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
    expect(cronJob.spec.jobTemplate.spec.template.spec.schedulerName).toBe('default-scheduler');
  });

  it('takes a replication controller selector and labels from its template', () => {
    const rc = created('v1', 'ReplicationController', {
      metadata: { name: 'rc' },
      spec: { template: { metadata: { labels: { app: 'x' } }, spec: template.spec } },
    });
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { app: 'x' } });
    expect(rc.metadata.labels).toEqual({ app: 'x' });
    expect(rc.status).toEqual({ replicas: 0 });
  });

  it('defaults claims and volumes Pending with their modes', () => {
    expect(created('v1', 'PersistentVolumeClaim', { spec: {} })).toMatchObject({
      spec: { volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    expect(created('v1', 'PersistentVolume', { spec: {} })).toMatchObject({
      spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
  });
});

describe('field selectors', () => {
  it('reads the upstream selectable fields', () => {
    const node = kindOf('v1', 'Node');
    expect(node.fieldSelectors!['spec.unschedulable']!({ spec: {} })).toBe('false');
    expect(node.fieldSelectors!['spec.unschedulable']!({ spec: { unschedulable: true } })).toBe('true');
    const job = kindOf('batch/v1', 'Job');
    expect(job.fieldSelectors!['status.successful']!({})).toBe('0');
    expect(job.fieldSelectors!['status.successful']!({ status: { succeeded: 2 } })).toBe('2');
    const event = kindOf('v1', 'Event');
    expect(event.fieldSelectors!.source!({ source: { component: 'kubelet' } })).toBe('kubelet');
    expect(Object.keys(event.fieldSelectors!)).toContain('involvedObject.fieldPath');
    const eventsV1 = kindOf('events.k8s.io/v1', 'Event');
    expect(eventsV1.fieldSelectors!['regarding.name']!({ regarding: { name: 'web' } })).toBe('web');
    expect(eventsV1.fieldSelectors!.source!({ deprecatedSource: { component: 'kubelet' } })).toBe('kubelet');
    expect(eventsV1.fieldSelectors!['involvedObject.name']).toBeUndefined();
    expect(kindOf('v1', 'ReplicationController').fieldSelectors!['status.replicas']!({})).toBe('0');
    expect(Object.keys(kindOf('v1', 'Service').fieldSelectors!).sort()).toEqual([
      'metadata.name',
      'metadata.namespace',
      'spec.clusterIP',
      'spec.type',
    ]);
  });

  it('words the unsupported-field errors as each conversion function does', () => {
    expect(kindOf('v1', 'Event').unsupportedFieldMessage!('note')).toBe('field label not supported: note');
    expect(kindOf('batch/v1', 'Job').unsupportedFieldMessage!('status.succeeded')).toBe(
      'field label "status.succeeded" not supported for batchv1.Job',
    );
  });
});

describe('job selector', () => {
  it('generates the controller-uid selector and labels unless the selector is manual', () => {
    const job = kindOf('batch/v1', 'Job');
    const obj: ReturnType<typeof created> = {
      metadata: { name: 'j', uid: 'u-1' },
      spec: { template: { spec: {} } },
    };
    job.completeWithUid!(obj);
    expect(obj.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    expect(obj.spec.template.metadata.labels).toEqual({
      'job-name': 'j',
      'batch.kubernetes.io/job-name': 'j',
      'controller-uid': 'u-1',
      'batch.kubernetes.io/controller-uid': 'u-1',
    });
    const manual: ReturnType<typeof created> = {
      metadata: { name: 'j', uid: 'u-2' },
      spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: {} },
    };
    job.completeWithUid!(manual);
    expect(manual.spec).toEqual({
      manualSelector: true,
      selector: { matchLabels: { a: 'b' } },
      template: {},
    });
  });
});

describe('updates', () => {
  it('defaults every write, as decoding does, but resets a job status on create only', () => {
    const job = kindOf('batch/v1', 'Job');
    const replacement: ReturnType<typeof created> = {
      spec: { template: { spec: {} } },
      status: { active: 1 },
    };
    job.normalizeOnWrite!(replacement, created('batch/v1', 'Job', { spec: { template: { spec: {} } } }));
    expect(replacement.spec.backoffLimit).toBe(6);
    expect(replacement.status).toEqual({ active: 1 });
  });

  it('keeps the allocated cluster IP and node ports a service replacement leaves out', () => {
    const service = kindOf('v1', 'Service');
    const stored = created('v1', 'Service', {
      spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] },
    });
    const replacement: ReturnType<typeof created> = {
      spec: { type: 'NodePort', ports: [{ port: 53, protocol: 'UDP' }, { port: 8080 }] },
    };
    service.normalizeOnWrite!(replacement, stored);
    expect(replacement.spec.clusterIP).toBe(stored.spec.clusterIP);
    expect(replacement.spec.clusterIPs).toEqual([stored.spec.clusterIP]);
    expect(replacement.spec.ports[0].nodePort).toBe(stored.spec.ports[1].nodePort);
    expect(replacement.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
    expect(replacement.spec.ports[1].nodePort).not.toBe(stored.spec.ports[0].nodePort);
    expect(replacement.spec.ports[1]).toMatchObject({ protocol: 'TCP', targetPort: 8080 });
  });
});
