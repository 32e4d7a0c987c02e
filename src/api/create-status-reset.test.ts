import { describe, expect, it } from 'vitest';
import { podKind, namespaceKind, configMapKind } from '../registry/built-in-kinds.js';
import { serviceKind, nodeKind, persistentVolumeKind } from '../registry/kinds/core-kinds.js';
import { deploymentKind } from '../registry/apps-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { resetStatusOnApiCreate } from './create-status-reset.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

function created(kind: ResourceKind, status: unknown, spec: Record<string, unknown> = {}): KubeObject {
  const obj: KubeObject = { metadata: { name: 'x' }, spec, status };
  resetStatusOnApiCreate(kind, obj, NOW);
  kind.defaultOnCreate?.(obj);
  kind.normalizeOnWrite?.(obj);
  return obj;
}

describe('resetStatusOnApiCreate', () => {
  it('resets what the create strategies reset, before the kind defaults', () => {
    const labels = { app: 'web' };
    const deployment = { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: {} } };
    expect(created(deploymentKind, { replicas: 3, readyReplicas: 3 }, deployment).status).toEqual({});
    expect(created(serviceKind, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }).status).toEqual({
      loadBalancer: {},
    });
    expect(created(namespaceKind, { phase: 'Terminating' }).status).toEqual({ phase: 'Active' });
    expect(created(podKind, { phase: 'Running', qosClass: 'Guaranteed' }).status).toEqual({
      phase: 'Pending',
      qosClass: 'BestEffort',
    });
    expect(created(persistentVolumeKind, { phase: 'Bound' }).status).toEqual({
      phase: 'Pending',
      lastPhaseTransitionTime: '2026-01-02T03:04:05Z',
    });
  });

  it('keeps a node status and leaves kinds without a status subresource alone', () => {
    expect(created(nodeKind, { capacity: { cpu: '4' } }).status).toEqual({
      capacity: { cpu: '4' },
      allocatable: { cpu: '4' },
    });
    expect(created(configMapKind, { anything: 1 }).status).toEqual({ anything: 1 });
  });

  it('drops the status of a custom resource with a status subresource', () => {
    const kind = {
      ...configMapKind,
      origin: 'crd',
      subresources: [{ name: 'status', kind: 'X', verbs: [] }],
    } as ResourceKind;
    const obj: KubeObject = { status: { ready: true } };
    resetStatusOnApiCreate(kind, obj, NOW);
    expect(obj).not.toHaveProperty('status');
  });
});
