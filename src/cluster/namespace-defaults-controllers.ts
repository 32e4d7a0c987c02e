import { ROOT_CA_CONFIGMAP, ensureNamespaceDefaults } from '../controllers/namespace-defaults.js';
import { configMapKind, namespaceKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { StoreEvent } from '../store/object-store.js';
import type { ClusterComponent, ClusterContext } from './cluster-context.js';

const SERVICE_ACCOUNTS = storageKeyOf(serviceAccountKind);
const CONFIG_MAPS = storageKeyOf(configMapKind);

/** Whether the namespace exists and is not being deleted (the controllers leave a terminating one alone). */
function active(context: ClusterContext, namespace: string): boolean {
  const object = context.store.get(namespaceKind, '', namespace);
  return object !== undefined && !object.metadata?.deletionTimestamp;
}

/**
 * A component that puts back, on a later turn, what `wanted` says an event took away from a namespace; the
 * writes are kube-controller-manager's, through the write path (`ensureNamespaceDefaults`).
 */
function restorer(name: string, wanted: (event: StoreEvent, caCert: string) => boolean): ClusterComponent {
  return {
    name,
    start(context) {
      return context.store.subscribe((event) => {
        if (!wanted(event, context.caCert)) return;
        const namespace = event.namespace;
        context.timers.after(0, () => {
          if (!active(context, namespace)) return;
          restore(context, name, namespace);
        });
      });
    },
  };
}

function restore(context: ClusterContext, name: string, namespace: string): void {
  const writer = context.writers['kube-controller-manager'];
  if (name === 'serviceaccount') {
    ensureNamespaceDefaults(context.store, writer, namespace, context.caCert, { configMap: false });
    return;
  }
  const current = context.store.get(configMapKind, namespace, ROOT_CA_CONFIGMAP);
  if (current && (current.data as Record<string, string> | undefined)?.['ca.crt'] !== context.caCert) {
    writer.update(configMapKind, {
      ...structuredClone(current),
      data: { ...(current.data as Record<string, string> | undefined), 'ca.crt': context.caCert },
    });
    return;
  }
  ensureNamespaceDefaults(context.store, writer, namespace, context.caCert, { serviceAccount: false });
}

/**
 * kube-controller-manager's serviceaccount controller, for what it does after a namespace's creation (the
 * creation itself is `ensureNamespaceDefaults`): a deleted `default` ServiceAccount is created again.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/serviceaccount/serviceaccounts_controller.go (serviceAccountDeleted)
 */
export const serviceAccountController = restorer(
  'serviceaccount',
  (event) =>
    event.type === 'DELETED' &&
    event.kindKey === SERVICE_ACCOUNTS &&
    event.object.metadata?.name === 'default',
);

/**
 * The root-ca-cert-publisher: a deleted `kube-root-ca.crt` ConfigMap is created again, one whose `ca.crt` was
 * changed gets the cluster's CA back.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/certificates/rootcacertpublisher/publisher.go (configMapDeleted, configMapUpdated)
 */
export const rootCaCertPublisher = restorer(
  'root-ca-cert-publisher',
  (event, caCert) =>
    event.kindKey === CONFIG_MAPS &&
    event.object.metadata?.name === ROOT_CA_CONFIGMAP &&
    (event.type === 'DELETED' ||
      (event.type === 'MODIFIED' &&
        (event.object.data as Record<string, string> | undefined)?.['ca.crt'] !== caCert)),
);
