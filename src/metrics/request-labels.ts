import type { RequestInfo } from '../http/request-info.js';
import type { ResourceKind } from '../registry/resource-kind.js';

/** The labels `apiserver_request_total` and `apiserver_request_duration_seconds` share (all but `code`). */
export interface RequestMetricLabels {
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

/** `validRequestMethods`: a reported verb outside it is `other`. */
const VALID_VERBS = new Set([
  'APPLY',
  'CONNECT',
  'CREATE',
  'DELETE',
  'DELETECOLLECTION',
  'GET',
  'LIST',
  'PATCH',
  'POST',
  'PROXY',
  'PUT',
  'UPDATE',
  'WATCH',
  'WATCHLIST',
]);
/** `validConnectRequests`: subresources reported as `CONNECT`, whatever the method. */
const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);

/** `Convert_Slice_string_To_bool` on the first value, as `getVerbIfWatch` reads `watch`. */
function watchParameter(query: URLSearchParams): boolean {
  const value = query.get('watch');
  if (value === null) return false;
  const lower = value.toLowerCase();
  return lower !== '0' && lower !== 'false';
}

/**
 * `cleanDryRun`: empty without `dryRun`, `invalid` for a value other than `All`, else the distinct values
 * sorted and joined.
 */
function dryRunLabel(query: URLSearchParams): string {
  const values = query.getAll('dryRun');
  if (values.length === 0) return '';
  if (values.some((v) => v !== 'All')) return 'invalid';
  return [...new Set(values)].sort().join(',');
}

/**
 * Whether kube-apiserver installs a route for this request: a request no route serves (an unknown subresource,
 * a method the resource does not take) is answered by go-restful's 404 or 405 before any instrumented handler,
 * so it is not counted.
 */
function routeExists(method: string, info: RequestInfo, kind: ResourceKind): boolean {
  if (!kind.namespaced && info.namespace && kind.resource !== 'namespaces') return false;
  if (kind.storage === 'review') return method === 'POST' && !info.pathName;
  if (info.subresource) {
    if (info.parts.length > 3 || !kind.subresources?.some((s) => s.name === info.subresource)) return false;
    return true;
  }
  if (info.parts.length > 2 || (kind.namespaced && info.pathName && !info.namespace)) return false;
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'DELETE':
      return true;
    case 'POST':
      return !info.pathName && !(kind.namespaced && !info.namespace);
    case 'PUT':
    case 'PATCH':
      return Boolean(info.pathName);
    default:
      return false;
  }
}

/**
 * The labels kube-apiserver's `InstrumentRouteFunc` gives a resource request: the route's scope (`resource` for
 * a named object or a create, `namespace` or `cluster` for a collection, `cluster` across all namespaces) and
 * the verb `MonitorRequest` reports: the method, `LIST` for a GET of a collection, `WATCH` for a watch, `APPLY`
 * for a server-side apply patch, `CONNECT` for log, exec, attach and portforward. Undefined when no route serves
 * the request.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/metrics/metrics.go
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/installer.go
 */
export function resourceRequestLabels(
  method: string,
  contentType: string | undefined,
  info: RequestInfo,
  query: URLSearchParams,
  kind: ResourceKind,
): RequestMetricLabels | undefined {
  const upper = method.toUpperCase();
  if (!routeExists(upper, info, kind)) return undefined;
  const scope =
    info.pathName || upper === 'POST'
      ? 'resource'
      : kind.namespaced && info.namespace
        ? 'namespace'
        : 'cluster';
  let verb = upper === 'GET' || upper === 'HEAD' ? (scope === 'resource' ? 'GET' : 'LIST') : upper;
  if (info.verb === 'watch' || ((upper === 'GET' || upper === 'HEAD') && watchParameter(query)))
    verb = 'WATCH';
  if (upper === 'PATCH' && contentType === 'application/apply-patch+yaml') verb = 'APPLY';
  if (info.subresource && CONNECT_SUBRESOURCES.has(info.subresource)) verb = 'CONNECT';
  if (!VALID_VERBS.has(verb)) verb = 'other';
  return {
    verb,
    dry_run: dryRunLabel(query),
    group: info.apiGroup,
    version: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    scope,
    component: 'apiserver',
  };
}

const HEALTH_ROOTS = new Set(['/healthz', '/livez', '/readyz']);

/**
 * The labels of the non-resource handlers kube-apiserver instruments with `InstrumentHandlerFunc`: aggregated
 * discovery (`subresource` `api` or `apis`, the path its resource manager was made with) and the roots of the
 * health endpoints (`subresource` the path, no component). Other non-resource paths (legacy discovery,
 * `/version`, OpenAPI, `/metrics`) are not counted. Undefined for those.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/aggregated/handler.go
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/server/healthz/healthz.go
 */
export function nonResourceRequestLabels(
  method: string,
  path: string,
  query: URLSearchParams,
  aggregatedDiscovery: boolean,
): RequestMetricLabels | undefined {
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'HEAD') return undefined;
  const trimmed = path.replace(/\/+$/, '');
  const base = { verb: 'GET', dry_run: dryRunLabel(query), group: '', version: '', resource: '', scope: '' };
  if ((trimmed === '/api' || trimmed === '/apis') && aggregatedDiscovery)
    return { ...base, subresource: trimmed.slice(1), component: 'apiserver' };
  if (HEALTH_ROOTS.has(path)) return { ...base, subresource: path, component: '' };
  return undefined;
}
