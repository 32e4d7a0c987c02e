import { badRequest, invalid, methodNotAllowed, notFound } from '../errors/status.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { admitObject } from './object-validation.js';
import { writeManager } from './apply/field-manager.js';
import { updateThroughApi } from './write-path.js';

/**
 * `PUT /api/v1/namespaces/{name}/finalize`: changes only `spec.finalizers` (the finalize strategy keeps
 * everything else); removing the last one from a Terminating namespace with no metadata finalizers
 * deletes it, as the namespace controller's own finalize call does.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/namespace/strategy.go
 */
export async function handleNamespaceFinalize(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
): Promise<void> {
  if (ctx.req.method !== 'PUT') throw methodNotAllowed();
  const name = ctx.info.pathName;
  const current = server.store.get(kind, '', name);
  if (!current) throw notFound({ group: '', resource: 'namespaces' }, name);
  const dryRun = ctx.query.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All') throw badRequest(`Invalid dryRun value: ${value}: supported values: "All"`);
  }
  const body = await readBody(ctx.req);
  const incoming = admitObject(
    kind,
    decodeObjectBody(body, ctx.req.headers['content-type']) as KubeObject,
    '',
    name,
  );
  const finalizers = (incoming.spec as { finalizers?: unknown } | undefined)?.finalizers ?? [];
  if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string' || f === '')) {
    throw invalid('Namespace', '', name, [
      {
        type: 'FieldValueInvalid',
        field: 'spec.finalizers',
        detail: 'Invalid value: each finalizer must be a non-empty string',
      },
    ]);
  }
  const updated: KubeObject = {
    ...structuredClone(current),
    spec: { ...(current.spec as object | undefined), finalizers },
  };
  updated.metadata!.resourceVersion = incoming.metadata?.resourceVersion || current.metadata?.resourceVersion;
  // The finalize strategy's update, through the write path (managedFields record the `finalize` subresource).
  const stored = updateThroughApi(server, kind, updated, current, current, {
    manager: writeManager(ctx, 'UpdateOptions'),
    subresource: 'finalize',
    request: ctx,
    dryRun: dryRun.length > 0,
  });
  writeJson(ctx.res, 200, stored);
}
