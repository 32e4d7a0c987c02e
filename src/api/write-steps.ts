import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ServerContext } from '../server/server-context.js';
import { resetStatusOnApiCreate } from './create-status-reset.js';
import { namespaceKind } from '../registry/built-in-kinds.js';
import { servedForm, storedForm } from './served-form.js';
import { validateCreate, validateUpdate } from './strategy-validation.js';

/**
 * What every create through the API does to the object after admission, whichever verb carries it (POST, or
 * a server-side apply that creates): the strategy's status reset, the kind's defaults, then its validation.
 */
export function prepareCreate(
  server: Pick<ServerContext, 'clock'>,
  kind: ResourceKind,
  obj: KubeObject,
): void {
  resetStatusOnApiCreate(kind, obj, server.clock.now());
  kind.defaultOnCreate?.(obj);
  kind.normalizeOnWrite?.(obj);
  validateCreate(kind, obj);
}

/**
 * What every update through the API does to the object (PUT, any PATCH, server-side apply): status stays as
 * stored where the kind has a status subresource, the kind normalizes it against the stored object (kept
 * cluster IPs, immutable selectors), then its update validation.
 */
export function prepareUpdate(kind: ResourceKind, obj: KubeObject, current: KubeObject): void {
  keepStoredStatus(kind, obj, current);
  kind.normalizeOnWrite?.(obj, current);
  validateUpdate(kind, obj, current);
}

/**
 * Stores an update made in the served form; the stored status stays as it was where the kind has a status
 * subresource, also what the served version cannot express (an autoscaling/v2 HPA's conditions under v1).
 */
export function updateStored(
  server: Pick<ServerContext, 'store'>,
  kind: ResourceKind,
  obj: KubeObject,
  stored: KubeObject,
  dryRun: boolean,
): KubeObject {
  const next = storedForm(kind, obj);
  if (kind.conversion) keepStoredStatus(kind, next, stored);
  return server.store.update(kind, next, { dryRun });
}

/**
 * Writes to the main resource of a kind with a `status` subresource leave status as stored, as every such
 * strategy's `PrepareForUpdate` does (`newObj.Status = oldObj.Status`).
 */
function keepStoredStatus(kind: ResourceKind, obj: KubeObject, current: KubeObject): void {
  if (!kind.subresources?.some((s) => s.name === 'status')) return;
  if (current.status === undefined) delete obj.status;
  else obj.status = current.status;
}

/** An object a seed wrote, by where it lives. */
export interface SeededObject {
  kind: ResourceKind;
  namespace: string;
  name: string;
}

/**
 * The one road by which fixtures at start-up, `server.apply()` and the control API put an already admitted object
 * into the store: its namespace is created when missing, it is defaulted and normalized as a create is, and
 * converted to its stored form (an events.k8s.io/v1 Event is stored as the core Event it is). An object that
 * exists is replaced, keeping its status when none is given, or with `existing: 'keep'` left as it is (fixtures
 * do not replace the bootstrap policy). Status is kept as given: seeds set it on purpose. Returns what it
 * created (the namespace first), for the controllers that react to new objects.
 */
export function seedObject(
  store: ServerContext['store'],
  kind: ResourceKind,
  object: KubeObject,
  options: { existing: 'replace' | 'keep' },
): SeededObject[] {
  const written: SeededObject[] = [];
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  if (kind.namespaced && !store.get(namespaceKind, '', namespace)) {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
    namespaceKind.defaultOnCreate?.(ns);
    store.create(namespaceKind, ns);
    written.push({ kind: namespaceKind, namespace: '', name: namespace });
  }
  const current = store.get(kind, namespace, name);
  if (!current) {
    kind.defaultOnCreate?.(object);
    kind.normalizeOnWrite?.(object);
    store.create(kind, storedForm(kind, object), { keepCreationTimestamp: true });
    written.push({ kind, namespace, name });
  } else if (options.existing === 'replace') {
    if (object.status === undefined && current.status !== undefined)
      object.status = servedForm(kind, current).status;
    kind.normalizeOnWrite?.(object);
    store.update(kind, storedForm(kind, object));
  }
  return written;
}
