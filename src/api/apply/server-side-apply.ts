/**
 * PATCH with `application/apply-patch+yaml`: server-side apply, as `handlers/patch.go`'s `applyPatcher`
 * and the field manager do it: `fieldManager` required, conflicts unless `force`, the object created
 * when missing (201), `dryRun`, and kubectl's client-side-apply annotation kept in step.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/
 */
import { parse as parseYaml } from 'yaml';
import { GO_YAML } from '../../json/go-yaml.js';
import { badRequest, type FieldError } from '../../errors/status.js';
import { writeJson } from '../../http/respond.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../../server/server-context.js';
import { admitObject } from '../object-validation.js';
import { admitNamespace, createThroughApi, updateThroughApi, type Writer } from '../write-path.js';
import { fieldManagerErrors, managerContext, prefixFromUserAgent, throwIfInvalid } from './field-manager.js';
import { applyConfiguration, decodeManagedFields, setManagedFields } from './managed-fields.js';
import { toFieldSet } from './structured-merge.js';
import { applyShapeOf } from './apply-schema.js';
import { refuseUnknownAppliedFields } from '../field-validation.js';
import { servedForm } from '../served-form.js';
import { assertStorableSize } from '../patch.js';

/** The media type of server-side apply. */
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Validates a PATCH's `fieldManager` and `force` as `ValidatePatchOptions`; returns the manager and `force`. */
export function patchOptions(ctx: RequestContext, isApply: boolean): { manager: string; force: boolean } {
  const manager = ctx.query.get('fieldManager') ?? '';
  const forceValue = ctx.query.get('force');
  const errors: FieldError[] = [];
  if (!isApply && forceValue !== null) {
    errors.push({
      type: 'FieldValueForbidden',
      field: 'force',
      detail: 'Forbidden: may not be specified for non-apply patch',
    });
  }
  if (isApply && !manager) {
    errors.push({
      type: 'FieldValueRequired',
      field: 'fieldManager',
      detail: 'Required value: is required for apply patch',
    });
  }
  errors.push(...fieldManagerErrors(manager));
  throwIfInvalid('PatchOptions', errors);
  return { manager, force: forceValue === 'true' || forceValue === '1' };
}

/** Decodes an apply body (YAML, JSON being YAML too) into the configuration object. */
export function decodeApplyConfiguration(body: Buffer, kind: ResourceKind): KubeObject {
  let config: unknown;
  try {
    config = parseYaml(body.toString('utf8'), GO_YAML);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw badRequest('error decoding YAML: cannot unmarshal into Go value of type map[string]interface {}');
  }
  const obj = config as KubeObject;
  if (!obj.kind) throw badRequest(`Object 'Kind' is missing in '${body.toString('utf8').trim()}'`);
  if (obj.apiVersion !== apiVersionOf(kind)) {
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${obj.apiVersion ?? ''}, expected: ${apiVersionOf(kind)}`,
    );
  }
  if (obj.metadata?.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  return obj;
}

/**
 * Answers an apply PATCH on the main resource: 200 with the object, or 201 when it was created.
 * @throws ApiError 409 for conflicts, 422 for a missing `fieldManager`, 400 for an unreadable body.
 */
export function serveApplyPatch(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
  body: Buffer,
  dryRun: boolean,
): void {
  const { manager, force } = patchOptions(ctx, true);
  const config = decodeApplyConfiguration(body, kind);
  refuseUnknownAppliedFields(kind, config);
  const name = ctx.info.pathName;
  admitObject(kind, config, namespace, name);
  const stored = server.store.get(kind, namespace, name);
  const fieldContext = managerContext(server, kind, manager);
  if (!stored) {
    admitNamespace(server, kind, namespace, name);
    const result = applyConfiguration({}, config, new Map(), fieldContext, force);
    assertStorableSize(result.object);
    const obj = admitObject(kind, structuredClone(result.object), namespace, name);
    const created = createThroughApi(server, kind, obj, {
      manager,
      appliedManagers: result.managers,
      request: ctx,
      dryRun,
    });
    writeJson(ctx.res, 201, servedForm(kind, created));
    return;
  }
  const current = servedForm(kind, stored);
  const allowed = manager === 'kubectl' ? lastAppliedFields(kind, current) : undefined;
  const result = applyConfiguration(
    current,
    config,
    decodeManagedFields(current.metadata?.managedFields) ?? new Map(),
    fieldContext,
    force,
    allowed,
  );
  assertStorableSize(result.object);
  const obj = admitObject(kind, structuredClone(result.object), namespace, name);
  obj.metadata!.uid = current.metadata?.uid;
  if (typeof config.metadata?.resourceVersion !== 'string')
    obj.metadata!.resourceVersion = current.metadata?.resourceVersion;
  if (manager === 'kubectl') syncLastApplied(current, config, obj);
  const updated = updateThroughApi(server, kind, obj, stored, current, {
    manager,
    appliedManagers: result.managers,
    request: ctx,
    dryRun,
  });
  writeJson(ctx.res, 200, servedForm(kind, updated));
}

/**
 * The fields of kubectl's client-side-apply annotation: conflicts there do not stop `kubectl apply
 * --server-side` (upstream's `lastAppliedManager`), which takes over from client-side apply.
 */
function lastAppliedFields(kind: ResourceKind, live: KubeObject) {
  const annotation = live.metadata?.annotations?.[LAST_APPLIED];
  if (!annotation) return undefined;
  try {
    return toFieldSet(JSON.parse(annotation), applyShapeOf(kind));
  } catch {
    return undefined;
  }
}

/** `lastAppliedUpdater`: kubectl's server-side apply rewrites an existing client-side-apply annotation. */
function syncLastApplied(live: KubeObject, config: KubeObject, obj: KubeObject): void {
  if (!live.metadata?.annotations?.[LAST_APPLIED]) return;
  const applied = structuredClone(config);
  if (applied.metadata?.annotations) delete applied.metadata.annotations[LAST_APPLIED];
  obj.metadata!.annotations = { ...obj.metadata!.annotations, [LAST_APPLIED]: JSON.stringify(applied) };
}

/**
 * An apply PATCH on the `status` subresource: only the configuration's status is applied, by the
 * manager `with subresource "status"`. Returns the object with its new status and managed fields.
 */
export function applyStatusPatch(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  current: KubeObject,
  body: Buffer,
): KubeObject {
  const { manager, force } = patchOptions(ctx, true);
  const config = decodeApplyConfiguration(body, kind);
  refuseUnknownAppliedFields(kind, config);
  const statusOnly: KubeObject = {
    apiVersion: config.apiVersion,
    kind: config.kind,
    ...('status' in config ? { status: config['status'] } : {}),
  };
  const result = applyConfiguration(
    current,
    statusOnly,
    decodeManagedFields(current.metadata?.managedFields) ?? new Map(),
    managerContext(server, kind, manager, 'status'),
    force,
  );
  const obj = structuredClone(result.object);
  setManagedFields(obj, result.managers);
  return obj;
}

/**
 * Who writes a status: an apply carries the managers it computed (`incoming`'s managedFields); a PUT or
 * another PATCH records an update by its manager.
 */
export function statusWriter(
  ctx: RequestContext,
  incoming: KubeObject,
  applied: boolean,
): Pick<Writer, 'manager' | 'appliedManagers'> {
  if (applied) {
    const { manager } = patchOptions(ctx, true);
    return { manager, appliedManagers: decodeManagedFields(incoming.metadata?.managedFields) ?? new Map() };
  }
  return { manager: patchOrUpdateManager(ctx) };
}

function patchOrUpdateManager(ctx: RequestContext): string {
  const isPatch = ctx.req.method === 'PATCH';
  if (isPatch) return patchOptions(ctx, false).manager || prefixOf(ctx);
  const manager = ctx.query.get('fieldManager') ?? '';
  throwIfInvalid('UpdateOptions', fieldManagerErrors(manager));
  return manager || prefixOf(ctx);
}

function prefixOf(ctx: RequestContext): string {
  return prefixFromUserAgent(ctx.req.headers['user-agent'] ?? '');
}
