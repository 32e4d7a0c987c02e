import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { noteResponseBody } from '../audit/capture.js';
import { goJson, jsonBytes, prettyJsonBytes, wantsPrettyJson } from '../http/serialize.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import { apiResources, type ApiResource } from './discovery.js';

/** The versions of `apidiscovery.k8s.io` served; their types are identical, only `apiVersion` differs. */
export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

/** What a request's Accept header asks of `/api` or `/apis`. */
export interface DiscoveryNegotiation {
  /** The aggregated document's version, or undefined for the legacy `APIVersions`/`APIGroupList`. */
  aggregated?: AggregatedDiscoveryVersion;
}

interface AcceptClause {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
  index: number;
}

/** `goautoneg.ParseAccept`: the clauses by descending quality, then specificity, then as written. */
function parseAccept(header: string): AcceptClause[] {
  return header
    .split(',')
    .map((clause, index) => {
      const [mediaType = '', ...rest] = clause.split(';').map((part) => part.trim());
      const [type = '', subtype = ''] = mediaType.split('/');
      const params: Record<string, string> = {};
      let q = 1;
      for (const param of rest) {
        const eq = param.indexOf('=');
        if (eq < 0) continue;
        const key = param.slice(0, eq).trim();
        const value = param.slice(eq + 1).trim();
        if (key === 'q') q = Number(value) || 0;
        else params[key] = value;
      }
      return { type, subtype, params, q, index };
    })
    .filter((clause) => clause.type !== '')
    .sort(
      (a, b) =>
        b.q - a.q ||
        Number(a.type === '*') - Number(b.type === '*') ||
        Number(a.subtype === '*') - Number(b.subtype === '*') ||
        a.index - b.index,
    );
}

/**
 * Picks legacy or aggregated discovery from Accept as kube-apiserver's `WrappedHandler` does: the first clause
 * (in `goautoneg` order) that names `g=apidiscovery.k8s.io;v=v2|v2beta1;as=APIGroupDiscoveryList` on a media type
 * the JSON serializer answers (`application/json`, `application/*`, `*\/*`) selects the aggregated document in
 * that version, wherever it stands; without one the legacy lists answer. The protobuf and YAML forms of the
 * aggregated document are not served: a clause asking for them is passed over.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/aggregated/wrapper.go
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/aggregated/negotiation.go
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryNegotiation {
  for (const clause of parseAccept(accept ?? '')) {
    const json =
      (clause.type === 'application' && (clause.subtype === 'json' || clause.subtype === '*')) ||
      (clause.type === '*' && clause.subtype === '*');
    if (!json) continue;
    const { g, v, as, sv } = clause.params;
    // An `sv` (server version) parameter is refused by the discovery endpoints' restrictions.
    if (sv) continue;
    if (g === 'apidiscovery.k8s.io' && as === 'APIGroupDiscoveryList' && (v === 'v2' || v === 'v2beta1'))
      return { aggregated: v };
  }
  return {};
}

type Json = Record<string, unknown>;

/**
 * `ConvertGroupVersionIntoToDiscovery`: one `APIResourceDiscovery` per resource of a legacy `APIResourceList`,
 * its subresources folded in. A built-in resource's `responseKind` has the group and version its `APIResource`
 * has (none, unless the storage names another group's kind, as `deployments/scale`'s autoscaling/v1 Scale); a
 * custom resource's names its own, as the CRD discovery controller builds it.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/installer.go
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_discovery_controller.go
 */
export function resourceDiscovery(
  resources: readonly ApiResource[],
  customResources: { group: string; version: string; resources: ReadonlySet<string> } = {
    group: '',
    version: '',
    resources: new Set(),
  },
): Json[] {
  const parents = new Map<string, Json & { subresources?: Json[] }>();
  const out: Json[] = [];
  const kindOf = (r: ApiResource) => {
    const own = customResources.resources.has(r.name.split('/')[0]!) ? customResources : undefined;
    return { group: r.group ?? own?.group ?? '', version: r.version ?? own?.version ?? '', kind: r.kind };
  };
  for (const r of resources) {
    if (r.name.includes('/')) continue;
    const entry: Json = {
      resource: r.name,
      responseKind: kindOf(r),
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName,
      verbs: [...r.verbs],
    };
    if (r.shortNames?.length) entry.shortNames = [...r.shortNames];
    if (r.categories?.length) entry.categories = [...r.categories];
    parents.set(r.name, entry);
    out.push(entry);
  }
  for (const r of resources) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parent = parents.get(r.name.slice(0, slash));
    if (!parent) continue;
    const subresources = (parent.subresources ??= []);
    subresources.push({ subresource: r.name.slice(slash + 1), responseKind: kindOf(r), verbs: [...r.verbs] });
  }
  return out;
}

function versionDiscovery(registry: KindRegistry, group: string, version: string): Json {
  const custom = registry
    .inGroupVersion(group, version)
    .filter((kind) => kind.origin === 'crd')
    .map((kind) => kind.resource);
  const resources = resourceDiscovery(apiResources(registry, group, version), {
    group,
    version,
    resources: new Set(custom),
  });
  return { version, ...(resources.length ? { resources } : {}), freshness: 'Current' };
}

/**
 * The `APIGroupDiscoveryList` items of `/api` (the core group, unnamed) or `/apis` (every named group by
 * priority, each group's versions preferred first), made from the same registry as the legacy documents, so a
 * CRD's group appears and goes in both at once.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/aggregated/handler.go
 */
export function aggregatedDiscoveryItems(registry: KindRegistry, root: 'api' | 'apis'): Json[] {
  if (root === 'api') {
    if (!registry.servesGroupVersion('', 'v1')) return [];
    return [{ metadata: { creationTimestamp: null }, versions: [versionDiscovery(registry, '', 'v1')] }];
  }
  return registry.groups().map((group) => ({
    metadata: { name: group.name, creationTimestamp: null },
    versions: group.versions.map((version) => versionDiscovery(registry, group.name, version)),
  }));
}

/**
 * Answers `/api` or `/apis` with the aggregated document: `Content-Type` naming its group, version and kind,
 * the `ETag` (upstream's `calculateETag`: the SHA-512, in upper-case hex, of the v2 list's JSON before its type
 * meta is set, so one tag for both versions), `Vary: Accept`, `Cache-Control: public`, and a bare 304 for an
 * `If-None-Match` equal to the tag.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/aggregated/etag.go
 */
export function serveAggregatedDiscovery(
  registry: KindRegistry,
  root: 'api' | 'apis',
  version: AggregatedDiscoveryVersion,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const items = aggregatedDiscoveryItems(registry, root);
  const etag = `"${createHash('sha512')
    .update(goJson({ metadata: {}, items }))
    .digest('hex')
    .toUpperCase()}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Vary', 'Accept');
  res.setHeader('Cache-Control', 'public');
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const body = {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items,
  };
  const payload = wantsPrettyJson(req) ? prettyJsonBytes(body) : jsonBytes(body);
  res.statusCode = 200;
  res.setHeader(
    'Content-Type',
    `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
  );
  res.setHeader('Content-Length', payload.length);
  noteResponseBody(res, body);
  res.end(payload);
}
