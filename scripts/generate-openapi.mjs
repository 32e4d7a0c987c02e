#!/usr/bin/env node
// Writes data/openapi/: the OpenAPI documents kube-apiserver 1.33 serves, cut down to the group versions,
// resources and subresources fake-apiserver serves (its built-in kinds, read from dist/: run `npm run build`
// first). The source is upstream's published api/openapi-spec (swagger.json and v3/*.json) of the
// k8s.io/kubernetes module at the tag below, which `go mod download` fetches from the Go module proxy.
//
//	node scripts/generate-openapi.mjs
//
// Output, committed and loaded lazily by src/api/openapi/ when a client asks:
//	data/openapi/v3/<key>.json.gz   each /openapi/v3/<key> document, the exact bytes served
//	data/openapi/v3-index.json      key → the SHA-512 hash kube-openapi's handler3 puts in serverRelativeURL
//	data/openapi/v2.json.gz         the /openapi/v2 Swagger document
//	data/openapi/v2.pb.gz           the same as gnostic's openapi.v2.Document protobuf (scripts/go-types)
//	data/openapi/served.json        the group versions, resources and subresources the data was cut to
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const KUBERNETES_VERSION = 'v1.33.4';
/** What kube-apiserver 1.33.1 (the version /version reports) writes in info.version. */
const SERVED_VERSION = 'v1.33.1';

const root = resolve(import.meta.dirname, '..');
const { builtInKinds } = await import(join(root, 'dist/registry/built-in-kinds.js'));

const download = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], {
    cwd: tmpdir(),
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
  }),
);
const specDir = join(download.Dir, 'api/openapi-spec');

/** served["apps/v1"] = Map(resource → Set(subresource)). */
const served = new Map();
for (const kind of builtInKinds) {
  const gv = kind.group ? `${kind.group}/${kind.version}` : kind.version;
  if (!served.has(gv)) served.set(gv, new Map());
  served.get(gv).set(kind.resource, new Set((kind.subresources ?? []).map((s) => s.name)));
}
const servedGroups = new Set(
  [...served.keys()].filter((gv) => gv.includes('/')).map((gv) => gv.split('/')[0]),
);

/** The group version a URL path belongs to and the rest of it, or undefined for a non-resource path. */
function splitPath(path) {
  const segments = path.split('/').filter(Boolean);
  if (segments[0] === 'api' && segments.length >= 2) return { gv: segments[1], rest: segments.slice(2) };
  if (segments[0] === 'apis' && segments.length >= 3)
    return { gv: `${segments[1]}/${segments[2]}`, rest: segments.slice(3) };
  return undefined;
}

/** Whether an API path (`/api/v1/namespaces/{namespace}/pods/{name}/log`) is one fake-apiserver serves. */
function servesPath(path) {
  const split = splitPath(path);
  if (!split) {
    const segments = path.split('/').filter(Boolean);
    if (segments[0] === 'apis' && segments.length === 2) return servedGroups.has(segments[1]);
    return ['', 'api', 'apis', 'version', '.well-known', 'openid'].includes(segments[0] ?? '');
  }
  const resources = served.get(split.gv);
  if (!resources) return false;
  let rest = split.rest[0] === 'watch' ? split.rest.slice(1) : split.rest;
  if (rest.length === 0) return true;
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3) rest = rest.slice(2);
  const subresources = resources.get(rest[0]);
  if (!subresources) return false;
  return rest.length <= 2 || subresources.has(rest[2]);
}

/** The names a document's `$ref`s reach from `start`, following refs into `pool` (definitions or schemas). */
function reachable(start, prefix, pool) {
  const names = new Set();
  const visit = (value) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(prefix)) {
        const name = child.slice(prefix.length);
        if (!names.has(name) && pool[name]) {
          names.add(name);
          visit(pool[name]);
        }
      } else visit(child);
    }
  };
  visit(start);
  return names;
}

const pick = (object, keep) => Object.fromEntries(Object.entries(object).filter(([key]) => keep(key)));

const outDir = join(root, 'data/openapi');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'v3'), { recursive: true });

// OpenAPI v3: one document per group version, group and root path kube-apiserver lists in /openapi/v3.
const index = {};
for (const file of readdirSync(join(specDir, 'v3')).sort()) {
  const key = file.replace(/_openapi\.json$/, '').replaceAll('__', '/');
  const segments = key.split('/');
  const servedKey =
    (segments[0] === 'api' && (segments.length === 1 || served.has(segments[1]))) ||
    (segments[0] === 'apis' &&
      (segments.length === 1 ||
        (segments.length === 2 && servedGroups.has(segments[1])) ||
        (segments.length === 3 && served.has(`${segments[1]}/${segments[2]}`)))) ||
    ['version', '.well-known/openid-configuration', 'openid/v1/jwks'].includes(key);
  if (!servedKey) continue;
  const upstream = JSON.parse(readFileSync(join(specDir, 'v3', file), 'utf8'));
  const paths = pick(upstream.paths ?? {}, servesPath);
  const schemas = upstream.components?.schemas ?? {};
  const used = reachable(paths, '#/components/schemas/', schemas);
  const document = {
    openapi: upstream.openapi,
    info: { ...upstream.info, version: SERVED_VERSION },
    paths,
    components: { ...upstream.components, schemas: pick(schemas, (name) => used.has(name)) },
  };
  if (!Object.keys(document.components.schemas).length) delete document.components.schemas;
  if (!Object.keys(document.components).length) delete document.components;
  const bytes = Buffer.from(JSON.stringify(document));
  index[key] = createHash('sha512').update(bytes).digest('hex').toUpperCase();
  writeFileSync(join(outDir, 'v3', `${key.replaceAll('/', '__')}.json.gz`), gzipSync(bytes, { level: 9 }));
}
writeFileSync(join(outDir, 'v3-index.json'), `${JSON.stringify(index, null, 2)}\n`);

// OpenAPI v2: the one Swagger document, its paths cut to those served and its definitions to those they reach.
const swagger = JSON.parse(readFileSync(join(specDir, 'swagger.json'), 'utf8'));
const v2Paths = pick(swagger.paths, servesPath);
const definitions = reachable([v2Paths, swagger.parameters], '#/definitions/', swagger.definitions);
const v2 = {
  swagger: swagger.swagger,
  info: { ...swagger.info, version: SERVED_VERSION },
  paths: v2Paths,
  definitions: pick(swagger.definitions, (name) => definitions.has(name)),
  parameters: swagger.parameters,
  securityDefinitions: swagger.securityDefinitions,
  security: swagger.security,
};
const v2Bytes = Buffer.from(JSON.stringify(v2));
writeFileSync(join(outDir, 'v2.json.gz'), gzipSync(v2Bytes, { level: 9 }));
const v2Protobuf = execFileSync('go', ['run', '.', 'openapi-v2-protobuf'], {
  cwd: join(root, 'scripts/go-types'),
  input: v2Bytes,
  maxBuffer: 64 * 1024 * 1024,
});
writeFileSync(join(outDir, 'v2.pb.gz'), gzipSync(v2Protobuf, { level: 9 }));

// Custom resources: what apiextensions-apiserver's builder adds to every CRD's documents besides the kind's own
// schemas, taken from its output for test/fixtures/crd-openapi/crontab-crd.json (scripts/go-types crd-openapi),
// and that output for both fixtures as the vectors src/api/openapi/crd-openapi.test.ts compares with.
const crdVectors = {};
for (const fixture of ['crontab-crd.json', 'cluster-crd.json']) {
  const crd = readFileSync(join(root, 'test/fixtures/crd-openapi', fixture));
  crdVectors[fixture] = JSON.parse(
    execFileSync('go', ['run', '.', 'crd-openapi'], {
      cwd: join(root, 'scripts/go-types'),
      input: crd,
      encoding: 'utf8',
    }),
  );
}
writeFileSync(
  join(root, 'test/fixtures/crd-openapi/vectors.json.gz'),
  gzipSync(Buffer.from(JSON.stringify(crdVectors)), { level: 9 }),
);
const { v3: crdV3, v2: crdV2 } = crdVectors['crontab-crd.json'].v1;
// Each action's parameters (a patch's fieldManager reads differently from a create's), from the namespaced
// paths, where none is hoisted to the path item; the body's schema is set per route when built.
const actionParameters = (paths) => {
  const byAction = {};
  for (const [path, item] of Object.entries(paths))
    for (const [method, operation] of Object.entries(item))
      if (method !== 'parameters' && path.includes('{namespace}'))
        byAction[operation['x-kubernetes-action']] ??= operation.parameters ?? [];
  return byAction;
};
const pathParameters = (paths) => {
  const byName = {};
  for (const item of Object.values(paths))
    for (const parameter of item.parameters ?? []) byName[parameter.name ?? parameter.$ref] = parameter;
  return byName;
};
const shared = (pool) => pick(pool, (name) => name.startsWith('io.k8s.'));
writeFileSync(
  join(outDir, 'crd.json.gz'),
  gzipSync(
    Buffer.from(
      JSON.stringify({
        v3: {
          operationParameters: actionParameters(crdV3.paths),
          pathParameters: pathParameters(crdV3.paths),
          schemas: shared(crdV3.components.schemas),
        },
        v2: {
          operationParameters: actionParameters(crdV2.paths),
          pathParameters: pathParameters(crdV2.paths),
          parameters: crdV2.parameters,
          definitions: shared(crdV2.definitions),
        },
      }),
    ),
    { level: 9 },
  ),
);

const servedList = Object.fromEntries(
  [...served].map(([gv, resources]) => [
    gv,
    Object.fromEntries([...resources].map(([resource, subs]) => [resource, [...subs].sort()])),
  ]),
);
writeFileSync(
  join(outDir, 'served.json'),
  `${JSON.stringify({ kubernetes: KUBERNETES_VERSION, groupVersions: servedList }, null, 2)}\n`,
);
console.log(
  `data/openapi: ${Object.keys(index).length} v3 documents, ${Object.keys(v2.definitions).length} v2 definitions`,
);
