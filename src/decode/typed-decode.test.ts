import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeIntoGoType, goTypeOf, typeMetaError } from './typed-decode.js';

interface Case {
  name: string;
  gv: string;
  kind: string;
  body: Record<string, unknown>;
}
interface Vector {
  name: string;
  error?: string;
}

const read = (file: string) =>
  readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);

/** What kube-apiserver's create handler answers for the body: the decode error's text, or none. */
function decodeAsCreate({ gv, kind, body }: Case): string | undefined {
  const meta = typeMetaError(body);
  if (meta) return meta;
  const version = gv.split('/').pop()!;
  try {
    decodeIntoGoType(body, goTypeOf(gv, kind)!);
    return undefined;
  } catch (error) {
    const actual = typeof body.kind === 'string' && body.kind ? body.kind : kind;
    return `${actual} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${(error as Error).message}`;
  }
}

// The vectors were printed by apimachinery's own JSON serializer decoding each case (scripts/go-types,
// `go run . decode`), so every expectation is what kube-apiserver 1.33 answers.
describe('decodeIntoGoType against apimachinery', () => {
  const cases = read('typed-decode-cases.jsonl') as Case[];
  const vectors = read('typed-decode-vectors.jsonl') as Vector[];
  it('has one vector per case', () => expect(vectors.map((v) => v.name)).toEqual(cases.map((c) => c.name)));
  it.each(cases.map((c, i) => [c.name, c, vectors[i]!] as const))('%s', (_name, testCase, vector) => {
    expect(decodeAsCreate(structuredClone(testCase))).toBe(vector.error);
  });
});

describe('what a body decodes to', () => {
  const decode = (gv: string, kind: string, body: Record<string, unknown>) => {
    decodeIntoGoType(body, goTypeOf(gv, kind)!);
    return body;
  };

  it('drops null fields and gives null items and map values their zero value', () => {
    expect(
      decode('v1', 'Pod', {
        metadata: { name: 'a', labels: null, annotations: { a: null } },
        spec: { containers: [{ name: 'a', args: [null, 'x'], ports: [null] }], nodeSelector: null },
      }),
    ).toEqual({
      metadata: { name: 'a', annotations: { a: '' } },
      spec: { containers: [{ name: 'a', args: ['', 'x'], ports: [{}] }] },
    });
  });

  it('writes times in UTC and numeric quantities as strings, as MarshalJSON does', () => {
    expect(
      decode('v1', 'Pod', {
        metadata: { name: 'a', creationTimestamp: '2020-01-01T02:00:00.5+02:00' },
        spec: { containers: [{ name: 'a', resources: { limits: { cpu: 2, memory: '1Gi' } } }] },
      }),
    ).toEqual({
      metadata: { name: 'a', creationTimestamp: '2020-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'a', resources: { limits: { cpu: '2', memory: '1Gi' } } }] },
    });
  });

  it('keeps raw JSON fields and unknown fields as they are', () => {
    const body = {
      metadata: { name: 'a', managedFields: [{ fieldsV1: { 'f:x': {} } }] },
      spec: { nope: [1] },
    };
    expect(decode('v1', 'Pod', structuredClone(body))).toEqual(body);
  });

  it('takes a list of byte values for []byte, as encoding/json does, kept as base64', () => {
    expect(decode('v1', 'Secret', { data: { a: [1, 2] } })).toEqual({ data: { a: 'AQI=' } });
  });
});
