import { conflict, notFound } from '../errors/status.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { Clock } from '../time/clock.js';
import { kubeTimestamp, type ObjectStore } from '../store/object-store.js';
import {
  defaultGarbageCollectionPolicy,
  finalizersForGarbageCollection,
  namespaceFinalizersOnDelete,
  type DeletionRequest,
} from './deletion-policy.js';
import { finalizersOf, isBeingDeleted } from '../store/finalizers.js';
import { gracefulPodDeletion } from './pod-graceful-deletion.js';

/** What deletion needs: the store, and the server clock for `deletionTimestamp`. */
export interface DeletionDeps {
  store: ObjectStore;
  clock: Clock;
}

/** The outcome of a deletion. */
export interface DeletionResult {
  /** The last state (when `deleted`), or the object as it now waits for its finalizers. */
  object: KubeObject;
  /** Whether the object is gone, or only marked with `deletionTimestamp`. */
  deleted: boolean;
}

function isNamespaceKind(kind: ResourceKind): boolean {
  return kind.group === '' && kind.resource === 'namespaces';
}

/** The storage layer's precondition check (`storage.Preconditions.Check`). */
function checkPreconditions(kind: ResourceKind, current: KubeObject, request: DeletionRequest): void {
  const { uid, resourceVersion } = request.preconditions ?? {};
  const gr = { group: kind.group, resource: kind.resource };
  const name = current.metadata?.name ?? '';
  if (uid && uid !== current.metadata?.uid) {
    throw conflict(
      gr,
      name,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid}`,
    );
  }
  if (resourceVersion && resourceVersion !== current.metadata?.resourceVersion) {
    throw conflict(
      gr,
      name,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion}`,
    );
  }
}

/**
 * Deletes an object as kube-apiserver's generic store does: an object with finalizers (or given
 * `orphan`/`foregroundDeletion` by the propagation policy) only gets `deletionTimestamp` and
 * `deletionGracePeriodSeconds: 0` and stays until an update empties its finalizers; anything else goes at
 * once. A namespace turns `Terminating` first; the namespace controller removes it once it is empty.
 * A pod bound to a node is deleted gracefully while a kubelet runs (`pod-graceful-deletion.ts`): it stays,
 * Terminating, until the kubelet deletes it with a grace period of 0.
 * The one deletion path of REST handlers, deletecollection, the controllers and the programmatic handle.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 */
export function deleteObject(
  deps: DeletionDeps,
  kind: ResourceKind,
  namespace: string,
  name: string,
  request: DeletionRequest = {},
): DeletionResult {
  const { store } = deps;
  const current = store.get(kind, kind.namespaced ? namespace : '', name);
  if (!current) throw notFound({ group: kind.group, resource: kind.resource }, name);
  checkPreconditions(kind, current, request);
  const dryRun = request.dryRun ?? false;
  if (isNamespaceKind(kind)) {
    const pending = deleteNamespace(deps, kind, current, request);
    if (pending) return pending;
  }
  const graceful = gracefulPodDeletion(deps, kind, current, request);
  if (graceful && 'pending' in graceful) return { object: graceful.pending, deleted: false };
  if (graceful) {
    return { object: store.update(kind, graceful.marked, { dryRun, marksDeletion: true }), deleted: false };
  }
  const finalizers = finalizersOf(current);
  const changed = finalizersForGarbageCollection(defaultGarbageCollectionPolicy(kind), finalizers, request);
  const next = changed ?? finalizers;
  if (next.length > 0) {
    const marked = structuredClone(current) as KubeObject;
    const metadata = marked.metadata!;
    metadata.finalizers = next;
    metadata.deletionTimestamp ??= kubeTimestamp(deps.clock.now());
    metadata.deletionGracePeriodSeconds = 0;
    return { object: store.update(kind, marked, { dryRun, marksDeletion: true }), deleted: false };
  }
  const object = store.delete(kind, namespace, name, {
    dryRun,
    ...(request.preconditions ? { preconditions: request.preconditions } : {}),
  });
  return { object, deleted: true };
}

/**
 * The namespace REST's first step: mark it `Terminating` (once), or leave it while its spec finalizers
 * remain. Undefined when the namespace may go now.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/namespace/storage/storage.go
 */
function deleteNamespace(
  deps: DeletionDeps,
  kind: ResourceKind,
  current: KubeObject,
  request: DeletionRequest,
): DeletionResult | undefined {
  if (!isBeingDeleted(current)) {
    const marked = structuredClone(current) as KubeObject;
    const metadata = marked.metadata!;
    metadata.deletionTimestamp = kubeTimestamp(deps.clock.now());
    const finalizers = namespaceFinalizersOnDelete(finalizersOf(current), request);
    if (finalizers.length > 0) metadata.finalizers = finalizers;
    else delete metadata.finalizers;
    marked.status = { ...(marked.status as object | undefined), phase: 'Terminating' };
    const object = deps.store.update(kind, marked, { dryRun: request.dryRun ?? false, marksDeletion: true });
    return { object, deleted: false };
  }
  const specFinalizers = (current.spec as { finalizers?: unknown[] } | undefined)?.finalizers ?? [];
  if (specFinalizers.length > 0) return { object: current, deleted: false };
  return undefined;
}
