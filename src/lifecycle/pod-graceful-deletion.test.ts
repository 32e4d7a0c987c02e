import { describe, expect, it } from 'vitest';
import { namespaceKind, podKind } from '../registry/built-in-kinds.js';
import { ObjectStore } from '../store/object-store.js';
import { deleteObject } from './delete-object.js';
import { enableGracefulPodDeletion } from './pod-graceful-deletion.js';

const clock = { now: () => new Date('2024-05-01T10:00:00Z') };

function setup(kubelet = true) {
  const store = new ObjectStore({ clock });
  store.create(namespaceKind, { metadata: { name: 'a' } });
  const pod = (name: string, spec: Record<string, unknown>, phase = 'Running') =>
    store.create(podKind, {
      metadata: { name, namespace: 'a' },
      spec: { containers: [], ...spec },
      status: { phase },
    });
  if (kubelet) enableGracefulPodDeletion(store);
  return { store, deps: { store, clock }, pod };
}

describe('graceful deletion of pods while a kubelet runs', () => {
  it('marks a bound pod for its grace period, which a later DELETE may only shorten', () => {
    const { store, deps, pod } = setup();
    pod('p', { nodeName: 'n', terminationGracePeriodSeconds: 30 });
    const first = deleteObject(deps, podKind, 'a', 'p');
    expect(first.deleted).toBe(false);
    expect(first.object.metadata).toMatchObject({
      deletionTimestamp: '2024-05-01T10:00:30Z',
      deletionGracePeriodSeconds: 30,
    });
    expect(
      deleteObject(deps, podKind, 'a', 'p', { gracePeriodSeconds: 60 }).object.metadata?.resourceVersion,
    ).toBe(first.object.metadata?.resourceVersion);
    const shorter = deleteObject(deps, podKind, 'a', 'p', { gracePeriodSeconds: 5 });
    expect(shorter.object.metadata).toMatchObject({
      deletionTimestamp: '2024-05-01T10:00:05Z',
      deletionGracePeriodSeconds: 5,
    });
    expect(deleteObject(deps, podKind, 'a', 'p', { gracePeriodSeconds: 0 }).deleted).toBe(true);
    expect(store.get(podKind, 'a', 'p')).toBeUndefined();
  });

  it('deletes at once a pod not bound, finished, or without a kubelet', () => {
    const { deps, pod } = setup();
    pod('unbound', {});
    pod('done', { nodeName: 'n' }, 'Succeeded');
    expect(deleteObject(deps, podKind, 'a', 'unbound').deleted).toBe(true);
    expect(deleteObject(deps, podKind, 'a', 'done').deleted).toBe(true);
    const still = setup(false);
    still.pod('bound', { nodeName: 'n', terminationGracePeriodSeconds: 30 });
    expect(deleteObject(still.deps, podKind, 'a', 'bound').deleted).toBe(true);
  });
});
