import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiateDiscovery } from '../api/aggregated-discovery.js';
import { handleNonResourceRequest } from '../api/non-resource.js';
import { notFoundFor, servedByApiWebServices } from '../api/not-found.js';
import { handleResourceRequest } from '../api/resource-handlers.js';
import type { RequestRecording } from '../audit/request-recording.js';
import { applyImpersonation } from '../auth/impersonation.js';
import type { UserInfo } from '../auth/user-info.js';
import { pageNotFound } from '../errors/plain-text-error.js';
import { ApiError, forbiddenRequest } from '../errors/status.js';
import { applyFault } from '../faults/apply-fault.js';
import { forbiddenMessage, type RbacDecision } from '../rbac/authorizer.js';
import { cachedAuthorizer } from '../rbac/decision-cache.js';
import type { AuthorizationAttributes } from '../rbac/types.js';
import {
  nonResourceRequestLabels,
  resourceRequestLabels,
  type RequestMetricLabels,
} from '../metrics/request-labels.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { isLongRunning } from './long-running.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { requestPath } from './request-path.js';
import { parseRequestTarget } from './request-target.js';
import { writeError } from './respond.js';

/**
 * The request pipeline, in the order kube-apiserver's filters run:
 * authenticate → impersonate → authorize (RBAC, before any routing) → injected faults (only for
 * requests that would be served; a no-op without rules) → resolve the resource in the registry → handle
 * (store operation) → serialize. Every failure becomes a `Status` in `writeError`. A request that reaches a
 * handler kube-apiserver instruments is counted in the request metrics when its response ends.
 */
export function createPipeline(
  server: ServerContext,
  authenticate: (req: IncomingMessage) => UserInfo,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const decide = cachedAuthorizer(server.store);
  return async (req, res) => {
    const started = performance.now();
    const auditId = randomUUID();
    res.setHeader('Audit-Id', auditId);
    res.setHeader('Cache-Control', 'no-cache, private');
    try {
      const url = parseRequestTarget(req.url);
      // The web inspector has its own access rule (its token, or a user RBAC lets read everything), decided
      // before RBAC and kept out of the decision log.
      if (server.ui?.owns(url.pathname))
        return await server.ui.handle(req, res, url, {
          authenticate: () => applyImpersonation(server, req, res, authenticate(req)),
          decide,
        });
      const info = parseRequestInfo(req.method ?? 'GET', requestPath(req.url), url.searchParams);
      if (server.apiLoad && !isLongRunning(info)) res.once('close', server.apiLoad.begin());
      const recording = server.audit?.begin(req, res, auditId, info);
      const requestor = authenticate(req);
      recording?.noteUser(requestor);
      const user = applyImpersonation(server, req, res, requestor);
      if (!user) return;
      if (user !== requestor) recording?.noteImpersonatedUser(user);
      const ctx: RequestContext = { req, res, query: url.searchParams, info, user };
      authorizeRequest(server, ctx, decide, recording);
      if (server.faults?.hasRules && (await applyFault(server, ctx)) === 'answered') return;
      await route(server, ctx, started);
    } catch (error) {
      if (!(error instanceof ApiError))
        server.log(`internal error on ${req.method} ${req.url}: ${String(error)}`);
      writeError(res, error);
    }
  };
}

function attributesOf(info: RequestInfo, user: UserInfo): AuthorizationAttributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    namespace: info.namespace,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
}

function authorizeRequest(
  server: ServerContext,
  ctx: RequestContext,
  decide: (attributes: AuthorizationAttributes) => RbacDecision,
  recording?: RequestRecording,
): void {
  const attributes = attributesOf(ctx.info, ctx.user);
  const decision = decide(attributes);
  recording?.noteAuthorization(decision);
  server.authorizations?.record('request', ctx.req.method ?? 'GET', attributes, decision);
  if (decision.allowed) return;
  const { info } = ctx;
  const details: Record<string, string> = {};
  if (info.isResourceRequest) {
    if (info.name) details.name = info.name;
    if (info.apiGroup) details.group = info.apiGroup;
    details.kind = info.resource;
  }
  throw forbiddenRequest(forbiddenMessage(attributes, decision.reason), details);
}

/**
 * Counts the request in `apiserver_request_total` and `apiserver_request_duration_seconds` once its response
 * ends (or its connection closes: a watch, an upgraded stream), with the code it ended with, as
 * `InstrumentRouteFunc` does after its handler returns.
 */
function instrument(
  server: ServerContext,
  ctx: RequestContext,
  labels: RequestMetricLabels | undefined,
  started: number,
): void {
  const { metrics } = server;
  if (!metrics || !labels) return;
  ctx.res.once('close', () =>
    metrics.observe(labels, ctx.res.statusCode, (performance.now() - started) / 1000),
  );
}

async function route(server: ServerContext, ctx: RequestContext, started: number): Promise<void> {
  const { info, req } = ctx;
  if (!info.isResourceRequest) {
    const aggregated = negotiateDiscovery(req.headers.accept).aggregated !== undefined;
    instrument(
      server,
      ctx,
      nonResourceRequestLabels(req.method ?? 'GET', info.path, ctx.query, aggregated),
      started,
    );
    return handleNonResourceRequest(server, ctx);
  }
  // Authorized on the parsed path, but served only under an API root as sent (`//api/v1/pods` is not).
  if (!servedByApiWebServices(info.path, server.registry)) throw pageNotFound();
  const kind = server.registry.byResource(info.apiGroup, info.apiVersion, info.resource);
  if (!kind) throw notFoundFor(info.path, server.registry);
  instrument(
    server,
    ctx,
    resourceRequestLabels(req.method ?? 'GET', req.headers['content-type'], info, ctx.query, kind),
    started,
  );
  await handleResourceRequest(server, ctx, kind);
}
