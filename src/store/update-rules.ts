import { invalid } from '../errors/status.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { finalizersOf, isBeingDeleted } from './finalizers.js';

/**
 * The deletion rules every update of a stored object follows (`rest.BeforeUpdate`,
 * `ValidateObjectMetaUpdate`, `shouldDeleteDuringUpdate`): an update cannot set, change or remove
 * `deletionTimestamp` (unless it is the deletion itself, `marksDeletion`) nor add finalizers once it is
 * set (422). Returns true when the update empties the finalizers of an object being deleted, which then
 * goes for good. Changes `next` in place.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go
 */
export function applyDeletionRulesOnUpdate(
  kind: Pick<ResourceKind, 'kind' | 'group' | 'resource'>,
  current: KubeObject,
  next: KubeObject,
  marksDeletion = false,
): boolean {
  const metadata = (next.metadata ??= {});
  const currentMeta = current.metadata ?? {};
  const name = metadata.name ?? '';
  if (!isBeingDeleted(current)) {
    if (!marksDeletion && metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null) {
      throw invalid(kind.kind, kind.group, name, [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.deletionTimestamp',
          detail: `Invalid value: ${JSON.stringify(metadata.deletionTimestamp)}: field is immutable`,
        },
      ]);
    }
    if (!marksDeletion) delete metadata.deletionGracePeriodSeconds;
    return false;
  }
  // A later graceful deletion may shorten the period (`BeforeDelete`); nothing else moves it.
  if (!marksDeletion || !metadata.deletionTimestamp)
    metadata.deletionTimestamp = currentMeta.deletionTimestamp;
  if (currentMeta.deletionGracePeriodSeconds !== undefined && metadata.deletionGracePeriodSeconds == null) {
    metadata.deletionGracePeriodSeconds = currentMeta.deletionGracePeriodSeconds;
  }
  const before = new Set(finalizersOf(current));
  const added = [...new Set(finalizersOf(next))].filter((f) => !before.has(f)).sort();
  if (added.length > 0) {
    throw invalid(kind.kind, kind.group, name, [
      {
        type: 'FieldValueForbidden',
        field: 'metadata.finalizers',
        detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      },
    ]);
  }
  if (finalizersOf(next).length > 0) return false;
  // Namespaces also wait for their spec finalizers (`ShouldDeleteNamespaceDuringUpdate`).
  if (kind.group === '' && kind.resource === 'namespaces') {
    const specFinalizers = (next.spec as { finalizers?: unknown[] } | undefined)?.finalizers;
    if (Array.isArray(specFinalizers) && specFinalizers.length > 0) return false;
  }
  const grace = currentMeta.deletionGracePeriodSeconds;
  return grace === undefined || grace === null || grace === 0;
}
