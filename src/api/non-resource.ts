import { pageNotFound } from '../errors/plain-text-error.js';
import { pathNotFound } from '../errors/status.js';
import { writeJson, writeRawJson, writeText } from '../http/respond.js';
import { notFoundFor } from './not-found.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { negotiateDiscovery, serveAggregatedDiscovery } from './aggregated-discovery.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { jwksDocument, openIdConfiguration } from './oidc.js';
import { RequestMetrics, serveMetrics } from '../metrics/request-metrics.js';
import { serveOpenApiV2 } from './openapi/openapi-v2.js';
import { serveOpenApiV3Document, serveOpenApiV3Index } from './openapi/openapi-v3.js';

const HEALTH_CHECKS = ['ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer'];

function health(ctx: RequestContext, endpoint: string, check?: string): void {
  if (check) {
    // Each check is its own exact path on the non-go-restful mux: any other is Go's plain 404.
    if (!HEALTH_CHECKS.includes(check)) throw pageNotFound();
    writeText(ctx.res, 200, 'ok');
    return;
  }
  if (!ctx.query.has('verbose')) {
    writeText(ctx.res, 200, 'ok');
    return;
  }
  const excluded = new Set(ctx.query.getAll('exclude'));
  const lines = HEALTH_CHECKS.map((name) =>
    excluded.has(name) ? `[+]${name} excluded: ok` : `[+]${name} ok`,
  );
  const unknown = [...excluded].filter((name) => !HEALTH_CHECKS.includes(name));
  if (unknown.length)
    lines.push(
      `warn: some health checks cannot be excluded: no matches for ${unknown.map((n) => `"${n}"`).join(',')}`,
    );
  lines.push(`${endpoint} check passed`);
  writeText(ctx.res, 200, `${lines.join('\n')}\n`);
}

/**
 * Serves the non-resource paths: discovery, version, health, metrics, OpenAPI and OIDC discovery. Anything
 * else is kube-apiserver's 404 for that path (`notFoundFor`).
 */
export async function handleNonResourceRequest(server: ServerContext, ctx: RequestContext): Promise<void> {
  const path = ctx.info.path.replace(/\/+$/, '') || '/';
  const method = ctx.req.method ?? 'GET';
  if (server.control?.owns(path)) return server.control.handle(ctx);
  if (method !== 'GET' && method !== 'HEAD') throw pathNotFound();
  const segments = path.split('/').filter(Boolean);
  const { registry } = server;

  if (path === '/api' || path === '/apis') {
    const { aggregated } = negotiateDiscovery(ctx.req.headers.accept);
    if (aggregated)
      return serveAggregatedDiscovery(
        registry,
        path === '/api' ? 'api' : 'apis',
        aggregated,
        ctx.req,
        ctx.res,
      );
  }
  if (path === '/api') return writeJson(ctx.res, 200, apiVersions(server.serverAddress()));
  if (segments[0] === 'api' && segments.length === 2 && registry.servesGroupVersion('', segments[1]!)) {
    return writeJson(ctx.res, 200, apiResourceList(registry, '', segments[1]!));
  }
  if (path === '/apis') return writeJson(ctx.res, 200, apiGroupList(registry));
  if (segments[0] === 'apis' && segments.length === 2) {
    const group = registry.groups().find((g) => g.name === segments[1]);
    if (group) return writeJson(ctx.res, 200, apiGroup(group.name, group.versions, group.preferredVersion));
  }
  if (
    segments[0] === 'apis' &&
    segments.length === 3 &&
    registry.servesGroupVersion(segments[1]!, segments[2]!)
  ) {
    return writeJson(ctx.res, 200, apiResourceList(registry, segments[1]!, segments[2]!));
  }
  if (path === '/metrics') return serveMetrics(ctx.res, server.metrics ?? new RequestMetrics());
  if (path === '/version') return writeRawJson(ctx.res, 200, versionInfo(), { indent: true });
  for (const endpoint of ['healthz', 'livez', 'readyz']) {
    if (segments[0] === endpoint && segments.length <= 2)
      return health(ctx, endpoint, segments.slice(1).join('/'));
  }
  if (path === '/openapi/v2') return serveOpenApiV2(registry, ctx.req, ctx.res);
  if (path === '/openapi/v3') return serveOpenApiV3Index(registry, ctx.req, ctx.res);
  if (segments[0] === 'openapi' && segments[1] === 'v3' && segments.length > 2) {
    if (serveOpenApiV3Document(registry, segments.slice(2).join('/'), ctx.query, ctx.req, ctx.res)) return;
  }
  if (path === '/.well-known/openid-configuration') {
    ctx.res.setHeader('Cache-Control', 'public, max-age=3600');
    return writeRawJson(ctx.res, 200, openIdConfiguration(server));
  }
  if (path === '/openid/v1/jwks') {
    ctx.res.setHeader('Cache-Control', 'public, max-age=3600');
    return writeRawJson(ctx.res, 200, jwksDocument(server), { contentType: 'application/jwk-set+json' });
  }
  throw notFoundFor(ctx.info.path, registry);
}
