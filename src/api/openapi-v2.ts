import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { writeJson } from '../http/respond.js';
import type { KindRegistry } from '../registry/kind-registry.js';

/**
 * The protobuf media type `/openapi/v2` answers with, whichever spelling was asked for: Go's
 * `mime.ParseMediaType` rejects the `@` in {@link OPENAPI_V2_PROTOBUF_DEPRECATED}, so client-go fails
 * with "mime: unexpected content after media subtype" when a server echoes it back.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The older spelling that kubectl 1.27 and 1.28 send in Accept. */
export const OPENAPI_V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

interface KindPath {
  path: string;
  group: string;
  version: string;
  kind: string;
}

function kindPaths(registry: KindRegistry): KindPath[] {
  return registry
    .all()
    .filter((k) => k.storage === 'stored')
    .map((k) => ({
      path: `/${k.group ? `apis/${k.group}` : 'api'}/${k.version}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.resource}/{name}`,
      group: k.group,
      version: k.version,
      kind: k.kind,
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const FIELD_VALIDATION_DESCRIPTION =
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.';

/**
 * The JSON (Swagger 2.0) form of `/openapi/v2`: one PATCH operation per stored kind, carrying
 * `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. There are no
 * `definitions`: kubectl 1.27 and 1.28 then build apply's strategic merge patches from their compiled-in
 * types, and find no schema to validate against client-side.
 * @see https://github.com/kubernetes/kube-openapi/blob/master/pkg/handler/handler.go
 */
export function openApiV2Document(registry: KindRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { path, group, version, kind } of kindPaths(registry)) {
    paths[path] = {
      patch: {
        parameters: [
          {
            uniqueItems: true,
            type: 'string',
            description: FIELD_VALIDATION_DESCRIPTION,
            name: 'fieldValidation',
            in: 'query',
          },
        ],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-group-version-kind': { group, kind, version },
      },
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.33.1' }, paths };
}

/** A protobuf field: a string or embedded message is length-delimited, a boolean a varint. */
type Field = readonly [number, string | boolean | Buffer | undefined];

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

/** Encodes a message; proto3 leaves out empty strings, false and absent messages. */
function message(...fields: Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const [number, value] of fields) {
    if (value === undefined || value === '' || value === false) continue;
    if (value === true) {
      parts.push(Buffer.from([...varint(number << 3), 1]));
      continue;
    }
    const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    parts.push(Buffer.from([...varint((number << 3) | 2), ...varint(payload.length)]), payload);
  }
  return Buffer.concat(parts);
}

/**
 * `/openapi/v2` as the gnostic `openapi.v2.Document` protobuf that kubectl 1.27 and 1.28 download: the
 * same content as {@link openApiV2Document}, where the query-param verifier finds each kind's PATCH
 * operation by the YAML of its `x-kubernetes-group-version-kind` extension and then looks for a
 * non-body `fieldValidation` query parameter, so `create -f` and `apply -f` trust server-side validation.
 * @see https://github.com/google/gnostic-models/blob/main/openapiv2/OpenAPIv2.proto
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.27/staging/src/k8s.io/cli-runtime/pkg/resource/query_param_verifier.go
 */
export function openApiV2Protobuf(registry: KindRegistry): Buffer {
  const pathItems = kindPaths(registry).map(({ path, group, version, kind }) => {
    const queryParameter = message(
      [2, 'query'],
      [3, FIELD_VALIDATION_DESCRIPTION],
      [4, 'fieldValidation'],
      [6, 'string'],
      [20, true],
    );
    const parametersItem = message([1, message([2, message([3, queryParameter])])]);
    const responses = message([1, message([1, '200'], [2, message([1, message([1, 'OK'])])])]);
    // yaml.v2 in kubectl reads YAML 1.1, where an unquoted `yes` or `on` would be a boolean.
    const gvkYaml = stringify({ group, kind, version }, { version: '1.1' });
    const gvkExtension = message([1, 'x-kubernetes-group-version-kind'], [2, message([2, gvkYaml])]);
    const operation = message([8, parametersItem], [9, responses], [13, gvkExtension]);
    return message([1, path], [2, message([8, operation])]);
  });
  return message(
    [1, '2.0'],
    [2, message([1, 'Kubernetes'], [2, 'v1.33.1'])],
    [8, Buffer.concat(pathItems.map((item) => message([2, item])))],
  );
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
 * Answers `GET /openapi/v2`: protobuf or JSON by Accept, else a bare 406 as kube-openapi sends.
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
  if (contentType === 'application/json') return writeJson(res, 200, openApiV2Document(registry));
  const body = openApiV2Protobuf(registry);
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
