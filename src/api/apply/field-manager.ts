/**
 * The field manager the write handlers call: who the manager is (`fieldManager`, else the User-Agent's
 * prefix), and `metadata.managedFields` brought up to date on every create, update and patch.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/fieldmanager.go
 */
import { goEncodeObject, hasGoEncoding } from '../../decode/go-encode.js';
import { invalid, type FieldError } from '../../errors/status.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../../server/server-context.js';
import { kubeTimestamp } from '../../store/object-store.js';
import { applyShapeOf } from './apply-schema.js';
import { emptyFieldSet, insertPath, type FieldSet } from './field-set.js';
import {
  decodeManagedFields,
  recordUpdate,
  setManagedFields,
  type FieldManagerContext,
  type ManagerMap,
} from './managed-fields.js';

/** `validation.FieldManagerMaxLength`. */
const FIELD_MANAGER_MAX_LENGTH = 128;

/** The options kind a write's query parameters are validated as. */
export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** Field errors of a `fieldManager` value, as `ValidateFieldManager`. */
export function fieldManagerErrors(fieldManager: string): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    errors.push({
      type: 'FieldValueTooLong',
      field: 'fieldManager',
      detail: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
    });
  }
  let position = 0;
  for (const char of fieldManager) {
    if (!isPrintable(char)) {
      const code = char.codePointAt(0)!;
      errors.push({
        type: 'FieldValueInvalid',
        field: 'fieldManager',
        detail: `Invalid value: ${JSON.stringify(fieldManager)}: invalid character U+${code.toString(16).toUpperCase().padStart(4, '0')} (at position ${position})`,
      });
    }
    position += Buffer.byteLength(char);
  }
  return errors;
}

function isPrintable(char: string): boolean {
  return char === ' ' || !/[\p{C}\p{Z}]/u.test(char);
}

/** `prefixFromUserAgent`: the part before the first `/`, printable characters only, at most 128 bytes. */
export function prefixFromUserAgent(userAgent: string): string {
  let out = '';
  for (const char of userAgent.split('/')[0]!) {
    if (!isPrintable(char)) continue;
    if (Buffer.byteLength(out + char) > FIELD_MANAGER_MAX_LENGTH) break;
    out += char;
  }
  return out;
}

/** Throws the 422 a bad `fieldManager` gets: `PatchOptions.meta.k8s.io "" is invalid: fieldManager: ...`. */
export function throwIfInvalid(optionsKind: WriteOptionsKind, errors: FieldError[]): void {
  if (errors.length > 0) throw invalid(optionsKind, 'meta.k8s.io', '', errors);
}

/** The manager of a write: the validated `fieldManager` parameter, else the User-Agent's prefix. */
export function writeManager(ctx: RequestContext, optionsKind: WriteOptionsKind): string {
  const given = ctx.query.get('fieldManager') ?? '';
  throwIfInvalid(optionsKind, fieldManagerErrors(given));
  return given || prefixFromUserAgent(ctx.req.headers['user-agent'] ?? '');
}

const STATUS_ONLY: FieldSet = (() => {
  const set = emptyFieldSet();
  insertPath(set, ['f:status']);
  return set;
})();

/** Field-manager settings of a write to `kind` (status is nobody's on the main resource of a kind with a status subresource). */
export function managerContext(
  server: Pick<ServerContext, 'clock'>,
  kind: ResourceKind,
  manager: string,
  subresource?: string,
): FieldManagerContext {
  const hasStatus = kind.subresources?.some((s) => s.name === 'status') ?? false;
  return {
    shape: applyShapeOf(kind),
    apiVersion: apiVersionOf(kind),
    manager,
    time: kubeTimestamp(server.clock.now()),
    ...(subresource ? { subresource } : {}),
    ...(hasStatus && !subresource ? { ignored: STATUS_ONLY } : {}),
  };
}

/**
 * What a freshly made typed object already has (`scope.Creater.New(kind)` converted to JSON), so that
 * a create does not record those structs as added (`f:spec` without `.`).
 */
function emptyObjectOf(kind: ResourceKind, next: KubeObject): KubeObject {
  const empty: KubeObject = { metadata: {} };
  if (kind.origin === 'crd' || kind.openApiSchema) return empty;
  // The Go zero value of the kind, as encoding/json writes it (`containers: null`, no ReplicationController
  // template: a nil pointer).
  const typeMeta = { apiVersion: next.apiVersion, kind: next.kind };
  if (hasGoEncoding(String(next.apiVersion), String(next.kind))) return goEncodeObject(typeMeta);
  if ('spec' in next) {
    const spec: Record<string, unknown> = {};
    const nextSpec = (next['spec'] ?? {}) as Record<string, unknown>;
    if ('template' in nextSpec) spec['template'] = { metadata: {}, spec: {} };
    if (kind.group === 'apps' && kind.kind === 'Deployment') spec['strategy'] = {};
    if (kind.group === 'apps' && (kind.kind === 'StatefulSet' || kind.kind === 'DaemonSet'))
      spec['updateStrategy'] = {};
    empty['spec'] = spec;
  }
  if ('status' in next) empty['status'] = {};
  return empty;
}

/** Whether a client's `managedFields` ask for a reset (`[]` or `[{}]`), as `isResetManagedFields`. */
function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && JSON.stringify(entries[0]) === '{}';
}

/**
 * Brings `next.metadata.managedFields` up to date for a create, update or patch by `manager` (`live`
 * undefined for a create). The managers come from `next` when the client sent some (`[]` resets them),
 * else from `live`; a subresource write always starts from `live`'s (`decodeLiveOrNew`).
 */
export function trackWrite(
  server: Pick<ServerContext, 'clock'>,
  kind: ResourceKind,
  live: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  subresource?: string,
): void {
  const sent = next.metadata?.managedFields;
  let managers: ManagerMap;
  if (!subresource && isReset(sent)) managers = new Map();
  else {
    const fromRequest = subresource ? undefined : decodeManagedFields(sent);
    managers =
      fromRequest && fromRequest.size > 0
        ? fromRequest
        : (decodeManagedFields(live?.metadata?.managedFields) ?? new Map());
  }
  const base = live ?? emptyObjectOf(kind, next);
  setManagedFields(
    next,
    recordUpdate(base, next, managers, managerContext(server, kind, manager, subresource)),
  );
}
