import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindRegistry } from '../../registry/kind-registry.js';
import type { ResourceKind } from '../../registry/resource-kind.js';
import { crdOpenApiV2, pruneDefaults } from './crd-openapi.js';
import { builtInOpenApiV2Json, builtInOpenApiV2Protobuf } from './openapi-data.js';
import { serveContent, servedDocument, type ServedDocument } from './serve-content.js';

/**
 * The protobuf media type `/openapi/v2` answers with, whichever spelling was asked for: Go's
 * `mime.ParseMediaType` rejects the `@` in {@link OPENAPI_V2_PROTOBUF_DEPRECATED}, so client-go fails
 * with "mime: unexpected content after media subtype" when a server echoes it back.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The older spelling that kubectl 1.27 and 1.28 send in Accept. */
export const OPENAPI_V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Json = Record<string, unknown>;

interface V2State {
  crdKinds: readonly ResourceKind[];
  json: ServedDocument;
  protobuf: ServedDocument;
}

const states = new WeakMap<KindRegistry, V2State>();
let builtIn: Json | undefined;

/**
 * The `/openapi/v2` Swagger document: kube-apiserver 1.33's (`api/openapi-spec/swagger.json`) cut to the served
 * built-in kinds, with every served CRD version's `BuildOpenAPIV2` merged in as the CRD openapi controller
 * merges them (`builder.MergeSpecs`: paths added, definitions and parameters added where absent, defaults pruned).
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiextensions-apiserver/pkg/controller/openapi/controller.go
 */
export function openApiV2Document(registry: KindRegistry): Json {
  return JSON.parse(currentState(registry).json.bytes.toString('utf8')) as Json;
}

function crdKinds(registry: KindRegistry): ResourceKind[] {
  return registry
    .all()
    .filter((kind) => kind.origin === 'crd' && kind.customResource)
    .sort((a, b) =>
      `${a.group}/${a.resource}/${a.version}` < `${b.group}/${b.resource}/${b.version}` ? -1 : 1,
    );
}

function currentState(registry: KindRegistry): V2State {
  const kinds = crdKinds(registry);
  const state = states.get(registry);
  if (state && state.crdKinds.length === kinds.length && state.crdKinds.every((k, i) => k === kinds[i]))
    return state;
  const lastModified = new Date();
  let json: ServedDocument;
  if (kinds.length === 0) json = servedDocument(builtInOpenApiV2Json(), lastModified);
  else {
    const merged = structuredClone((builtIn ??= JSON.parse(builtInOpenApiV2Json().toString('utf8')) as Json));
    const paths = merged.paths as Json;
    const definitions = merged.definitions as Json;
    const parameters = merged.parameters as Json;
    for (const kind of kinds) {
      const crd = crdOpenApiV2(kind, kind.customResource!);
      Object.assign(paths, crd.paths);
      for (const [name, schema] of Object.entries(crd.definitions as Json))
        definitions[name] ??= pruneDefaults(schema as Json);
      for (const [name, parameter] of Object.entries(crd.parameters as Json)) parameters[name] ??= parameter;
    }
    json = servedDocument(Buffer.from(JSON.stringify(merged)), lastModified);
  }
  // The protobuf form carries the built-in kinds only (see the README); it shares the JSON's ETag, as upstream's.
  const protobuf = { ...json, bytes: builtInOpenApiV2Protobuf() };
  const next = { crdKinds: kinds, json, protobuf };
  states.set(registry, next);
  return next;
}

const PROTOBUF_SPELLINGS = new Set([OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_DEPRECATED]);
const wildcards = (mediaType: string) => mediaType.split('/').filter((part) => part === '*').length;

/**
 * Picks `/openapi/v2`'s representation from Accept as kube-openapi does: the first clause by quality,
 * then specificity, that is JSON, either protobuf spelling or a wildcard (no Accept counts as `*\/*`).
 * Returns the content type to answer with, or undefined for a 406.
 * @see https://github.com/kubernetes/kube-openapi/blob/master/pkg/handler/handler.go
 */
export function negotiateOpenApiV2(accept: string | undefined): string | undefined {
  const clauses = (accept?.trim() ? accept : '*/*')
    .split(',')
    .map((clause, index) => {
      const [mediaType = '', ...params] = clause.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { mediaType, q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((c) => c.mediaType && c.q > 0)
    .sort((a, b) => b.q - a.q || wildcards(a.mediaType) - wildcards(b.mediaType) || a.index - b.index);
  for (const { mediaType } of clauses) {
    const [type, subtype] = mediaType.split('/');
    if (type !== 'application' && type !== '*') continue;
    if (subtype === 'json' || subtype === '*') return 'application/json';
    if (PROTOBUF_SPELLINGS.has(mediaType)) return OPENAPI_V2_PROTOBUF;
  }
  return undefined;
}

/**
 * Answers `GET /openapi/v2`: protobuf or JSON by Accept, with the ETag and conditional answers of
 * `http.ServeContent`, else a bare 406 as kube-openapi sends.
 * @see https://github.com/kubernetes/kube-openapi/blob/master/pkg/handler/handler.go
 */
export function serveOpenApiV2(registry: KindRegistry, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Vary', 'Accept');
  const contentType = negotiateOpenApiV2(req.headers.accept);
  if (!contentType) {
    res.statusCode = 406;
    res.end();
    return;
  }
  const state = currentState(registry);
  res.setHeader('Content-Type', contentType);
  serveContent(req, res, contentType === 'application/json' ? state.json : state.protobuf);
}
