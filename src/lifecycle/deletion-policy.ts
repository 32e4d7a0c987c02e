import type { ResourceKind } from '../registry/resource-kind.js';

/** The finalizer that makes the garbage collector orphan an owner's dependents before it goes. */
export const ORPHAN_FINALIZER = 'orphan';
/** The finalizer that keeps an owner until its blocking dependents are gone (foreground deletion). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** The parts of `metav1.DeleteOptions` deletion reads. */
export interface DeletionRequest {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** `Background`, `Foreground` or `Orphan`. */
  propagationPolicy?: string;
  /** Deprecated: `true` is `Orphan`, `false` is `Foreground`-like (the owner gets `foregroundDeletion`). */
  orphanDependents?: boolean;
}

/** `rest.GarbageCollectionPolicy`: what happens to dependents when a request names no policy. */
export type GarbageCollectionPolicy = 'DeleteDependents' | 'OrphanDependents';

/**
 * Kinds whose strategy's `DefaultGarbageCollectionPolicy` orphans in the served version, for backwards
 * compatibility (every other kind deletes dependents in the background).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/replicationcontroller/strategy.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/batch/job/strategy.go
 */
const ORPHANING_KINDS = new Set(['/v1/replicationcontrollers', 'batch/v1/jobs']);

/** The default garbage collection policy of a kind in the version it is served at. */
export function defaultGarbageCollectionPolicy(
  kind: Pick<ResourceKind, 'group' | 'version' | 'resource'>,
): GarbageCollectionPolicy {
  return ORPHANING_KINDS.has(`${kind.group}/${kind.version}/${kind.resource}`)
    ? 'OrphanDependents'
    : 'DeleteDependents';
}

/** `shouldOrphanDependents` of the generic store. */
function shouldOrphan(
  policy: GarbageCollectionPolicy,
  finalizers: readonly string[],
  request: DeletionRequest,
) {
  if (request.orphanDependents !== undefined) return request.orphanDependents;
  if (request.propagationPolicy === 'Orphan') return true;
  if (request.propagationPolicy === 'Background' || request.propagationPolicy === 'Foreground') return false;
  for (const finalizer of finalizers) {
    if (finalizer === ORPHAN_FINALIZER) return true;
    if (finalizer === FOREGROUND_FINALIZER) return false;
  }
  return policy === 'OrphanDependents';
}

/** `shouldDeleteDependents` of the generic store. */
function shouldDeleteInForeground(finalizers: readonly string[], request: DeletionRequest) {
  if (request.orphanDependents !== undefined) return false;
  if (request.propagationPolicy === 'Foreground') return true;
  if (request.propagationPolicy === 'Background' || request.propagationPolicy === 'Orphan') return false;
  for (const finalizer of finalizers) {
    if (finalizer === FOREGROUND_FINALIZER) return true;
    if (finalizer === ORPHAN_FINALIZER) return false;
  }
  return false;
}

/**
 * The finalizers an object gets when it is deleted with `request`, as `deletionFinalizersForGarbageCollection`
 * computes them: `orphan` or `foregroundDeletion` replace each other as the policy asks. Undefined when the
 * set does not change.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 */
export function finalizersForGarbageCollection(
  policy: GarbageCollectionPolicy,
  finalizers: readonly string[],
  request: DeletionRequest,
): string[] | undefined {
  const next = finalizers.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (shouldOrphan(policy, finalizers, request)) next.push(ORPHAN_FINALIZER);
  if (shouldDeleteInForeground(finalizers, request)) next.push(FOREGROUND_FINALIZER);
  const before = new Set(finalizers);
  const same = before.size === new Set(next).size && next.every((f) => before.has(f));
  return same ? undefined : next;
}

/**
 * The metadata finalizers of a namespace being deleted: the namespace REST keeps only what the request
 * says about `orphan` and `foregroundDeletion` (`shouldHaveOrphanFinalizer`, `shouldHaveDeleteDependentsFinalizer`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/namespace/storage/storage.go
 */
export function namespaceFinalizersOnDelete(
  finalizers: readonly string[],
  request: DeletionRequest,
): string[] {
  const has = (f: string) => finalizers.includes(f);
  const orphan =
    request.orphanDependents ??
    (request.propagationPolicy !== undefined
      ? request.propagationPolicy === 'Orphan'
      : has(ORPHAN_FINALIZER));
  const foreground =
    request.orphanDependents !== undefined
      ? !request.orphanDependents
      : request.propagationPolicy !== undefined
        ? request.propagationPolicy === 'Foreground'
        : has(FOREGROUND_FINALIZER);
  const next = finalizers.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) next.push(ORPHAN_FINALIZER);
  if (foreground) next.push(FOREGROUND_FINALIZER);
  return next;
}
