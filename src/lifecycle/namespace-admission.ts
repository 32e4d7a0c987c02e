import { forbidden, type GroupResource } from '../errors/status.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { isBeingDeleted } from '../store/finalizers.js';

/**
 * NamespaceLifecycle admission for a create: 403 Forbidden when the namespace is being terminated, with
 * the `NamespaceTerminating` cause clients look for.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go
 */
export function refuseCreateInTerminatingNamespace(
  namespaceObject: KubeObject,
  resource: GroupResource,
  name: string,
): void {
  const phase = (namespaceObject.status as { phase?: string } | undefined)?.phase;
  if (phase !== 'Terminating' && !isBeingDeleted(namespaceObject)) return;
  const namespace = namespaceObject.metadata?.name ?? '';
  const reason = `unable to create new content in namespace ${namespace} because it is being terminated`;
  throw forbidden(resource, name, reason, [
    {
      reason: 'NamespaceTerminating',
      message: `namespace ${namespace} is being terminated`,
      field: 'metadata.namespace',
    },
  ]);
}

/** The namespaces NamespaceLifecycle never lets be deleted. */
export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

/**
 * NamespaceLifecycle admission for a DELETE: `default`, `kube-system` and `kube-public` may not be deleted
 * (403 Forbidden).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go
 */
export function refuseDeletingImmortalNamespace(name: string): void {
  if (!IMMORTAL_NAMESPACES.has(name)) return;
  throw forbidden({ group: '', resource: 'namespaces' }, name, 'this namespace may not be deleted');
}
