import { describe, expect, it } from 'vitest';
import { toTable } from '../table.js';

const now = new Date('2025-01-01T01:00:00Z');
const metadata = { name: 'web', namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z' };
const template = {
  spec: {
    containers: [
      { name: 'a', image: 'nginx:1' },
      { name: 'b', image: 'busybox' },
    ],
  },
};

const tableOf = (kind: string, obj: Record<string, unknown>) =>
  toTable([obj], { kind, listMeta: {}, includeObject: 'None', now });

describe('apps/v1 Table printers', () => {
  it('prints a deployment as printDeployment', () => {
    const table = tableOf('Deployment', {
      metadata,
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    });
    expect(table.columnDefinitions!.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Up-to-date:0',
      'Available:0',
      'Age:0',
      'Containers:1',
      'Images:1',
      'Selector:1',
    ]);
    expect(table.rows![0]!.cells).toEqual(['web', '1/3', 2, 1, '60m', 'a,b', 'nginx:1,busybox', 'app=web']);
  });

  it('prints replicasets, statefulsets and daemonsets', () => {
    const spec = { replicas: 2, selector: { matchLabels: { app: 'web' } }, template };
    expect(
      tableOf('ReplicaSet', { metadata, spec, status: { replicas: 2, readyReplicas: 1 } }).rows![0]!.cells,
    ).toEqual(['web', 2, 2, 1, '60m', 'a,b', 'nginx:1,busybox', 'app=web']);
    expect(tableOf('StatefulSet', { metadata, spec, status: { readyReplicas: 2 } }).rows![0]!.cells).toEqual([
      'web',
      '2/2',
      '60m',
      'a,b',
      'nginx:1,busybox',
    ]);
    const ds = tableOf('DaemonSet', {
      metadata,
      spec: {
        selector: spec.selector,
        template: { spec: { ...template.spec, nodeSelector: { zone: 'b', os: 'linux' } } },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    });
    expect(ds.columnDefinitions!.map((c) => c.name)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(ds.rows![0]!.cells).toEqual([
      'web',
      3,
      3,
      2,
      3,
      2,
      'os=linux,zone=b',
      '60m',
      'a,b',
      'nginx:1,busybox',
      'app=web',
    ]);
  });

  it('prints a controllerrevision with its controller', () => {
    const revision = {
      metadata: {
        ...metadata,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true },
        ],
      },
      revision: 4,
    };
    expect(tableOf('ControllerRevision', revision).rows![0]!.cells).toEqual([
      'web',
      'daemonset.apps/agent',
      4,
      '60m',
    ]);
    expect(tableOf('ControllerRevision', { metadata, revision: 1 }).rows![0]!.cells).toEqual([
      'web',
      '<none>',
      1,
      '60m',
    ]);
  });
});
