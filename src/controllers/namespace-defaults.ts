import { configMapKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import type { ControllerWriter } from '../api/write-path.js';
import type { ObjectStore } from '../store/object-store.js';

/** The ConfigMap the root-ca-cert-publisher puts in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

/**
 * What kube-controller-manager adds to every namespace within moments of its creation: the `default`
 * ServiceAccount (serviceaccount controller) and the `kube-root-ca.crt` ConfigMap holding the cluster CA
 * (root-ca-cert-publisher), written through the API's write path as kube-controller-manager. Existing objects are
 * left alone.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/serviceaccount/serviceaccounts_controller.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/certificates/rootcacertpublisher/publisher.go
 */
export function ensureNamespaceDefaults(
  store: ObjectStore,
  writer: ControllerWriter,
  namespace: string,
  caCert: string,
  which: { serviceAccount?: boolean; configMap?: boolean } = {},
): void {
  if (which.serviceAccount !== false && !store.get(serviceAccountKind, namespace, 'default')) {
    writer.create(serviceAccountKind, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace },
    });
  }
  if (which.configMap !== false && !store.get(configMapKind, namespace, ROOT_CA_CONFIGMAP)) {
    writer.create(configMapKind, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: ROOT_CA_CONFIGMAP,
        namespace,
        annotations: {
          'kubernetes.io/description':
            'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
        },
      },
      data: { 'ca.crt': caCert },
    });
  }
}
