import { ApiError, badRequest, methodNotAllowed, notFound, pathNotFound } from '../errors/status.js';
import { decodeObjectBody, mediaTypeOf, parseJson, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import {
  encodeContinue,
  ExpiredContinueError,
  parseListOptions,
  selectorPredicate,
  type ContinueToken,
} from './list-options.js';
import { includeObjectParameter, negotiateResponseTarget } from './negotiation.js';
import {
  asPartialObjectMetadata,
  asPartialObjectMetadataList,
  partialMetadataMismatch,
} from './partial-metadata.js';
import { admitObject, checkUrlObjectName, validateObjectName } from './object-validation.js';
import { applyPatch } from './patch.js';
import {
  enforceOnDecodedObject,
  enforceOnPatchedObject,
  fieldValidationDirective,
  rememberDuplicateFields,
} from './field-validation.js';
import { createThroughApi, updateStatusThroughApi, updateThroughApi } from './write-path.js';
import { writeManager } from './apply/field-manager.js';
import {
  APPLY_PATCH_TYPE,
  applyStatusPatch,
  patchOptions,
  serveApplyPatch,
  statusWriter,
} from './apply/server-side-apply.js';
import { servePodLog } from './pod-log.js';
import { servePodStream, STREAMING_SUBRESOURCES } from './pod-streams.js';
import { StreamHandlers } from '../streams/stream-handlers.js';
import { handleDelete, handleDeleteCollection } from './delete-handlers.js';
import { handleNamespaceFinalize } from './namespace-finalize.js';
import { handleScale } from './scale.js';
import { handleTokenRequest } from './token-request.js';
import { handleReview } from './reviews.js';
import { customResourcePrinter } from '../crd/custom-resource-table.js';
import { addWarning, collectWarningsFor } from '../http/warnings.js';
import { listItemForm, servedForm, servedPredicate, storedForm, tableOfStored } from './served-form.js';
import { serveWatch } from './watch.js';
import { handlePodBinding } from './pod-binding.js';
import { namespaceKind, podKind } from '../registry/built-in-kinds.js';
import { decodePatchedAsGo } from './typed-body.js';

/**
 * Serves a resource request whose group/version/resource the registry knows: CRUD, list, watch, patch
 * and the subresources the kind declares. Authorization has already happened.
 */
export async function handleResourceRequest(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
): Promise<void> {
  const { info, req } = ctx;
  collectWarningsFor(ctx.res);
  // Every action on a deprecated kind warns, errors included (the installer's AddWarningsHandler).
  if (kind.deprecationWarning) addWarning(kind.deprecationWarning);
  if (kind.namespaced === false && info.namespace && !(kind === namespaceKind)) throw pathNotFound();
  if (kind.storage === 'review') {
    if (req.method !== 'POST' || info.pathName) throw methodNotAllowed();
    return handleReview(server, ctx, kind);
  }
  if (info.subresource) {
    const sub = kind.subresources?.find((s) => s.name === info.subresource);
    if (!sub || info.parts.length > 3) throw pathNotFound();
    checkUrlObjectName(info.pathName);
    if (sub.name === 'log') return servePodLog(server, ctx, kind);
    if (kind === podKind && STREAMING_SUBRESOURCES.has(sub.name))
      return servePodStream(server, ctx, kind, sub.name, server.streams ?? new StreamHandlers());
    if (sub.name === 'status') return handleStatus(server, ctx, kind);
    if (sub.name === 'finalize') return handleNamespaceFinalize(server, ctx, kind);
    if (sub.name === 'scale') return handleScale(server, ctx, kind);
    if (sub.name === 'binding') return handlePodBinding(server, ctx);
    if (sub.name === 'token') {
      const account = server.store.get(kind, ctx.info.namespace, ctx.info.pathName);
      if (!account) throw notFound(groupResource(kind), ctx.info.pathName);
      return handleTokenRequest(server, ctx, account);
    }
    throw pathNotFound();
  }
  const namespace = kind.namespaced ? info.namespace : '';
  if (kind.namespaced && info.pathName && !info.namespace) throw pathNotFound();
  if (info.parts.length > 2) throw pathNotFound();
  if (info.pathName) checkUrlObjectName(info.pathName);
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      // The deprecated `/watch/` prefix (request-info.ts makes its verb `watch`) watches the collection, or
      // one object by name as a `metadata.name` field selector, as ListResource with forceWatch does.
      if (info.verb === 'watch') return listOrWatch(server, ctx, kind, watchQuery(ctx.query, info.pathName));
      if (info.pathName) return getObject(server, ctx, kind, namespace);
      return listOrWatch(server, ctx, kind);
    case 'POST':
      if (info.pathName) throw methodNotAllowed();
      if (kind.namespaced && !info.namespace) throw methodNotAllowed();
      return createObject(server, ctx, kind, namespace);
    case 'PUT':
      if (!info.pathName) throw methodNotAllowed();
      return replaceObject(server, ctx, kind, namespace);
    case 'PATCH':
      if (!info.pathName) throw methodNotAllowed();
      return patchObject(server, ctx, kind, namespace);
    case 'DELETE':
      if (!info.pathName) return handleDeleteCollection(server, ctx, kind, namespace);
      return handleDelete(server, ctx, kind, namespace);
    default:
      throw methodNotAllowed();
  }
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All') throw badRequest(`Invalid dryRun value: ${value}: supported values: "All"`);
  }
  return values.length > 0;
}

function groupResource(kind: ResourceKind) {
  return { group: kind.group, resource: kind.resource };
}

function getObject(server: ServerContext, ctx: RequestContext, kind: ResourceKind, namespace: string): void {
  const obj = server.store.get(kind, namespace, ctx.info.pathName);
  if (!obj) throw notFound(groupResource(kind), ctx.info.pathName);
  respondObject(server, ctx, 200, kind, obj);
}

function respondObject(
  server: ServerContext,
  ctx: RequestContext,
  code: number,
  kind: ResourceKind,
  obj: KubeObject,
): void {
  const target = negotiateResponseTarget(ctx.req.headers.accept);
  if (target.form === 'partialMetadata') {
    if (target.as === 'PartialObjectMetadataList') throw partialMetadataMismatch(kind, false);
    writeJson(ctx.res, code, asPartialObjectMetadata(servedForm(kind, obj), target.apiVersion));
    return;
  }
  if (target.form === 'table') {
    writeJson(
      ctx.res,
      code,
      tableOfStored(kind, [obj], {
        kind: kind.kind,
        printer: customResourcePrinter(kind),
        listMeta: { resourceVersion: obj.metadata?.resourceVersion ?? '' },
        includeObject: includeObjectParameter(ctx.query),
        now: server.clock.now(),
      }),
    );
    return;
  }
  writeJson(ctx.res, code, servedForm(kind, obj));
}

/**
 * The query of a watch through the `/watch/` prefix: `watch=true`, and for a named object its name added to the
 * field selector.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go
 */
function watchQuery(query: URLSearchParams, name: string | undefined): URLSearchParams {
  const out = new URLSearchParams(query);
  out.set('watch', 'true');
  if (name) {
    const fields = query.get('fieldSelector');
    out.set('fieldSelector', fields ? `${fields},metadata.name=${name}` : `metadata.name=${name}`);
  }
  return out;
}

async function listOrWatch(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  query: URLSearchParams = ctx.query,
): Promise<void> {
  const options = parseListOptions(query, kind);
  const scope = { kind, ...(kind.namespaced && ctx.info.namespace ? { namespace: ctx.info.namespace } : {}) };
  const predicate = servedPredicate(kind, selectorPredicate(kind, options));
  if (options.watch) return serveWatch(server, ctx, scope, options, predicate);

  let items: KubeObject[];
  let listVersion: number;
  if (options.continueToken) {
    const start = options.continueToken.startAfter;
    const listed = continuedList(server, scope, options.continueToken, predicate);
    items = listed.items.filter((obj) => itemKey(obj) > start);
    listVersion = listed.resourceVersion;
  } else if (
    options.resourceVersionMatch === 'Exact' ||
    (options.limit > 0 && options.resourceVersion && options.resourceVersion !== '0')
  ) {
    listVersion = Number(options.resourceVersion);
    items = server.store.listAt(scope, listVersion, predicate);
  } else {
    const listed = server.store.list(scope, predicate);
    items = listed.items;
    listVersion = listed.resourceVersion;
  }
  const listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: String(listVersion),
  };
  if (options.limit > 0 && items.length > options.limit) {
    const remaining = items.length - options.limit;
    items = items.slice(0, options.limit);
    listMeta.continue = encodeContinue(listVersion, itemKey(items[items.length - 1]!));
    if (options.labelSelector.empty && options.fieldSelector.empty) listMeta.remainingItemCount = remaining;
  }
  const target = negotiateResponseTarget(ctx.req.headers.accept);
  if (target.form === 'partialMetadata') {
    if (target.as === 'PartialObjectMetadata') throw partialMetadataMismatch(kind, true);
    const served = items.map((obj) => servedForm(kind, obj));
    writeJson(ctx.res, 200, asPartialObjectMetadataList(served, listMeta, target.apiVersion));
    return;
  }
  if (target.form === 'table') {
    writeJson(
      ctx.res,
      200,
      tableOfStored(kind, items, {
        kind: kind.kind,
        printer: customResourcePrinter(kind),
        listMeta,
        includeObject: includeObjectParameter(ctx.query),
        now: server.clock.now(),
      }),
    );
    return;
  }
  writeJson(ctx.res, 200, {
    kind: `${kind.kind}List`,
    apiVersion: apiVersionOf(kind),
    metadata: listMeta,
    items: items.map((obj) => listItemForm(kind, obj)),
  });
}

/**
 * The snapshot a continue token asks for: its version, or the latest for the negative version a 410 hands
 * out; a version that has left the history is the 410 with a token to go on at the latest.
 */
function continuedList(
  server: ServerContext,
  scope: Parameters<ServerContext['store']['list']>[0],
  token: ContinueToken,
  predicate: (obj: KubeObject) => boolean,
): { items: KubeObject[]; resourceVersion: number } {
  if (token.resourceVersion < 0) return server.store.list(scope, predicate);
  try {
    return {
      items: server.store.listAt(scope, token.resourceVersion, predicate),
      resourceVersion: token.resourceVersion,
    };
  } catch (error) {
    if (error instanceof ApiError && error.code === 410) {
      throw new ExpiredContinueError(encodeContinue(-1, token.startAfter));
    }
    throw error;
  }
}

function itemKey(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

async function readObject(ctx: RequestContext): Promise<KubeObject> {
  const body = await readBody(ctx.req);
  const obj = decodeObjectBody(body, ctx.req.headers['content-type']) as KubeObject;
  rememberDuplicateFields(obj, body, ctx.req.headers['content-type']);
  return obj;
}

async function createObject(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  const dryRun = isDryRun(ctx.query);
  const obj = admitObject(kind, await readObject(ctx), namespace);
  enforceOnDecodedObject(kind, obj, fieldValidationDirective(ctx.query, 'CreateOptions'));
  const created = createThroughApi(server, kind, obj, {
    manager: writeManager(ctx, 'CreateOptions'),
    request: ctx,
    dryRun,
  });
  writeJson(ctx.res, 201, servedForm(kind, created));
}

async function replaceObject(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  const dryRun = isDryRun(ctx.query);
  const obj = admitObject(kind, await readObject(ctx), namespace, ctx.info.pathName);
  enforceOnDecodedObject(kind, obj, fieldValidationDirective(ctx.query, 'UpdateOptions'));
  validateObjectName(kind, obj);
  const stored = server.store.get(kind, namespace, ctx.info.pathName);
  if (!stored) throw notFound(groupResource(kind), ctx.info.pathName);
  const current = servedForm(kind, stored);
  const manager = writeManager(ctx, 'UpdateOptions');
  const updated = updateThroughApi(server, kind, obj, stored, current, { manager, request: ctx, dryRun });
  writeJson(ctx.res, 200, servedForm(kind, updated));
}

async function patchObject(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  const dryRun = isDryRun(ctx.query);
  const mediaType = mediaTypeOf(ctx.req.headers['content-type']);
  const body = await readBody(ctx.req);
  const fieldValidation = fieldValidationDirective(ctx.query, 'PatchOptions');
  if (mediaType === APPLY_PATCH_TYPE) return serveApplyPatch(server, ctx, kind, namespace, body, dryRun);
  const stored = server.store.get(kind, namespace, ctx.info.pathName);
  if (!stored) throw notFound(groupResource(kind), ctx.info.pathName);
  const current = servedForm(kind, stored);
  const patched = applyPatch(kind, current, body, mediaType);
  decodePatchedAsGo(kind, patched, mediaType, body);
  enforceOnPatchedObject(kind, patched, fieldValidation, mediaType, body);
  const manager = patchOptions(ctx, false).manager || writeManager(ctx, 'PatchOptions');
  const obj = admitObject(kind, patched, namespace, ctx.info.pathName);
  if (obj.metadata) {
    obj.metadata.uid = current.metadata?.uid;
    if (!patchCarriesResourceVersion(body, mediaType))
      obj.metadata.resourceVersion = current.metadata?.resourceVersion;
  }
  const updated = updateThroughApi(server, kind, obj, stored, current, { manager, request: ctx, dryRun });
  writeJson(ctx.res, 200, servedForm(kind, updated));
}

function patchCarriesResourceVersion(body: Buffer, mediaType: string): boolean {
  if (mediaType === 'application/json-patch+json')
    return body.toString('utf8').includes('/metadata/resourceVersion');
  try {
    const parsed = parseJson(body) as { metadata?: { resourceVersion?: unknown } };
    return typeof parsed?.metadata?.resourceVersion === 'string';
  } catch {
    return false;
  }
}

async function handleStatus(server: ServerContext, ctx: RequestContext, kind: ResourceKind): Promise<void> {
  const namespace = kind.namespaced ? ctx.info.namespace : '';
  const current = server.store.get(kind, namespace, ctx.info.pathName);
  if (!current) throw notFound(groupResource(kind), ctx.info.pathName);
  const dryRun = ctx.req.method === 'GET' ? false : isDryRun(ctx.query);
  let incoming: KubeObject;
  switch (ctx.req.method) {
    case 'GET':
      writeJson(ctx.res, 200, servedForm(kind, current));
      return;
    case 'PUT':
      incoming = admitObject(kind, await readObject(ctx), namespace, ctx.info.pathName);
      enforceOnDecodedObject(kind, incoming, fieldValidationDirective(ctx.query, 'UpdateOptions'));
      break;
    case 'PATCH': {
      const mediaType = mediaTypeOf(ctx.req.headers['content-type']);
      const body = await readBody(ctx.req);
      const fieldValidation = fieldValidationDirective(ctx.query, 'PatchOptions');
      if (mediaType === APPLY_PATCH_TYPE) {
        incoming = applyStatusPatch(server, ctx, kind, servedForm(kind, current), body);
        break;
      }
      const patched = applyPatch(kind, servedForm(kind, current), body, mediaType);
      decodePatchedAsGo(kind, patched, mediaType, body);
      enforceOnPatchedObject(kind, patched, fieldValidation, mediaType, body);
      incoming = admitObject(kind, patched, namespace, ctx.info.pathName);
      break;
    }
    default:
      throw methodNotAllowed();
  }
  // The status subresource changes status only (and the resourceVersion precondition).
  const status = kind.conversion
    ? storedForm(kind, { ...servedForm(kind, current), status: incoming.status }).status
    : incoming.status;
  const applied =
    ctx.req.method === 'PATCH' && mediaTypeOf(ctx.req.headers['content-type']) === APPLY_PATCH_TYPE;
  const updated = updateStatusThroughApi(server, kind, current, status, {
    ...statusWriter(ctx, incoming, applied),
    request: ctx,
    dryRun,
    resourceVersion: incoming.metadata?.resourceVersion ?? '',
  });
  writeJson(ctx.res, 200, servedForm(kind, updated));
}
