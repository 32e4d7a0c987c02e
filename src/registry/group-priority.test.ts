import { describe, expect, it } from 'vitest';
import { compareKubeAwareVersions, orderServedGroups } from './group-priority.js';

const group = (name: string, ...versions: string[]) => ({ name, versions, preferredVersion: versions[0]! });

describe('orderServedGroups', () => {
  it('orders groups by kube-apiserver priority, ties and CRD groups by name', () => {
    const ordered = orderServedGroups([
      group('stable.example.com', 'v1'),
      group('discovery.k8s.io', 'v1'),
      group('apiextensions.k8s.io', 'v1'),
      group('batch', 'v1'),
      group('admissionregistration.k8s.io', 'v1'),
      group('apps', 'v1'),
      group('a.example.com', 'v1'),
      group('events.k8s.io', 'v1'),
    ]);
    expect(ordered.map((g) => g.name)).toEqual([
      'apps',
      'events.k8s.io',
      'batch',
      'admissionregistration.k8s.io',
      'apiextensions.k8s.io',
      'discovery.k8s.io',
      'a.example.com',
      'stable.example.com',
    ]);
  });

  it('sorts built-in versions by priority, CRD versions kube-aware as their equal priorities tie', () => {
    expect(orderServedGroups([group('autoscaling', 'v1', 'v2')])[0]).toEqual(
      group('autoscaling', 'v2', 'v1'),
    );
    expect(orderServedGroups([group('x.example.com', 'v1', 'v2')])[0]).toEqual(
      group('x.example.com', 'v2', 'v1'),
    );
    expect(
      orderServedGroups([
        group('x.example.com', 'v1alpha1', 'foo', 'v1beta2', 'v1', 'v1beta1', 'v2alpha1', 'bar'),
      ])[0]!.versions,
    ).toEqual(['v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'bar', 'foo']);
  });
});

describe('compareKubeAwareVersions', () => {
  it('orders as version.CompareKubeAwareVersionStrings', () => {
    expect(compareKubeAwareVersions('v2', 'v1')).toBeGreaterThan(0);
    expect(compareKubeAwareVersions('v1', 'v10beta1')).toBeGreaterThan(0);
    expect(compareKubeAwareVersions('v1beta2', 'v1beta1')).toBeGreaterThan(0);
    expect(compareKubeAwareVersions('v1alpha1', 'foo')).toBeGreaterThan(0);
    expect(compareKubeAwareVersions('bar', 'foo')).toBeGreaterThan(0);
    expect(compareKubeAwareVersions('v1', 'v1')).toBe(0);
  });
});
