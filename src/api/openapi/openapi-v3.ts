import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindRegistry } from '../../registry/kind-registry.js';
import type { ResourceKind } from '../../registry/resource-kind.js';
import { crdOpenApiV3 } from './crd-openapi.js';
import { builtInOpenApiV3Bytes, builtInOpenApiV3Index } from './openapi-data.js';
import { acceptClauses } from './negotiate.js';
import { serveContent, servedDocument, type ServedDocument } from './serve-content.js';

type Json = Record<string, unknown>;

interface CrdGroupVersion {
  kinds: readonly ResourceKind[];
  document: ServedDocument;
}

/** What one server's `/openapi/v3` has built: the built-in documents and the CRD group versions' documents. */
interface V3State {
  builtIn: Map<string, ServedDocument>;
  crd: Map<string, CrdGroupVersion>;
  index?: { keys: string; document: ServedDocument };
  startedAt: Date;
}

const states = new WeakMap<KindRegistry, V3State>();

function stateOf(registry: KindRegistry): V3State {
  let state = states.get(registry);
  if (!state) {
    state = { builtIn: new Map(), crd: new Map(), startedAt: new Date() };
    states.set(registry, state);
  }
  return state;
}

/** The custom resource kinds served, by their `/openapi/v3` key (`apis/<group>/<version>`). */
function crdKindsByKey(registry: KindRegistry): Map<string, ResourceKind[]> {
  const byKey = new Map<string, ResourceKind[]>();
  for (const kind of registry.all()) {
    if (kind.origin !== 'crd' || !kind.customResource) continue;
    const key = `apis/${kind.group}/${kind.version}`;
    byKey.set(key, [...(byKey.get(key) ?? []), kind]);
  }
  return byKey;
}

/**
 * One CRD group version's document: every CRD's `BuildOpenAPIV3` output merged (`builder.MergeSpecsV3`), rebuilt
 * when the kinds change, so a CRD's schema appears, changes and goes with it.
 */
function crdDocument(state: V3State, key: string, kinds: readonly ResourceKind[]): ServedDocument {
  const cached = state.crd.get(key);
  if (cached && cached.kinds.length === kinds.length && cached.kinds.every((k, i) => k === kinds[i]))
    return cached.document;
  const merged: Json = { openapi: '3.0.0', info: {}, paths: {}, components: { schemas: {} } };
  for (const kind of [...kinds].sort((a, b) => (a.resource < b.resource ? -1 : 1))) {
    const one = crdOpenApiV3(kind, kind.customResource!);
    merged.info = one.info;
    Object.assign(merged.paths as Json, one.paths);
    Object.assign((merged.components as Json).schemas as Json, (one.components as Json).schemas);
  }
  const document = servedDocument(Buffer.from(JSON.stringify(merged)));
  state.crd.set(key, { kinds, document });
  return document;
}

function builtInDocument(state: V3State, key: string): ServedDocument | undefined {
  let document = state.builtIn.get(key);
  if (!document) {
    const bytes = builtInOpenApiV3Bytes(key);
    if (!bytes) return undefined;
    document = { bytes, etag: builtInOpenApiV3Index()[key]!, lastModified: state.startedAt };
    state.builtIn.set(key, document);
  }
  return document;
}

/** Every `/openapi/v3` key served now with its hash, sorted as Go marshals a map. */
function currentIndex(registry: KindRegistry): Map<string, string> {
  const state = stateOf(registry);
  const hashes = new Map<string, string>(Object.entries(builtInOpenApiV3Index()));
  for (const [key, kinds] of crdKindsByKey(registry)) hashes.set(key, crdDocument(state, key, kinds).etag);
  for (const key of state.crd.keys()) if (!hashes.has(key)) state.crd.delete(key);
  return new Map([...hashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** kube-openapi's `constructServerRelativeURL`. */
const serverRelativeUrl = (key: string, hash: string) => `/openapi/v3/${key}?hash=${hash}`;

/**
 * `GET /openapi/v3`: every group version's (and root path's) document with the URL carrying its hash.
 * @see https://github.com/kubernetes/kube-openapi/blob/master/pkg/handler3/handler.go
 */
export function openApiV3Index(registry: KindRegistry): Json {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, hash] of currentIndex(registry))
    paths[key] = { serverRelativeURL: serverRelativeUrl(key, hash) };
  return { paths };
}

/** Answers `GET /openapi/v3` as handler3's `HandleDiscovery`: JSON, ETag, Last-Modified. */
export function serveOpenApiV3Index(registry: KindRegistry, req: IncomingMessage, res: ServerResponse): void {
  const state = stateOf(registry);
  const index = openApiV3Index(registry);
  const keys = JSON.stringify(index);
  if (state.index?.keys !== keys) state.index = { keys, document: servedDocument(Buffer.from(keys)) };
  res.setHeader('Content-Type', 'application/json');
  serveContent(req, res, state.index.document);
}

/** The document served at `/openapi/v3/<key>`, if any. */
export function openApiV3Document(registry: KindRegistry, key: string): ServedDocument | undefined {
  const state = stateOf(registry);
  const crdKinds = crdKindsByKey(registry).get(key);
  if (crdKinds) return crdDocument(state, key, crdKinds);
  return builtInDocument(state, key);
}

/**
 * Answers `GET /openapi/v3/<key>` as handler3's `HandleGroupVersion`: JSON by Accept (the protobuf form is not
 * served: a request accepting only it gets 406), and with `?hash=` either a 301 to the current hash or the
 * document marked immutable for a year. Returns false when no document has that key (a 404 follows).
 */
export function serveOpenApiV3Document(
  registry: KindRegistry,
  key: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const document = openApiV3Document(registry, key);
  if (!document) return false;
  res.setHeader('Vary', 'Accept');
  const json = acceptClauses(req.headers.accept).some(
    ({ type, subtype }) =>
      (type === 'application' || type === '*') && (subtype === 'json' || subtype === '*'),
  );
  if (!json) {
    res.statusCode = 406;
    res.end();
    return true;
  }
  res.setHeader('Content-Type', 'application/json');
  const hash = query.get('hash');
  if (hash) {
    if (hash !== document.etag) {
      res.setHeader('Etag', `"${document.etag}"`);
      redirect(req, res, serverRelativeUrl(key, document.etag));
      return true;
    }
    res.setHeader('Cache-Control', 'public, immutable');
    const expires = new Date();
    expires.setFullYear(expires.getFullYear() + 1);
    // time.RFC1123 of the local (UTC) time names the zone UTC.
    res.setHeader('Expires', expires.toUTCString().replace(/GMT$/, 'UTC'));
  }
  serveContent(req, res, document);
  return true;
}

/** Go's `http.Redirect` with 301: Location, and for GET a short HTML body. */
function redirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  res.statusCode = 301;
  res.setHeader('Location', location);
  if (req.method === 'GET' || req.method === 'HEAD') {
    const body = `<a href="${location.replaceAll('&', '&amp;')}">Moved Permanently</a>.\n\n`;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(req.method === 'GET' ? body : undefined);
    return;
  }
  res.end();
}
