import { ApiError } from '../errors/status.js';
import { deleteObject, type DeletionDeps } from '../lifecycle/delete-object.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../lifecycle/deletion-policy.js';
import { finalizersOf, isBeingDeleted } from '../store/finalizers.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';

/** What the lifecycle controllers read and write. */
export interface ControllerDeps extends DeletionDeps {
  registry: KindRegistry;
}

/** A stored object with its kind. */
export interface StoredEntry {
  kind: ResourceKind;
  obj: KubeObject;
}

interface OwnerReference {
  uid?: string;
  blockOwnerDeletion?: boolean;
}

function ownerReferencesOf(obj: KubeObject): OwnerReference[] {
  const refs = obj.metadata?.ownerReferences;
  return Array.isArray(refs) ? (refs as OwnerReference[]) : [];
}

function namespaceOf(obj: KubeObject): string {
  return obj.metadata?.namespace ?? '';
}

/** Writes that a vanished or changed object makes moot are skipped: the next pass sees the new state. */
export function tolerateRaces(write: () => void): void {
  try {
    write();
  } catch (error) {
    if (error instanceof ApiError && (error.code === 404 || error.code === 409)) return;
    throw error;
  }
}

function updateWith(deps: ControllerDeps, entry: StoredEntry, change: (copy: KubeObject) => void): void {
  const copy = structuredClone(entry.obj) as KubeObject;
  change(copy);
  tolerateRaces(() => deps.store.update(entry.kind, copy));
}

/** Sets a list of metadata, dropping it when empty as Go's `omitempty` does on the wire. */
function setMetadataList(copy: KubeObject, field: 'ownerReferences' | 'finalizers', items: unknown[]): void {
  if (items.length > 0) copy.metadata![field] = items;
  else delete copy.metadata![field];
}

function setOwnerReferences(copy: KubeObject, refs: OwnerReference[]): void {
  setMetadataList(copy, 'ownerReferences', refs);
}

function removeFinalizer(deps: ControllerDeps, entry: StoredEntry, finalizer: string): void {
  updateWith(deps, entry, (copy) => {
    setMetadataList(
      copy,
      'finalizers',
      finalizersOf(copy).filter((f) => f !== finalizer),
    );
  });
}

function deleteEntry(deps: ControllerDeps, entry: StoredEntry, propagationPolicy: string): void {
  const { kind, obj } = entry;
  tolerateRaces(() =>
    deleteObject(deps, kind, namespaceOf(obj), obj.metadata?.name ?? '', {
      propagationPolicy,
      preconditions: { uid: obj.metadata?.uid ?? '' },
    }),
  );
}

/**
 * One pass of the garbage collector over every stored object; the caller repeats it until the store
 * stops changing. Owners are found by uid, in the dependent's namespace or cluster-scoped (an owner
 * elsewhere is absent, as upstream's lookup in the dependent's namespace finds nothing):
 * - an owner being deleted with `orphan` loses its dependents' references to it, then the finalizer;
 * - an owner being deleted with `foregroundDeletion` loses the finalizer once no dependent with
 *   `blockOwnerDeletion` remains;
 * - a dependent with no live owner is deleted (in the foreground when an owner waits for it, else with
 *   the policy its own finalizers name, background by default); one with a live owner only loses the
 *   references to absent or foreground-deleting owners.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/garbagecollector/garbagecollector.go
 */
export function collectGarbage(deps: ControllerDeps): void {
  const byUid = new Map<string, StoredEntry>();
  const dependents = new Map<string, { entry: StoredEntry; ref: OwnerReference }[]>();
  const all: StoredEntry[] = [];
  for (const kind of deps.registry.storedKinds()) {
    for (const obj of deps.store.scan({ kind })) {
      const entry = { kind, obj };
      all.push(entry);
      if (obj.metadata?.uid) byUid.set(obj.metadata.uid, entry);
    }
  }
  const ownerOf = (dependent: StoredEntry, ref: OwnerReference): StoredEntry | undefined => {
    const owner = ref.uid ? byUid.get(ref.uid) : undefined;
    if (!owner) return undefined;
    if (!owner.kind.namespaced) return owner;
    return dependent.kind.namespaced && namespaceOf(owner.obj) === namespaceOf(dependent.obj)
      ? owner
      : undefined;
  };
  for (const entry of all) {
    for (const ref of ownerReferencesOf(entry.obj)) {
      const owner = ownerOf(entry, ref);
      if (!owner) continue;
      const uid = owner.obj.metadata!.uid!;
      dependents.set(uid, [...(dependents.get(uid) ?? []), { entry, ref }]);
    }
  }

  for (const owner of all) {
    if (!isBeingDeleted(owner.obj)) continue;
    const finalizers = finalizersOf(owner.obj);
    const mine = dependents.get(owner.obj.metadata!.uid!) ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const { entry } of mine) {
        updateWith(deps, entry, (copy) => {
          setOwnerReferences(
            copy,
            ownerReferencesOf(copy).filter((r) => r.uid !== owner.obj.metadata!.uid),
          );
        });
      }
      removeFinalizer(deps, owner, ORPHAN_FINALIZER);
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      if (!mine.some(({ ref }) => ref.blockOwnerDeletion === true))
        removeFinalizer(deps, owner, FOREGROUND_FINALIZER);
    }
  }

  for (const entry of all) {
    const refs = ownerReferencesOf(entry.obj);
    if (refs.length === 0) continue;
    const ownFinalizers = finalizersOf(entry.obj);
    if (isBeingDeleted(entry.obj) && !ownFinalizers.includes(FOREGROUND_FINALIZER)) continue;
    const solid: OwnerReference[] = [];
    const stale: OwnerReference[] = [];
    let ownerWaits = false;
    for (const ref of refs) {
      const owner = ownerOf(entry, ref);
      if (!owner) stale.push(ref);
      else if (isBeingDeleted(owner.obj) && finalizersOf(owner.obj).includes(FOREGROUND_FINALIZER)) {
        ownerWaits = true;
        stale.push(ref);
      } else solid.push(ref);
    }
    if (solid.length > 0) {
      if (stale.length === 0) continue;
      const staleUids = new Set(stale.map((r) => r.uid));
      updateWith(deps, entry, (copy) => {
        setOwnerReferences(
          copy,
          ownerReferencesOf(copy).filter((r) => !staleUids.has(r.uid)),
        );
      });
      continue;
    }
    if (isBeingDeleted(entry.obj)) continue;
    const hasDependents = (dependents.get(entry.obj.metadata?.uid ?? '') ?? []).length > 0;
    let policy = 'Background';
    if (ownerWaits && hasDependents) policy = 'Foreground';
    else if (ownFinalizers.includes(ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (ownFinalizers.includes(FOREGROUND_FINALIZER)) policy = 'Foreground';
    deleteEntry(deps, entry, policy);
  }
}
