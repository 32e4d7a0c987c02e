import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * The package's `data/openapi/` (written by `scripts/generate-openapi.mjs`): found by walking up from this
 * module, which sits at a different depth in `src/`, `dist/` and the command's bundle.
 */
function dataDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'data', 'openapi');
    if (existsSync(join(candidate, 'v3-index.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('[fake-apiserver] data/openapi is missing from the package');
    dir = parent;
  }
}

let directory: string | undefined;
const dataPath = (...parts: string[]) => join((directory ??= dataDirectory()), ...parts);

let v3Index: Readonly<Record<string, string>> | undefined;

/** The built-in `/openapi/v3` documents' keys (`api/v1`, `apis/apps`, `version`) and their SHA-512 hashes. */
export function builtInOpenApiV3Index(): Readonly<Record<string, string>> {
  return (v3Index ??= JSON.parse(readFileSync(dataPath('v3-index.json'), 'utf8')) as Record<string, string>);
}

const v3Documents = new Map<string, Buffer>();

/** The bytes of a built-in `/openapi/v3/<key>` document, read and unzipped on first use; undefined if none. */
export function builtInOpenApiV3Bytes(key: string): Buffer | undefined {
  if (!(key in builtInOpenApiV3Index())) return undefined;
  let bytes = v3Documents.get(key);
  if (!bytes) {
    bytes = gunzipSync(readFileSync(dataPath('v3', `${key.replaceAll('/', '__')}.json.gz`)));
    v3Documents.set(key, bytes);
  }
  return bytes;
}

let v2Json: Buffer | undefined;
let v2Protobuf: Buffer | undefined;

/** The built-in `/openapi/v2` Swagger document's JSON bytes. */
export function builtInOpenApiV2Json(): Buffer {
  return (v2Json ??= gunzipSync(readFileSync(dataPath('v2.json.gz'))));
}

/** The built-in `/openapi/v2` document as gnostic's `openapi.v2.Document` protobuf. */
export function builtInOpenApiV2Protobuf(): Buffer {
  return (v2Protobuf ??= gunzipSync(readFileSync(dataPath('v2.pb.gz'))));
}

let crdParts: CrdOpenApiParts | undefined;

type Json = Record<string, unknown>;

/**
 * What apiextensions-apiserver's OpenAPI builder puts in every custom resource's documents besides the kind's
 * own schemas, from its output for a fixture CRD: each action's parameters (`list`, `post`, `patch`, ...), the
 * path parameters by name, and the `meta/v1` (and `autoscaling/v1` Scale) schemas; v2 adds its shared
 * parameters, which its operations refer to.
 */
export interface CrdOpenApiParts {
  v3: { operationParameters: Record<string, Json[]>; pathParameters: Record<string, Json>; schemas: Json };
  v2: {
    operationParameters: Record<string, Json[]>;
    pathParameters: Record<string, Json>;
    parameters: Record<string, Json>;
    definitions: Json;
  };
}

/** The shared parts of a custom resource's OpenAPI documents. */
export function crdOpenApiParts(): CrdOpenApiParts {
  return (crdParts ??= JSON.parse(
    gunzipSync(readFileSync(dataPath('crd.json.gz'))).toString('utf8'),
  ) as CrdOpenApiParts);
}
