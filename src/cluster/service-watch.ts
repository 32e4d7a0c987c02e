import { podKind } from '../registry/built-in-kinds.js';
import { serviceKind } from '../registry/kinds/core-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { ClusterContext } from './cluster-context.js';
import { keyOf, ReconcileQueue, splitKey } from './reconcile-queue.js';
import { selectorOf } from './service-endpoints.js';

const PODS = storageKeyOf(podKind);
const SERVICES = storageKeyOf(serviceKind);

function selects(service: KubeObject, pod: KubeObject | undefined): boolean {
  const selector = selectorOf(service);
  if (!selector || !pod) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * What both endpoints controllers watch: each Service, reconciled when it changes or a pod it selects (before
 * or after the change) does, on a later turn. `reconcile` gets the Service, or undefined and its former
 * self once it is gone. `name` is the controller's, for its log. Returns the function that stops watching.
 */
export function watchServices(
  name: string,
  context: ClusterContext,
  reconcile: (namespace: string, name: string, service: KubeObject | undefined, gone?: KubeObject) => void,
): () => void {
  const { store } = context;
  const gone = new Map<string, KubeObject>();
  const queue = new ReconcileQueue(
    name,
    context.timers,
    (key) => {
      const [namespace, name] = splitKey(key);
      const service = store.get(serviceKind, namespace, name);
      const former = gone.get(key);
      gone.delete(key);
      reconcile(namespace, name, service, service ? undefined : former);
    },
    context.log,
  );
  const unsubscribe = store.subscribe((event) => {
    if (event.kindKey === SERVICES) {
      if (event.type === 'DELETED') gone.set(keyOf(event.object), event.object);
      queue.add(keyOf(event.object));
      return;
    }
    if (event.kindKey !== PODS) return;
    const namespace = event.object.metadata?.namespace ?? '';
    for (const service of store.list({ kind: serviceKind, namespace }).items) {
      if (selects(service, event.object) || selects(service, event.previous)) queue.add(keyOf(service));
    }
  });
  for (const service of store.list({ kind: serviceKind }).items) {
    if (selectorOf(service)) queue.add(keyOf(service));
  }
  return unsubscribe;
}
