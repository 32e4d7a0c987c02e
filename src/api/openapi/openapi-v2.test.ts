import { describe, expect, it } from 'vitest';
import { builtInKinds } from '../../registry/built-in-kinds.js';
import { KindRegistry } from '../../registry/kind-registry.js';
import { builtInOpenApiV2Protobuf } from './openapi-data.js';
import {
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_DEPRECATED,
  negotiateOpenApiV2,
  openApiV2Document,
} from './openapi-v2.js';

/** A decoded message: field number to its occurrences, varints as numbers, length-delimited as bytes. */
type Message = Map<number, (number | Buffer)[]>;

function decode(data: Buffer): Message {
  const fields: Message = new Map();
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = data[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (pos < data.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    let value: number | Buffer;
    if (tag % 8 === 0) value = varint();
    else if (tag % 8 === 2) {
      const length = varint();
      if (pos + length > data.length) throw new Error('truncated field');
      value = data.subarray(pos, pos + length);
      pos += length;
    } else throw new Error(`unexpected wire type ${tag % 8}`);
    fields.set(number, [...(fields.get(number) ?? []), value]);
  }
  return fields;
}

const bytesAt = (message: Message, number: number) => (message.get(number) ?? []) as Buffer[];
const at = (message: Message, ...numbers: number[]) =>
  numbers.reduce((m, n) => decode(bytesAt(m, n)[0] ?? Buffer.alloc(0)), message);
const text = (message: Message, number: number) => bytesAt(message, number)[0]?.toString('utf8') ?? '';

const registry = new KindRegistry(builtInKinds);
const json = openApiV2Document(registry) as {
  swagger: string;
  info: Record<string, string>;
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, Record<string, unknown>>;
};

describe('/openapi/v2', () => {
  it("is kube-apiserver 1.33's document, with descriptions and group-version-kinds", () => {
    expect(json.swagger).toBe('2.0');
    expect(json.info).toEqual({ title: 'Kubernetes', version: 'v1.33.1' });
    const deployment = json.definitions['io.k8s.api.apps.v1.Deployment']!;
    expect(deployment.description).toBe('Deployment enables declarative updates for Pods and ReplicaSets.');
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
  });

  it('has the paths of the served kinds and subresources only', () => {
    expect(json.paths).toHaveProperty(['/api/v1/namespaces/{namespace}/pods/{name}/log']);
    expect(json.paths).toHaveProperty(['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
    expect(json.paths).not.toHaveProperty(['/api/v1/namespaces/{namespace}/podtemplates']);
    expect(json.paths).not.toHaveProperty(['/apis/resource.k8s.io/v1beta1/resourceclaims']);
    expect(json.definitions).not.toHaveProperty(['io.k8s.api.core.v1.PodTemplate']);
    const served = new Set(
      builtInKinds.filter((k) => k.storage === 'stored').map((k) => `${k.group}/${k.version}/${k.kind}`),
    );
    const published = new Set(
      Object.values(json.definitions).flatMap((d) =>
        (
          (d['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[]) ?? []
        ).map((g) => `${g.group}/${g.version}/${g.kind}`),
      ),
    );
    for (const kind of served) expect(published, kind).toContain(kind);
  });

  it('has the same paths and definitions in its protobuf form', () => {
    const document = decode(builtInOpenApiV2Protobuf());
    expect(text(document, 1)).toBe('2.0');
    expect(text(at(document, 2), 2)).toBe('v1.33.1');
    const paths = bytesAt(at(document, 8), 2).map((item) => text(decode(item), 1));
    expect(paths).toEqual(Object.keys(json.paths));
    const definitions = bytesAt(at(document, 9), 1).map((item) => text(decode(item), 1));
    expect(definitions.sort()).toEqual(Object.keys(json.definitions).sort());
  });
});

describe('negotiateOpenApiV2', () => {
  it.each([
    [OPENAPI_V2_PROTOBUF_DEPRECATED, OPENAPI_V2_PROTOBUF],
    [OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF],
    ['application/json', 'application/json'],
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['*/*', 'application/json'],
    ['application/json, */*', 'application/json'],
    [`*/*, ${OPENAPI_V2_PROTOBUF_DEPRECATED}`, OPENAPI_V2_PROTOBUF],
    [`application/json;q=0.5, ${OPENAPI_V2_PROTOBUF_DEPRECATED}`, OPENAPI_V2_PROTOBUF],
    ['text/html', undefined],
    ['application/vnd.kubernetes.protobuf', undefined],
  ])('Accept %j answers %j', (accept, expected) => {
    expect(negotiateOpenApiV2(accept)).toBe(expected);
  });
});
