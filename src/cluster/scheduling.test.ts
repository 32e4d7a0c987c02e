import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/resource-kind.js';
import {
  fitFailures,
  matchesNodeAffinity,
  podRequests,
  toleratesTaint,
  unschedulableMessage,
} from './scheduling.js';

const node = (extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', ...labels } },
  spec: extra,
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3' } },
});
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});
const requesting = (cpu: string) => pod({ containers: [{ name: 'c', resources: { requests: { cpu } } }] });

describe('the default scheduler filters', () => {
  it('nodeSelector and required node affinity, every operator and matchFields', () => {
    const n = node({}, { disk: 'ssd', gen: '5' });
    expect(matchesNodeAffinity(pod({ nodeSelector: { disk: 'ssd' } }), n)).toBe(true);
    expect(matchesNodeAffinity(pod({ nodeSelector: { disk: 'hdd' } }), n)).toBe(false);
    const affinity = (matchExpressions: unknown[], matchFields: unknown[] = []) =>
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions, matchFields }],
            },
          },
        },
      });
    expect(matchesNodeAffinity(affinity([{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }]), n)).toBe(
      true,
    );
    expect(matchesNodeAffinity(affinity([{ key: 'disk', operator: 'NotIn', values: ['ssd'] }]), n)).toBe(
      false,
    );
    expect(matchesNodeAffinity(affinity([{ key: 'gpu', operator: 'DoesNotExist' }]), n)).toBe(true);
    expect(matchesNodeAffinity(affinity([{ key: 'gpu', operator: 'Exists' }]), n)).toBe(false);
    expect(matchesNodeAffinity(affinity([{ key: 'gen', operator: 'Gt', values: ['4'] }]), n)).toBe(true);
    expect(matchesNodeAffinity(affinity([{ key: 'gen', operator: 'Lt', values: ['4'] }]), n)).toBe(false);
    expect(
      matchesNodeAffinity(affinity([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }]), n),
    ).toBe(true);
    expect(
      matchesNodeAffinity(affinity([], [{ key: 'metadata.name', operator: 'In', values: ['n2'] }]), n),
    ).toBe(false);
  });

  it('taints and tolerations, as v1helper.TolerationsTolerateTaint', () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    expect(toleratesTaint([{ key: 'dedicated', operator: 'Equal', value: 'gpu' }], taint)).toBe(true);
    expect(toleratesTaint([{ key: 'dedicated', operator: 'Equal', value: 'cpu' }], taint)).toBe(false);
    expect(toleratesTaint([{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }], taint)).toBe(
      false,
    );
    expect(toleratesTaint([{ operator: 'Exists' }], taint)).toBe(true);
    expect(fitFailures(pod(), node({ taints: [taint] }), [])).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
    ]);
    expect(fitFailures(pod(), node({ unschedulable: true }), [])).toEqual(['node(s) were unschedulable']);
  });

  it('requests against allocatable minus the bound pods, and the pod count', () => {
    expect(fitFailures(requesting('1500m'), node(), [requesting('1')])).toEqual(['Insufficient cpu']);
    expect(fitFailures(requesting('1'), node(), [requesting('1')])).toEqual([]);
    expect(fitFailures(pod(), node(), [pod(), pod(), pod()])).toEqual(['Too many pods']);
    const withInit = pod({
      initContainers: [{ name: 'i', resources: { requests: { cpu: '3' } } }],
      containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }],
    });
    expect(podRequests(withInit).cpu).toBe(3_000_000_000n);
  });

  it("words the unschedulable message as the scheduler's FitError and preemption do", () => {
    expect(
      unschedulableMessage(1, new Map([['n1', ["node(s) didn't match Pod's node affinity/selector"]]])),
    ).toBe(
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
    expect(
      unschedulableMessage(
        2,
        new Map([
          ['n1', ['Insufficient cpu']],
          ['n2', ['node(s) had untolerated taint {a: }']],
        ]),
      ),
    ).toBe(
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {a: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    expect(unschedulableMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });
});
