import { describe, expect, it } from 'vitest';
import { computePodQos, defaultRequestsFromLimits, parseQuantity } from './pod-qos.js';

const container = (resources: Record<string, unknown>) => ({ name: 'c', image: 'nginx', resources });

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent forms exactly', () => {
    expect(parseQuantity('100m')).toBe(100_000_000n);
    expect(parseQuantity('0.1')).toBe(parseQuantity('100m'));
    expect(parseQuantity('1Gi')).toBe(1_073_741_824n * 1_000_000_000n);
    expect(parseQuantity('1e3')).toBe(parseQuantity('1k'));
    expect(parseQuantity('nope')).toBeUndefined();
  });
});

describe('computePodQos', () => {
  it('is BestEffort without requests or limits', () => {
    expect(computePodQos({ containers: [container({})] })).toBe('BestEffort');
  });

  it('is Guaranteed when every container limits cpu and memory at its requests', () => {
    const resources = { requests: { cpu: '0.5', memory: '128Mi' }, limits: { cpu: '500m', memory: '128Mi' } };
    expect(computePodQos({ containers: [container(resources), container(resources)] })).toBe('Guaranteed');
  });

  it('is Burstable when a container lacks a limit or requests less than it limits', () => {
    expect(computePodQos({ containers: [container({ requests: { cpu: '100m' } })] })).toBe('Burstable');
    const partial = { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } };
    expect(computePodQos({ containers: [container(partial)] })).toBe('Burstable');
    const full = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
    expect(computePodQos({ containers: [container(full), container({})] })).toBe('Burstable');
  });

  it('counts init containers and ignores zero quantities and other resources', () => {
    const full = { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } };
    expect(computePodQos({ containers: [container(full)], initContainers: [container({})] })).toBe(
      'Burstable',
    );
    expect(
      computePodQos({ containers: [container({ requests: { cpu: '0', 'nvidia.com/gpu': '1' } })] }),
    ).toBe('BestEffort');
  });
});

describe('defaultRequestsFromLimits', () => {
  it('copies limits into missing requests, keeping the requests given', () => {
    const spec = {
      containers: [container({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } })],
    };
    defaultRequestsFromLimits(spec);
    expect(spec.containers[0]!.resources).toEqual({
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '500m', memory: '1Gi' },
    });
    const limitsOnly = { containers: [container({ limits: { cpu: '1', memory: '1Gi' } })] };
    defaultRequestsFromLimits(limitsOnly);
    expect(computePodQos(limitsOnly)).toBe('Guaranteed');
  });
});
