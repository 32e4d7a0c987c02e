import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goEncodeObject } from './go-encode.js';
import { decodeIntoGoType, goTypeOf } from './typed-decode.js';

interface Case {
  name: string;
  gv: string;
  kind: string;
  body: Record<string, unknown>;
}
interface Vector {
  name: string;
  decoded?: Record<string, unknown>;
}

const read = (file: string) =>
  readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);

// Each vector's `decoded` is what apimachinery's JSON serializer decodes the case into and encoding/json writes
// back (scripts/go-types, `go run . decode`): the expectation, key order included.
// Two cases differ by the decoder, not the encoding: typed-decode.ts keeps a Secret's base64 text and a string
// Quantity as sent, where Go's []byte and Quantity re-encode them canonically.
const DECODER_GAPS = new Set(['Pod quantity exponent']);
const isDecoderGap = (name: string) =>
  DECODER_GAPS.has(name) || (name.startsWith('Secret') && name.includes('\\n'));

describe('goEncodeObject against encoding/json', () => {
  const cases = read('typed-decode-cases.jsonl') as Case[];
  const vectors = read('typed-decode-vectors.jsonl') as Vector[];
  const decoded = cases.flatMap((c, i) =>
    vectors[i]?.decoded && !isDecoderGap(c.name) ? [[c.name, c, vectors[i].decoded] as const] : [],
  );
  it('has vectors to check', () => expect(decoded.length).toBeGreaterThan(20));
  it.each(decoded)('%s', (_name, testCase, expected) => {
    const body = structuredClone(testCase.body);
    decodeIntoGoType(body, goTypeOf(testCase.gv, testCase.kind)!);
    expect(JSON.stringify(goEncodeObject(body))).toBe(JSON.stringify(expected));
  });
});

describe('goEncodeObject', () => {
  it('leaves a kind outside the Go types (a custom resource) as it is', () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { annotations: {} }, spec: {} };
    expect(goEncodeObject(obj)).toBe(obj);
  });

  it('drops empty omitempty fields, writes zero values of the others, keeps unknown fields', () => {
    expect(
      goEncodeObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', annotations: {}, finalizers: [], labels: { a: '' } },
        data: {},
        immutable: false,
        extra: {},
      }),
    ).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'a', creationTimestamp: null, labels: { a: '' } },
      immutable: false,
      extra: {},
    });
  });

  it('does not change the object it is given', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', annotations: {} } };
    const copy = structuredClone(obj);
    goEncodeObject(obj);
    expect(obj).toEqual(copy);
  });

  it('writes a pod template metadata as a struct value: creationTimestamp null', () => {
    const encoded = goEncodeObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a', creationTimestamp: '2020-01-01T00:00:00Z' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c' }] } } },
    }) as { spec: { template: unknown } };
    expect(encoded.spec.template).toEqual({
      metadata: { creationTimestamp: null },
      spec: { containers: [{ name: 'c', resources: {} }] },
    });
  });

  it('sorts map keys as encoding/json does', () => {
    const encoded = goEncodeObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { b: '1', a: '2', B: '3' } });
    expect(Object.keys(encoded.data)).toEqual(['B', 'a', 'b']);
  });

  it('with storage, reads an empty slice or map without omitempty back as nil, as protobuf storage does', () => {
    const node = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSINode',
      metadata: { name: 'n' },
      spec: { drivers: [] },
    };
    expect(goEncodeObject(node).spec).toEqual({ drivers: [] });
    expect(goEncodeObject(node, { storage: true }).spec).toEqual({ drivers: null });
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: {}, rules: [] };
    expect(goEncodeObject(role, { storage: true }).rules).toBeNull();
  });
});
