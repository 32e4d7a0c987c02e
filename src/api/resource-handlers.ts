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
import { includeObjectParameter, negotiateResponseForm } from './negotiation.js';
import {
  admitObject,
  checkUrlObjectName,
  resolveGenerateName,
  validateObjectName,
} from './object-validation.js';
import { applyPatch } from './patch.js';
import { servePodLog } from './pod-log.js';
import { handleTokenRequest } from './token-request.js';
import { handleReview } from './reviews.js';
import { toTable } from './table.js';
import { serveWatch } from './watch.js';
import { namespaceKind } from '../registry/built-in-kinds.js';
import { confirmRbacWrite } from '../rbac/escalation.js';

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
    if (sub.name === 'status') return handleStatus(server, ctx, kind);
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
      if (!info.pathName) return deleteCollection(server, ctx, kind, namespace);
      return deleteObject(server, ctx, kind, namespace);
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

function requireNamespace(server: ServerContext, kind: ResourceKind, namespace: string): void {
  if (!kind.namespaced) return;
  if (!server.store.get(namespaceKind, '', namespace))
    throw notFound({ group: '', resource: 'namespaces' }, namespace);
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
  if (negotiateResponseForm(ctx.req.headers.accept) === 'table') {
    writeJson(
      ctx.res,
      code,
      toTable([obj], {
        kind: kind.kind,
        listMeta: { resourceVersion: obj.metadata?.resourceVersion ?? '' },
        includeObject: includeObjectParameter(ctx.query),
        now: server.clock.now(),
      }),
    );
    return;
  }
  writeJson(ctx.res, code, obj);
}

async function listOrWatch(server: ServerContext, ctx: RequestContext, kind: ResourceKind): Promise<void> {
  const options = parseListOptions(ctx.query, kind);
  const scope = { kind, ...(kind.namespaced && ctx.info.namespace ? { namespace: ctx.info.namespace } : {}) };
  const predicate = selectorPredicate(kind, options);
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
  if (negotiateResponseForm(ctx.req.headers.accept) === 'table') {
    writeJson(
      ctx.res,
      200,
      toTable(items, {
        kind: kind.kind,
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
    items,
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
  return decodeObjectBody(body, ctx.req.headers['content-type']) as KubeObject;
}

async function createObject(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  const dryRun = isDryRun(ctx.query);
  const obj = admitObject(kind, await readObject(ctx), namespace);
  // Upstream order: NamespaceLifecycle admission, then the RBAC storage's escalation check (before
  // generateName and validation, so its message has no name yet), then the store's BeforeCreate.
  requireNamespace(server, kind, namespace);
  confirmRbacWrite(server, ctx, kind, obj);
  resolveGenerateName(obj);
  validateObjectName(kind, obj);
  kind.defaultOnCreate?.(obj);
  kind.normalizeOnWrite?.(obj);
  const created = server.store.create(kind, obj, { dryRun });
  if (!dryRun) server.onCreated(kind, created);
  writeJson(ctx.res, 201, created);
}

async function replaceObject(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  const dryRun = isDryRun(ctx.query);
  const obj = admitObject(kind, await readObject(ctx), namespace, ctx.info.pathName);
  validateObjectName(kind, obj);
  const current = server.store.get(kind, namespace, ctx.info.pathName);
  if (!current) throw notFound(groupResource(kind), ctx.info.pathName);
  confirmRbacWrite(server, ctx, kind, obj, current);
  if (kind.subresources?.some((s) => s.name === 'status')) obj.status = current.status;
  kind.normalizeOnWrite?.(obj);
  writeJson(ctx.res, 200, server.store.update(kind, obj, { dryRun }));
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
  const current = server.store.get(kind, namespace, ctx.info.pathName);
  if (!current) throw notFound(groupResource(kind), ctx.info.pathName);
  const patched = applyPatch(kind, current, body, mediaType);
  const obj = admitObject(kind, patched, namespace, ctx.info.pathName);
  if (obj.metadata) {
    obj.metadata.uid = current.metadata?.uid;
    if (!patchCarriesResourceVersion(body, mediaType))
      obj.metadata.resourceVersion = current.metadata?.resourceVersion;
  }
  confirmRbacWrite(server, ctx, kind, obj, current);
  validateObjectName(kind, obj);
  kind.normalizeOnWrite?.(obj);
  writeJson(ctx.res, 200, server.store.update(kind, obj, { dryRun }));
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
      writeJson(ctx.res, 200, current);
      return;
    case 'PUT':
      incoming = admitObject(kind, await readObject(ctx), namespace, ctx.info.pathName);
      break;
    case 'PATCH': {
      const mediaType = mediaTypeOf(ctx.req.headers['content-type']);
      incoming = admitObject(
        kind,
        applyPatch(kind, current, await readBody(ctx.req), mediaType),
        namespace,
        ctx.info.pathName,
      );
      break;
    }
    default:
      throw methodNotAllowed();
  }
  // The status subresource changes status only (and the resourceVersion precondition).
  const updated: KubeObject = { ...current, status: incoming.status };
  updated.metadata = {
    ...current.metadata,
    resourceVersion: incoming.metadata?.resourceVersion || current.metadata?.resourceVersion,
  };
  writeJson(ctx.res, 200, server.store.update(kind, updated, { dryRun }));
}

interface DeleteOptions {
  dryRun?: string[];
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
}

async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  if (body.length > 0) {
    const parsed = decodeObjectBody(body, ctx.req.headers['content-type']) as DeleteOptions & {
      kind?: string;
    };
    if (parsed.kind !== undefined && parsed.kind !== 'DeleteOptions') {
      throw badRequest(
        `the kind in the data (${parsed.kind}) does not match the expected kind (DeleteOptions)`,
      );
    }
    return parsed;
  }
  const options: DeleteOptions = {};
  const grace = ctx.query.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = Number(grace);
  if (ctx.query.has('dryRun')) options.dryRun = ctx.query.getAll('dryRun');
  const propagation = ctx.query.get('propagationPolicy');
  if (propagation) options.propagationPolicy = propagation;
  return options;
}

async function deleteObject(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  const options = await readDeleteOptions(ctx);
  const dryRun = (options.dryRun ?? []).includes('All');
  const deleted = server.store.delete(kind, namespace, ctx.info.pathName, {
    dryRun,
    ...(options.preconditions ? { preconditions: options.preconditions } : {}),
  });
  if (!dryRun && kind === namespaceKind) deleteNamespaceContents(server, ctx.info.pathName);
  if (!dryRun && kind.resource === 'pods' && kind.group === '')
    server.logs.forget(namespace, ctx.info.pathName);
  if (kind.deleteReturnsObject) {
    writeJson(ctx.res, 200, deleted);
    return;
  }
  writeJson(ctx.res, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: ctx.info.pathName,
      ...(kind.group ? { group: kind.group } : {}),
      kind: kind.resource,
      uid: deleted.metadata?.uid,
    },
  });
}

/** A namespace's contents go with it; the fake has no Terminating phase (no controllers to wait for). */
export function deleteNamespaceContents(
  server: Pick<ServerContext, 'registry' | 'store'>,
  namespace: string,
): void {
  for (const kind of server.registry.all()) {
    if (!kind.namespaced || kind.storage !== 'stored') continue;
    for (const obj of server.store.list({ kind, namespace }).items) {
      server.store.delete(kind, namespace, obj.metadata?.name ?? '');
    }
  }
}

async function deleteCollection(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  namespace: string,
) {
  if (!kind.verbs.includes('deletecollection')) throw methodNotAllowed();
  const listOptions = parseListOptions(ctx.query, kind);
  const options = await readDeleteOptions(ctx);
  const dryRun = (options.dryRun ?? []).includes('All');
  const scope = { kind, ...(kind.namespaced && namespace ? { namespace } : {}) };
  const { items, resourceVersion } = server.store.list(scope, selectorPredicate(kind, listOptions));
  const deleted = items.map((obj) =>
    server.store.delete(kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', { dryRun }),
  );
  writeJson(ctx.res, 200, {
    kind: `${kind.kind}List`,
    apiVersion: apiVersionOf(kind),
    metadata: { resourceVersion: String(dryRun ? resourceVersion : server.store.resourceVersion) },
    items: deleted,
  });
}
