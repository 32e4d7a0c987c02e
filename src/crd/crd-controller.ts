import type { KindRegistry } from '../registry/kind-registry.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { Clock } from '../time/clock.js';
import { describeError, type ObjectStore } from '../store/object-store.js';
import { createCustomResourceDefinitionKind } from './crd-kind.js';
import { kindsOfCustomResourceDefinition } from './custom-resource-kinds.js';

const CRD_KIND_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

/**
 * Serves what CustomResourceDefinitions define, as the apiextensions-apiserver does: every served version
 * of each CRD in the store (now, and as CRDs are created, changed, restored or deleted) is a kind in the
 * registry, so routes, discovery, OpenAPI and RBAC see it at once. A deleted CRD's kinds go, and so do its
 * objects (watchers see them DELETED). Returns the function that stops following the store.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_discovery_controller.go
 */
export function startCrdController(deps: {
  registry: KindRegistry;
  store: ObjectStore;
  clock: Clock;
  log: (message: string) => void;
}): () => void {
  const { registry, store } = deps;
  const crdKind = createCustomResourceDefinitionKind(deps.clock);
  registry.register(crdKind);
  const servedByCrd = new Map<string, ResourceKind[]>();

  const serve = (crd: KubeObject): void => {
    const name = crd.metadata?.name ?? '';
    const kinds = kindsOfCustomResourceDefinition(crd);
    const key = (k: ResourceKind) => `${k.group}/${k.version}/${k.resource}`;
    const now = new Set(kinds.map(key));
    for (const old of servedByCrd.get(name) ?? []) if (!now.has(key(old))) registry.unregister(old);
    for (const kind of kinds) registry.register(kind);
    servedByCrd.set(name, kinds);
  };

  const withdraw = (crd: KubeObject): void => {
    const name = crd.metadata?.name ?? '';
    const kinds = servedByCrd.get(name) ?? kindsOfCustomResourceDefinition(crd);
    servedByCrd.delete(name);
    for (const kind of kinds) registry.unregister(kind);
    const [kind] = kinds;
    if (!kind) return;
    // After the CRD's own event has reached every watcher, so that events stay in resourceVersion order.
    queueMicrotask(() => {
      if (registry.all().some((k) => k.group === kind.group && k.resource === kind.resource)) return;
      for (const obj of store.list({ kind }).items) {
        const { namespace = '', name: objectName = '' } = obj.metadata ?? {};
        if (store.get(kind, namespace, objectName)) store.delete(kind, namespace, objectName);
      }
    });
  };

  // One stored CRD that cannot be served (a data dir written by an older version) must not stop the start.
  for (const crd of store.list({ kind: crdKind }).items) {
    try {
      serve(crd);
    } catch (error) {
      deps.log(
        `cannot serve the CustomResourceDefinition ${crd.metadata?.name ?? ''}: ${describeError(error)}`,
      );
    }
  }
  return store.subscribe((event) => {
    if (event.kindKey !== CRD_KIND_KEY) return;
    if (event.type === 'DELETED') withdraw(event.object);
    else serve(event.object);
  });
}
