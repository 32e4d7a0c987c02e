import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ServerContext } from '../server/server-context.js';
import { resetStatusOnApiCreate } from './create-status-reset.js';
import { encodedStoredForm } from './typed-round-trip.js';
import { validateCreate, validateUpdate } from './kind-definition.js';

/**
 * What every create through the API does to the object after admission, whichever verb carries it (POST, or
 * a server-side apply that creates): the strategy's status reset, the kind's defaults, then its validation.
 */
export function prepareCreate(
  server: Pick<ServerContext, 'clock'>,
  kind: ResourceKind,
  obj: KubeObject,
  options: { keepStatus?: boolean } = {},
): void {
  if (!options.keepStatus) resetStatusOnApiCreate(kind, obj, server.clock.now());
  kind.defaultOnCreate?.(obj);
  kind.normalizeOnWrite?.(obj);
  validateCreate(kind, obj);
}

/**
 * What every update through the API does to the object (PUT, any PATCH, server-side apply): status stays as
 * stored where the kind has a status subresource, the kind normalizes it against the stored object (kept
 * cluster IPs, immutable selectors), then its update validation.
 */
export function prepareUpdate(
  kind: ResourceKind,
  obj: KubeObject,
  current: KubeObject,
  options: { keepStatus?: boolean } = {},
): void {
  if (!options.keepStatus) keepStoredStatus(kind, obj, current);
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
  const next = encodedStoredForm(kind, obj);
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
