import { ApiError } from '../errors/status.js';
import type { ResourceKind } from '../registry/resource-kind.js';
import { deleteObject, type DeletionDeps } from './delete-object.js';

/**
 * Deletes every object of a kind, in every namespace, as a background DELETE of each would (objects with
 * finalizers stay, marked with `deletionTimestamp`): what the CRD finalizer does with a definition's
 * custom resources before the definition goes. Returns how many objects remain (held by finalizers).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/controller/finalizer/crd_finalizer.go
 */
export function deleteAllOfKind(deps: DeletionDeps, kind: ResourceKind): number {
  for (const obj of [...deps.store.scan({ kind })]) {
    try {
      deleteObject(deps, kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', {
        propagationPolicy: 'Background',
      });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
  return [...deps.store.scan({ kind })].length;
}
