import type { KindRegistry } from '../registry/kind-registry.js';
import type { ObjectStore } from '../store/object-store.js';

interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
}

/**
 * Points the owner references of loaded manifests at the owners loaded with them: the store gives every
 * object a new uid, so a reference copied from a cluster (or written by hand) names its owner by kind and
 * name only. Without this the garbage collector would take every fixture dependent for an orphan.
 * References whose owner is not loaded are left alone (and collected, as on a cluster).
 */
export function linkOwnerReferences(store: ObjectStore, registry: KindRegistry): void {
  for (const kind of registry.storedKinds()) {
    for (const current of [...store.scan({ kind })]) {
      const refs = current?.metadata?.ownerReferences;
      if (!Array.isArray(refs) || refs.length === 0) continue;
      let changed = false;
      const linked = (refs as OwnerReference[]).map((ref) => {
        const ownerKind =
          ref.apiVersion && ref.kind ? registry.byApiVersionKind(ref.apiVersion, ref.kind) : undefined;
        if (!ownerKind || !ref.name) return ref;
        const owner = store.get(
          ownerKind,
          ownerKind.namespaced ? (current.metadata?.namespace ?? '') : '',
          ref.name,
        );
        const uid = owner?.metadata?.uid;
        if (!uid || uid === ref.uid) return ref;
        changed = true;
        return { ...ref, uid };
      });
      if (changed)
        store.update(kind, { ...current, metadata: { ...current.metadata, ownerReferences: linked } });
    }
  }
}
