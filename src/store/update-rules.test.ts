import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/resource-kind.js';
import { applyDeletionRulesOnUpdate } from './update-rules.js';

const configMaps = { kind: 'ConfigMap', group: '', resource: 'configmaps' };
const namespaces = { kind: 'Namespace', group: '', resource: 'namespaces' };
const deleting = (finalizers: string[], extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: {
    name: 'x',
    deletionTimestamp: '2024-01-01T00:00:00Z',
    deletionGracePeriodSeconds: 0,
    finalizers,
  },
  ...extra,
});

describe('applyDeletionRulesOnUpdate', () => {
  it('deletes when an update removes the last finalizer of an object being deleted', () => {
    expect(
      applyDeletionRulesOnUpdate(configMaps, deleting(['a']), { metadata: { name: 'x', finalizers: [] } }),
    ).toBe(true);
    expect(
      applyDeletionRulesOnUpdate(configMaps, deleting(['a', 'b']), {
        metadata: { name: 'x', finalizers: ['b'] },
      }),
    ).toBe(false);
    expect(
      applyDeletionRulesOnUpdate(
        configMaps,
        { metadata: { name: 'x', finalizers: ['a'] } },
        { metadata: { name: 'x' } },
      ),
    ).toBe(false);
  });

  it('keeps deletionTimestamp and the grace period the update leaves out', () => {
    const next: KubeObject = { metadata: { name: 'x', finalizers: ['a'] } };
    applyDeletionRulesOnUpdate(configMaps, deleting(['a']), next);
    expect(next.metadata).toMatchObject({
      deletionTimestamp: '2024-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
    });
  });

  it('refuses new finalizers once deletion started, and a deletionTimestamp set by an update', () => {
    expect(() =>
      applyDeletionRulesOnUpdate(configMaps, deleting(['a']), {
        metadata: { name: 'x', finalizers: ['a', 'z', 'b'] },
      }),
    ).toThrow(
      'ConfigMap "x" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b", "z"}',
    );
    expect(() =>
      applyDeletionRulesOnUpdate(
        configMaps,
        { metadata: { name: 'x' } },
        { metadata: { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z' } },
      ),
    ).toThrow(
      'ConfigMap "x" is invalid: metadata.deletionTimestamp: Invalid value: "2024-01-01T00:00:00Z": field is immutable',
    );
  });

  it('waits for the spec finalizers of a namespace', () => {
    const ns = deleting([], { spec: { finalizers: ['kubernetes'] } });
    expect(
      applyDeletionRulesOnUpdate(namespaces, ns, {
        metadata: { name: 'x' },
        spec: { finalizers: ['kubernetes'] },
      }),
    ).toBe(false);
    expect(
      applyDeletionRulesOnUpdate(namespaces, ns, { metadata: { name: 'x' }, spec: { finalizers: [] } }),
    ).toBe(true);
  });
});
