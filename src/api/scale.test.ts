import { describe, expect, it } from 'vitest';
import { deploymentKind } from '../registry/apps-kinds.js';
import type { ResourceKind } from '../registry/resource-kind.js';
import { scaleOf } from './scale.js';

const metadata = {
  name: 'web',
  namespace: 'default',
  uid: 'u-1',
  resourceVersion: '42',
  creationTimestamp: '2025-01-01T00:00:00Z',
  labels: { app: 'web' },
};

describe('scaleOf', () => {
  it('builds a built-in workload scale with the selector as labels.Selector prints it', () => {
    const scale = scaleOf(deploymentKind, deploymentKind.scale!, {
      metadata,
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['b', 'a'] }],
        },
      },
      status: { replicas: 2 },
    });
    expect(scale).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: 'u-1',
        resourceVersion: '42',
        creationTimestamp: '2025-01-01T00:00:00Z',
      },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: 'app=web,tier notin (a,b)' },
    });
  });

  it('omits spec.replicas at 0 and keeps status.replicas at 0', () => {
    const scale = scaleOf(deploymentKind, deploymentKind.scale!, { metadata, spec: { replicas: 0 } });
    expect(scale.spec).toEqual({});
    expect(scale.status).toEqual({ replicas: 0 });
  });

  it('reads a custom resource at its declared paths, the selector as a string', () => {
    const crdKind: ResourceKind = {
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      resource: 'widgets',
      singular: 'widget',
      namespaced: false,
      verbs: ['get'],
      storage: 'stored',
      origin: 'crd',
      scale: {
        specReplicasPath: '.spec.size',
        statusReplicasPath: '.status.count',
        labelSelectorPath: '.status.sel',
      },
    };
    const scale = scaleOf(crdKind, crdKind.scale!, {
      metadata: { ...metadata, namespace: undefined },
      spec: { size: 4 },
      status: { count: 1, sel: 'app=w' },
    });
    expect(scale.metadata).not.toHaveProperty('namespace');
    expect(scale.spec).toEqual({ replicas: 4 });
    expect(scale.status).toEqual({ replicas: 1, selector: 'app=w' });
  });

  it('renders a ReplicationController label map as labels.SelectorFromSet', () => {
    const rcKind: ResourceKind = { ...deploymentKind, group: '', kind: 'ReplicationController' };
    const scale = scaleOf(rcKind, deploymentKind.scale!, {
      metadata,
      spec: { replicas: 1, selector: { b: '2', a: '1' } },
    });
    expect(scale.status).toEqual({ replicas: 0, selector: 'a=1,b=2' });
  });
});
