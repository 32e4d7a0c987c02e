import { ApiError, badRequest, invalid, methodNotAllowed, successStatus } from '../errors/status.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import { deleteObject } from '../lifecycle/delete-object.js';
import { refuseDeletingImmortalNamespace } from '../lifecycle/namespace-admission.js';
import { namespaceKind } from '../registry/built-in-kinds.js';
import type { DeletionRequest } from '../lifecycle/deletion-policy.js';
import { apiVersionOf, type ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { parseListOptions, selectorPredicate } from './list-options.js';
import { listItemForm, servedForm, servedPredicate } from './served-form.js';
import { decodeDeleteOptionsAsGo } from './typed-body.js';
import type { KubeObject } from '../registry/resource-kind.js';

interface WireDeleteOptions {
  kind?: string;
  dryRun?: string[];
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
}

const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

/**
 * The request's `DeleteOptions`: from the body when there is one, else from the query, as the DELETE
 * handler decodes them; then `ValidateDeleteOptions`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
 */
export async function readDeleteOptions(ctx: RequestContext): Promise<DeletionRequest> {
  const body = await readBody(ctx.req);
  let wire: WireDeleteOptions = {};
  if (body.length > 0) {
    wire = decodeObjectBody(body, ctx.req.headers['content-type']) as WireDeleteOptions;
    decodeDeleteOptionsAsGo(wire as KubeObject);
    if (wire.kind !== undefined && wire.kind !== 'DeleteOptions') {
      throw badRequest(
        `the kind in the data (${wire.kind}) does not match the expected kind (DeleteOptions)`,
      );
    }
  } else {
    const grace = ctx.query.get('gracePeriodSeconds');
    if (grace !== null) wire.gracePeriodSeconds = Number(grace);
    if (ctx.query.has('dryRun')) wire.dryRun = ctx.query.getAll('dryRun');
    const propagation = ctx.query.get('propagationPolicy');
    if (propagation !== null) wire.propagationPolicy = propagation;
    const orphan = ctx.query.get('orphanDependents');
    if (orphan !== null) wire.orphanDependents = orphan === 'true';
  }
  for (const value of wire.dryRun ?? []) {
    if (value !== 'All') throw badRequest(`Invalid dryRun value: ${value}: supported values: "All"`);
  }
  const policy = wire.propagationPolicy;
  if (policy !== undefined && wire.orphanDependents !== undefined) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [
      {
        type: 'FieldValueInvalid',
        field: 'propagationPolicy',
        detail: `Invalid value: ${JSON.stringify(policy)}: orphanDependents and deletionPropagation cannot be both set`,
      },
    ]);
  }
  if (policy !== undefined && !PROPAGATION_POLICIES.includes(policy)) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [
      {
        type: 'FieldValueNotSupported',
        field: 'propagationPolicy',
        detail: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan", "nil"`,
      },
    ]);
  }
  return {
    dryRun: (wire.dryRun ?? []).length > 0,
    ...(wire.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: wire.gracePeriodSeconds } : {}),
    ...(wire.preconditions ? { preconditions: wire.preconditions } : {}),
    ...(policy !== undefined ? { propagationPolicy: policy } : {}),
    ...(wire.orphanDependents !== undefined ? { orphanDependents: wire.orphanDependents } : {}),
  };
}

/**
 * DELETE of one object. Gone at once: the object (kinds that return it) or a `Status` Success; waiting
 * for finalizers: the object with its `deletionTimestamp`, 200 (202 only for `orphanDependents: false`,
 * as upstream keeps for old clients).
 */
export async function handleDelete(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
): Promise<void> {
  const request = await readDeleteOptions(ctx);
  if (kind === namespaceKind) refuseDeletingImmortalNamespace(ctx.info.pathName);
  const { object, deleted } = deleteObject(server, kind, namespace, ctx.info.pathName, request);
  if (!deleted) {
    writeJson(ctx.res, request.orphanDependents === false ? 202 : 200, servedForm(kind, object));
    return;
  }
  if (kind.deleteReturnsObject) {
    writeJson(ctx.res, 200, servedForm(kind, object));
    return;
  }
  writeJson(
    ctx.res,
    200,
    successStatus({
      name: ctx.info.pathName,
      ...(kind.group ? { group: kind.group } : {}),
      kind: kind.resource,
      uid: object.metadata?.uid,
    }),
  );
}

/**
 * DELETE of a collection: every object the label and field selectors match is deleted as a single
 * DELETE would be; the answer is the list as it was listed before the deletions (`Store.DeleteCollection`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 */
export async function handleDeleteCollection(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
): Promise<void> {
  if (!kind.verbs.includes('deletecollection')) throw methodNotAllowed();
  const listOptions = parseListOptions(ctx.query, kind);
  const request = await readDeleteOptions(ctx);
  const scope = { kind, ...(kind.namespaced && namespace ? { namespace } : {}) };
  const { items, resourceVersion } = server.store.list(
    scope,
    servedPredicate(kind, selectorPredicate(kind, listOptions)),
  );
  for (const obj of items) {
    try {
      deleteObject(server, kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', request);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
  writeJson(ctx.res, 200, {
    kind: `${kind.kind}List`,
    apiVersion: apiVersionOf(kind),
    metadata: { resourceVersion: String(resourceVersion) },
    items: items.map((obj) => listItemForm(kind, obj)),
  });
}
