import { stringify } from 'yaml';
import type { KindRegistry } from '../registry/kind-registry.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';

/** A stored kind as the inspector lists it. */
export interface InspectorKind {
  /** `group/resource`, as the store keys kinds (`/pods`, `rbac.authorization.k8s.io/roles`). */
  key: string;
  apiVersion: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  /** How many objects of it are stored now. */
  count: number;
}

/** One object in the inspector's list of a kind. */
export interface InspectorObjectSummary {
  namespace: string;
  name: string;
  resourceVersion: string;
  creationTimestamp: string;
}

/** A change to the store, as the inspector is told of it. */
export interface InspectorStoreChange {
  type: StoreEvent['type'];
  /** The kind's `key`. */
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: number;
}

/** The key the store files a kind under: objects of every version of a group/resource share it. */
export function inspectorKindKey(kind: Pick<ResourceKind, 'group' | 'resource' | 'storedAs'>): string {
  return storageKeyOf(kind);
}

/** The stored kinds with their object counts: the core group first, then by group, then by kind. */
export function inspectorKinds(registry: KindRegistry, store: ObjectStore): InspectorKind[] {
  return registry
    .storedKinds()
    .sort((a, b) => a.group.localeCompare(b.group) || a.kind.localeCompare(b.kind))
    .map((kind) => ({
      key: inspectorKindKey(kind),
      apiVersion: apiVersionOf(kind),
      kind: kind.kind,
      resource: kind.resource,
      namespaced: kind.namespaced,
      count: store.list({ kind }).items.length,
    }));
}

/** The stored kind with this key, if any. */
export function inspectorKindByKey(registry: KindRegistry, key: string): ResourceKind | undefined {
  return registry.storedKinds().find((kind) => inspectorKindKey(kind) === key);
}

/** The objects of a kind (in one namespace, or all), sorted by namespace and name. */
export function inspectorObjects(
  store: ObjectStore,
  kind: ResourceKind,
  namespace?: string,
): InspectorObjectSummary[] {
  const scope = namespace === undefined ? { kind } : { kind, namespace };
  return store.list(scope).items.map((obj) => ({
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    resourceVersion: obj.metadata?.resourceVersion ?? '',
    creationTimestamp: obj.metadata?.creationTimestamp ?? '',
  }));
}

/** A JSON value with every object's keys sorted, as kubectl prints the unstructured maps it reads. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** An object as text, as `kubectl get -o yaml` or `-o json` prints it (keys sorted). */
export function renderObject(obj: KubeObject, format: 'yaml' | 'json'): string {
  const sorted = sortedKeys(obj);
  return format === 'json' ? `${JSON.stringify(sorted, null, 2)}\n` : stringify(sorted, { lineWidth: 0 });
}

/** The inspector's notice of a store change. */
export function inspectorStoreChange(event: StoreEvent): InspectorStoreChange {
  return {
    type: event.type,
    kind: event.kindKey,
    namespace: event.namespace,
    name: event.object.metadata?.name ?? '',
    resourceVersion: event.resourceVersion,
  };
}
