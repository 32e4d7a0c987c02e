import { describe, expect, it } from 'vitest';
import { toTable } from '../table.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const CREATED = '2025-06-01T11:00:00Z';

function row(kind: string, obj: Record<string, unknown>): unknown[] {
  const table = toTable([{ ...obj, metadata: { creationTimestamp: CREATED, ...(obj.metadata as object) } }], {
    kind,
    listMeta: {},
    includeObject: 'None',
    now: NOW,
  });
  return table.rows![0]!.cells;
}

const columns = (kind: string) =>
  toTable([], { kind, listMeta: {}, includeObject: 'None', now: NOW }).columnDefinitions!.map((c) =>
    c.priority ? `${c.name}*` : c.name,
  );

describe('core printers', () => {
  it('prints services as printService', () => {
    expect(columns('Service')).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
      'Selector*',
    ]);
    const svc = {
      metadata: { name: 'web' },
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.3.4',
        selector: { tier: 'fe', app: 'web' },
        ports: [
          { port: 80, protocol: 'TCP', nodePort: 30080 },
          { port: 53, protocol: 'UDP' },
        ],
      },
    };
    expect(row('Service', svc)).toEqual([
      'web',
      'NodePort',
      '10.96.3.4',
      '<none>',
      '80:30080/TCP,53/UDP',
      '60m',
      'app=web,tier=fe',
    ]);
    const lb = {
      metadata: { name: 'lb' },
      spec: { type: 'LoadBalancer', clusterIP: '10.96.0.9' },
      status: { loadBalancer: {} },
    };
    expect(row('Service', lb).slice(3, 5)).toEqual(['<pending>', '<none>']);
    const lbReady = {
      ...lb,
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example.com' }] } },
    };
    expect(row('Service', lbReady)[3]).toBe('1.2.3.4,lb.example.com');
    const external = {
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'example.com' },
    };
    expect(row('Service', external).slice(2, 4)).toEqual(['<none>', 'example.com']);
  });

  it('prints endpoints, three at most', () => {
    const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
    expect(
      row('Endpoints', { metadata: { name: 'e' }, subsets: [{ addresses, ports: [{ port: 80 }] }] })[1],
    ).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    expect(row('Endpoints', { metadata: { name: 'e' } })[1]).toBe('<none>');
  });

  it('prints core and events.k8s.io events alike', () => {
    expect(columns('Event')).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject*',
      'Source*',
      'Message',
      'First Seen*',
      'Count*',
      'Name*',
    ]);
    const core = {
      metadata: { name: 'web.1' },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{c}' },
      reason: 'Pulled',
      message: ' pulled \n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-a' },
      firstTimestamp: '2025-06-01T11:50:00Z',
      lastTimestamp: '2025-06-01T11:59:00Z',
      count: 4,
    };
    expect(row('Event', core)).toEqual([
      '60s',
      'Normal',
      'Pulled',
      'pod/web',
      'spec.containers{c}',
      'kubelet, node-a',
      'pulled',
      '10m',
      4,
      'web.1',
    ]);
    const v1 = {
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'web.2' },
      regarding: { kind: 'Node', name: 'node-a' },
      note: 'rebooted',
      reason: 'Rebooted',
      type: 'Warning',
      eventTime: '2025-06-01T11:58:00.000000Z',
      reportingController: 'kubelet',
    };
    expect(row('Event', v1)).toEqual([
      '2m',
      'Warning',
      'Rebooted',
      'node/node-a',
      '',
      'kubelet',
      'rebooted',
      '2m',
      1,
      'web.2',
    ]);
  });

  it('prints nodes with readiness, roles and node info', () => {
    const node = {
      metadata: {
        name: 'n1',
        labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        addresses: [{ type: 'InternalIP', address: '192.168.0.2' }],
        nodeInfo: { kubeletVersion: 'v1.33.1' },
      },
    };
    expect(row('Node', node)).toEqual([
      'n1',
      'NotReady,SchedulingDisabled',
      'control-plane,worker',
      '60m',
      'v1.33.1',
      '192.168.0.2',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
    expect(row('Node', { metadata: { name: 'n2' } }).slice(1, 3)).toEqual(['Unknown', '<none>']);
  });

  it('prints claims and volumes', () => {
    const pending = {
      metadata: { name: 'c' },
      spec: { storageClassName: 'fast', volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    };
    expect(row('PersistentVolumeClaim', pending)).toEqual([
      'c',
      'Pending',
      '',
      '',
      '',
      'fast',
      '<unset>',
      '60m',
      'Filesystem',
    ]);
    const bound = {
      metadata: { name: 'c' },
      spec: { volumeName: 'pv1' },
      status: {
        phase: 'Bound',
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
      },
    };
    expect(row('PersistentVolumeClaim', bound).slice(1, 5)).toEqual(['Bound', 'pv1', '1Gi', 'RWO,RWX']);
    const pv = {
      metadata: { name: 'pv1' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'd', name: 'c' },
      },
      status: { phase: 'Bound' },
    };
    expect(row('PersistentVolume', pv)).toEqual([
      'pv1',
      '1Gi',
      'RWO',
      'Retain',
      'Bound',
      'd/c',
      '',
      '<unset>',
      '',
      '60m',
      '<unset>',
    ]);
  });

  it('prints quotas as used/hard and replication controllers', () => {
    const quota = {
      metadata: { name: 'q' },
      spec: { hard: { pods: '10', 'limits.cpu': '2', 'requests.memory': '1Gi' } },
      status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.memory': '1Gi' }, used: { pods: '3' } },
    };
    expect(row('ResourceQuota', quota)).toEqual([
      'q',
      '60m',
      'pods: 3/10, requests.memory: 0/1Gi',
      'limits.cpu: 0/2',
    ]);
    const rc = {
      metadata: { name: 'rc' },
      spec: {
        replicas: 2,
        selector: { app: 'x' },
        template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(row('ReplicationController', rc)).toEqual(['rc', 2, 2, 1, '60m', 'c', 'busybox', 'app=x']);
    expect(row('LimitRange', { metadata: { name: 'l' } })).toEqual(['l', '2025-06-01T11:00:00Z']);
  });
});

describe('group printers', () => {
  it('prints jobs with the 1.33 Status column', () => {
    expect(columns('Job')).toEqual([
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    const running = {
      metadata: { name: 'j' },
      spec: { completions: 3 },
      status: { succeeded: 1, startTime: '2025-06-01T11:59:00Z' },
    };
    expect(row('Job', running).slice(0, 5)).toEqual(['j', 'Running', '1/3', '60s', '60m']);
    const complete = {
      metadata: { name: 'j' },
      spec: { parallelism: 2, selector: { matchLabels: { a: 'b' } } },
      status: {
        succeeded: 1,
        startTime: '2025-06-01T11:00:00Z',
        completionTime: '2025-06-01T11:00:30Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    };
    expect(row('Job', complete)).toEqual(['j', 'Complete', '1/1 of 2', '30s', '60m', '', '', 'a=b']);
  });

  it('prints cronjobs, ingresses, PDBs, HPAs and storage classes', () => {
    const cron = {
      metadata: { name: 'c' },
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: {} } },
    };
    expect(row('CronJob', cron).slice(0, 7)).toEqual([
      'c',
      '*/5 * * * *',
      '<none>',
      'False',
      0,
      '<none>',
      '60m',
    ]);
    const ingress = {
      metadata: { name: 'i' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }],
        tls: [{}],
      },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    };
    expect(row('Ingress', ingress)).toEqual(['i', 'nginx', 'a,b,c + 1 more...', '1.2.3.4', '80, 443', '60m']);
    expect(
      row('PodDisruptionBudget', {
        metadata: { name: 'p' },
        spec: { minAvailable: '50%' },
        status: { disruptionsAllowed: 1 },
      }),
    ).toEqual(['p', '50%', 'N/A', 1, '60m']);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      metadata: { name: 'h' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
      },
      status: { currentReplicas: 2 },
    };
    expect(row('HorizontalPodAutoscaler', hpa)).toEqual([
      'h',
      'Deployment/web',
      'cpu: <unknown>/80%',
      '1',
      5,
      2,
      '60m',
    ]);
    const sc = {
      metadata: { name: 's', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'x',
    };
    expect(row('StorageClass', sc)).toEqual(['s (default)', 'x', 'Delete', 'Immediate', false, '60m']);
    const slice = {
      metadata: { name: 'es' },
      addressType: 'IPv4',
      ports: [{ port: 80 }],
      endpoints: [{ addresses: ['10.0.0.1'] }],
    };
    expect(row('EndpointSlice', slice)).toEqual(['es', 'IPv4', '80', '10.0.0.1', '60m']);
    expect(row('NetworkPolicy', { metadata: { name: 'n' }, spec: { podSelector: {} } })).toEqual([
      'n',
      '<none>',
      '60m',
    ]);
  });
});

describe('the storage.k8s.io printers', () => {
  const now = new Date('2026-01-01T01:00:00Z');
  const created = { creationTimestamp: '2026-01-01T00:00:00Z' };
  const cellsOf = (kind: string, obj: Record<string, unknown>) =>
    toTable([obj], { kind, listMeta: {}, includeObject: 'None', now }).rows![0]!.cells;

  it('prints a CSIDriver with its defaults, as printCSIDriver', () => {
    expect(cellsOf('CSIDriver', { metadata: { name: 'csi.example.com', ...created }, spec: {} })).toEqual([
      'csi.example.com',
      true,
      false,
      false,
      '<unset>',
      false,
      '<none>',
      '60m',
    ]);
    const driver = {
      metadata: { name: 'd', ...created },
      spec: {
        attachRequired: false,
        podInfoOnMount: true,
        volumeLifecycleModes: ['Persistent', 'Ephemeral'],
        tokenRequests: [{ audience: 'a' }, { audience: 'b' }],
      },
    };
    expect(cellsOf('CSIDriver', driver)).toEqual([
      'd',
      false,
      true,
      false,
      'a,b',
      false,
      'Persistent,Ephemeral',
      '60m',
    ]);
  });

  it('prints a CSINode with its driver count and a VolumeAttachment with its source', () => {
    expect(cellsOf('CSINode', { metadata: { name: 'n', ...created }, spec: { drivers: [{}, {}] } })).toEqual([
      'n',
      2,
      '60m',
    ]);
    const attachment = {
      metadata: { name: 'va', ...created },
      spec: { attacher: 'csi.example.com', source: { persistentVolumeName: 'pv-1' }, nodeName: 'node-1' },
      status: { attached: true },
    };
    expect(cellsOf('VolumeAttachment', attachment)).toEqual([
      'va',
      'csi.example.com',
      'pv-1',
      'node-1',
      true,
      '60m',
    ]);
  });
});
