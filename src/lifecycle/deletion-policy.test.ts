import { describe, expect, it } from 'vitest';
import {
  defaultGarbageCollectionPolicy,
  finalizersForGarbageCollection,
  namespaceFinalizersOnDelete,
} from './deletion-policy.js';

describe('defaultGarbageCollectionPolicy', () => {
  it('orphans for core/v1 replicationcontrollers and batch/v1 jobs only', () => {
    expect(
      defaultGarbageCollectionPolicy({ group: '', version: 'v1', resource: 'replicationcontrollers' }),
    ).toBe('OrphanDependents');
    expect(defaultGarbageCollectionPolicy({ group: 'batch', version: 'v1', resource: 'jobs' })).toBe(
      'OrphanDependents',
    );
    expect(defaultGarbageCollectionPolicy({ group: 'apps', version: 'v1', resource: 'replicasets' })).toBe(
      'DeleteDependents',
    );
    expect(defaultGarbageCollectionPolicy({ group: '', version: 'v1', resource: 'configmaps' })).toBe(
      'DeleteDependents',
    );
  });
});

describe('finalizersForGarbageCollection', () => {
  it('leaves the finalizers alone for the default background deletion', () => {
    expect(finalizersForGarbageCollection('DeleteDependents', [], {})).toBeUndefined();
    expect(
      finalizersForGarbageCollection('DeleteDependents', ['a'], { propagationPolicy: 'Background' }),
    ).toBeUndefined();
  });

  it('adds foregroundDeletion or orphan as the policy asks, replacing the other', () => {
    expect(
      finalizersForGarbageCollection('DeleteDependents', ['a'], { propagationPolicy: 'Foreground' }),
    ).toEqual(['a', 'foregroundDeletion']);
    expect(
      finalizersForGarbageCollection('DeleteDependents', ['foregroundDeletion'], {
        propagationPolicy: 'Orphan',
      }),
    ).toEqual(['orphan']);
    expect(
      finalizersForGarbageCollection('DeleteDependents', ['orphan'], { propagationPolicy: 'Background' }),
    ).toEqual([]);
  });

  it('maps the deprecated orphanDependents and honours the kind default and existing finalizers', () => {
    expect(finalizersForGarbageCollection('DeleteDependents', [], { orphanDependents: true })).toEqual([
      'orphan',
    ]);
    expect(
      finalizersForGarbageCollection('DeleteDependents', ['orphan'], { orphanDependents: false }),
    ).toEqual([]);
    expect(finalizersForGarbageCollection('OrphanDependents', [], {})).toEqual(['orphan']);
    expect(finalizersForGarbageCollection('OrphanDependents', ['foregroundDeletion'], {})).toBeUndefined();
  });
});

describe('namespaceFinalizersOnDelete', () => {
  it('keeps only what the request says about orphan and foregroundDeletion', () => {
    expect(namespaceFinalizersOnDelete([], { propagationPolicy: 'Background' })).toEqual([]);
    expect(namespaceFinalizersOnDelete(['x'], { propagationPolicy: 'Foreground' })).toEqual([
      'x',
      'foregroundDeletion',
    ]);
    expect(namespaceFinalizersOnDelete([], { orphanDependents: false })).toEqual(['foregroundDeletion']);
    expect(namespaceFinalizersOnDelete(['orphan'], {})).toEqual(['orphan']);
  });
});
