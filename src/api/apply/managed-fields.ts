/**
 * `metadata.managedFields` as upstream's field manager keeps them: which manager owns which fields, updated
 * on every write (operation `Update`) and by server-side apply (operation `Apply`), with apply conflicts.
 * @see https://github.com/kubernetes/kubernetes/tree/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/merge/update.go
 */
import { ApiError, conflictMessage, type StatusCause } from '../../errors/status.js';
import type { ApplyShape } from './apply-schema.js';
import {
  differenceFieldSets,
  emptyFieldSet,
  formatFieldPath,
  fromFieldsV1,
  hasPath,
  insertPath,
  intersectFieldSets,
  isEmptyFieldSet,
  memberPaths,
  recursiveDifferenceFieldSets,
  toFieldsV1,
  unionFieldSets,
  type FieldPath,
  type FieldSet,
} from './field-set.js';
import {
  compareObjects,
  mergeApplied,
  pruneReleased,
  STRIPPED_PATHS,
  toFieldSet,
} from './structured-merge.js';
import type { KubeObject } from '../../registry/resource-kind.js';

/** One manager's fields, decoded from a `ManagedFieldsEntry`. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Managers by identity: name, operation, subresource and (for `Update`) apiVersion, as `BuildManagerIdentifier`. */
export type ManagerMap = Map<string, ManagerFields>;

/** The identity of a manager entry, as upstream's `BuildManagerIdentifier` (JSON without time and fields). */
export function managerKey(
  entry: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
): string {
  return JSON.stringify({
    manager: entry.manager,
    operation: entry.operation,
    ...(entry.operation === 'Update' ? { apiVersion: entry.apiVersion } : {}),
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  });
}

const STRIP_SET: FieldSet = (() => {
  const set = emptyFieldSet();
  for (const path of STRIPPED_PATHS) insertPath(set, path);
  return set;
})();

/** Decodes `metadata.managedFields`; undefined when they are missing or cannot be read. */
export function decodeManagedFields(entries: unknown): ManagerMap | undefined {
  if (!Array.isArray(entries)) return undefined;
  const managers: ManagerMap = new Map();
  for (const raw of entries) {
    if (raw === null || typeof raw !== 'object') return undefined;
    const entry = raw as Record<string, unknown>;
    if (entry['operation'] !== 'Apply' && entry['operation'] !== 'Update') return undefined;
    if (entry['fieldsType'] !== 'FieldsV1') return undefined;
    const fields: ManagerFields = {
      manager: String(entry['manager'] ?? ''),
      operation: entry['operation'],
      apiVersion: String(entry['apiVersion'] ?? ''),
      set: fromFieldsV1(entry['fieldsV1']),
      ...(typeof entry['time'] === 'string' ? { time: entry['time'] } : {}),
      ...(typeof entry['subresource'] === 'string' && entry['subresource']
        ? { subresource: entry['subresource'] }
        : {}),
    };
    managers.set(managerKey(fields), fields);
  }
  return managers;
}

function seconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

/** Encodes managers as `metadata.managedFields`, in `sortEncodedManagedFields`' order. */
export function encodeManagedFields(managers: ManagerMap): Record<string, unknown>[] {
  const sorted = [...managers.values()].sort(
    (p, q) =>
      compareStrings(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      compareStrings(p.manager, q.manager) ||
      compareStrings(p.apiVersion, q.apiVersion) ||
      compareStrings(p.subresource ?? '', q.subresource ?? ''),
  );
  return sorted.map((entry) => ({
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    ...(entry.time ? { time: entry.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(entry.set),
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  }));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What the field manager needs to know of one write. */
export interface FieldManagerContext {
  shape: ApplyShape;
  /** The request's apiVersion (`apps/v1`). */
  apiVersion: string;
  manager: string;
  subresource?: string;
  /** Fields no manager of this write may own (status on the main resource of a kind with a status subresource). */
  ignored?: FieldSet;
  /** Now, as RFC 3339 with seconds. */
  time: string;
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _ignored, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function ownedSet(set: FieldSet, ctx: FieldManagerContext): FieldSet {
  const stripped = differenceFieldSets(set, STRIP_SET);
  return ctx.ignored ? recursiveDifferenceFieldSets(stripped, ctx.ignored) : stripped;
}

/**
 * The managers after a non-apply write: the changed fields move to the writer's `Update` entry (stamped
 * with the time), removed fields leave every manager, empty entries go.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/managedfieldsupdater.go
 */
export function recordUpdate(
  live: KubeObject,
  next: KubeObject,
  managers: ManagerMap,
  ctx: FieldManagerContext,
): ManagerMap {
  const comparison = compareObjects(withoutManagedFields(live), withoutManagedFields(next), ctx.shape);
  const changed = unionFieldSets(comparison.added, comparison.modified);
  const out: ManagerMap = new Map();
  for (const [key, entry] of managers) {
    const set = differenceFieldSets(differenceFieldSets(entry.set, changed), comparison.removed);
    if (!isEmptyFieldSet(set)) out.set(key, { ...entry, set });
  }
  const own = ownedSet(changed, ctx);
  if (isEmptyFieldSet(own)) return out;
  const self: ManagerFields = {
    manager: ctx.manager,
    operation: 'Update',
    apiVersion: ctx.apiVersion,
    time: ctx.time,
    set: own,
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
  };
  const key = managerKey(self);
  const previous = out.get(key);
  out.set(key, { ...self, set: previous ? unionFieldSets(own, previous.set) : own });
  return out;
}

/** One field another manager owns that an apply would change. */
export interface ApplyConflict {
  manager: ManagerFields;
  path: FieldPath;
}

/** The result of an apply: the object to store (undefined when nothing changed) and the managers. */
export interface ApplyResult {
  object: KubeObject;
  changed: boolean;
  managers: ManagerMap;
}

/**
 * Applies a configuration to the live object for `ctx.manager` (`Updater.Apply`): merge, prune what the
 * applier let go of, and take the changed fields from other managers, which is a conflict unless `force`
 * (or the field is in `allowedConflicts`: kubectl's client-side-apply fields, for `lastAppliedManager`).
 * @throws ApiError 409 with the conflicts, as upstream's `NewConflictError`.
 */
export function applyConfiguration(
  live: KubeObject,
  config: KubeObject,
  managers: ManagerMap,
  ctx: FieldManagerContext,
  force: boolean,
  allowedConflicts?: FieldSet,
): ApplyResult {
  const bareLive = withoutManagedFields(live);
  let merged = mergeApplied(bareLive, config, ctx.shape) as KubeObject;
  const applierKey = managerKey({
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
  });
  const configSet = ownedSet(toFieldSet(config, ctx.shape), ctx);
  const lastSet = managers.get(applierKey)?.set;
  const next: ManagerMap = new Map(managers);
  const previousTime = managers.get(applierKey)?.time;
  next.set(applierKey, {
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    set: configSet,
    ...(previousTime ? { time: previousTime } : {}),
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
  });
  if (lastSet && !isEmptyFieldSet(lastSet)) {
    let owned = emptyFieldSet();
    for (const entry of next.values()) owned = unionFieldSets(owned, entry.set);
    merged = pruneReleased(merged, differenceFieldSets(lastSet, configSet), owned, ctx.shape) as KubeObject;
  }
  const comparison = compareObjects(bareLive, merged, ctx.shape);
  const changed = unionFieldSets(comparison.added, comparison.modified);
  const conflicts: ApplyConflict[] = [];
  for (const [key, entry] of next) {
    if (key === applierKey) continue;
    const taken = intersectFieldSets(entry.set, changed);
    if (isEmptyFieldSet(taken)) continue;
    for (const path of memberPaths(taken)) conflicts.push({ manager: entry, path });
  }
  const blocking = allowedConflicts ? conflicts.filter((c) => !hasPath(allowedConflicts, c.path)) : conflicts;
  if (blocking.length > 0 && !force) throw applyConflictError(blocking);
  for (const [key, entry] of next) {
    if (key === applierKey) continue;
    const set = differenceFieldSets(differenceFieldSets(entry.set, changed), comparison.removed);
    if (isEmptyFieldSet(set)) next.delete(key);
    else next.set(key, { ...entry, set });
  }
  if (isEmptyFieldSet(configSet)) next.delete(applierKey);
  const didChange = !isEmptyFieldSet(changed) || !isEmptyFieldSet(comparison.removed);
  if (didChange && next.has(applierKey)) next.set(applierKey, { ...next.get(applierKey)!, time: ctx.time });
  return { object: didChange ? merged : bareLive, changed: didChange, managers: next };
}

/** How upstream names a manager in conflicts (`printManager`): `"kubectl" using apps/v1` for an Update. */
export function describeManager(entry: ManagerFields): string {
  let text = JSON.stringify(entry.manager);
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') text += ` using ${entry.apiVersion}`;
  return text;
}

/**
 * The 409 of an apply conflict, as `internal.NewConflictError`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go
 */
export function applyConflictError(conflicts: readonly ApplyConflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: formatFieldPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const only = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(only.manager)}: ${formatFieldPath(only.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const name = describeManager(c.manager);
      byManager.set(name, [...(byManager.get(name) ?? []), `- ${formatFieldPath(c.path)}`]);
    }
    const lines: string[] = [];
    for (const name of [...byManager.keys()].sort())
      lines.push(`conflicts with ${name}:`, ...byManager.get(name)!);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return conflictMessage(message, causes);
}

/** Sets (or, for none, removes) `metadata.managedFields` on an object that is not frozen. */
export function setManagedFields(obj: KubeObject, managers: ManagerMap): void {
  const metadata = (obj.metadata ??= {});
  if (managers.size === 0) delete metadata.managedFields;
  else metadata.managedFields = encodeManagedFields(managers);
}
