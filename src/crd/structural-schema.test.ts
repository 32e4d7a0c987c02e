import { describe, expect, it } from 'vitest';
import {
  applySchemaDefaults,
  hasCelRules,
  pruneUnknownFields,
  validateAgainstSchema,
  type SchemaNode,
} from './structural-schema.js';

const schema: SchemaNode = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'string', enum: ['small', 'large'] },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object' } },
        },
        nested: {
          type: 'object',
          default: {},
          properties: { mode: { type: 'string', default: 'auto' } },
        },
      },
    },
  },
};

describe('pruneUnknownFields', () => {
  it('drops undeclared fields, keeps apiVersion/kind/metadata, preserved subtrees and embedded resources', () => {
    const obj = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: { a: 'b' } },
      extra: true,
      spec: {
        size: 'small',
        unknown: 1,
        labels: { x: 'y' },
        free: { anything: { deep: true } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, junk: 1 },
        port: 'http',
        name: null,
      },
    };
    pruneUnknownFields(obj, schema);
    expect(obj).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: { a: 'b' } },
      spec: {
        size: 'small',
        labels: { x: 'y' },
        free: { anything: { deep: true } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
        port: 'http',
      },
    });
  });
});

describe('applySchemaDefaults', () => {
  it('fills absent fields depth first, inside defaulted objects too', () => {
    const obj: Record<string, unknown> = { spec: { size: 'small' } };
    applySchemaDefaults(obj, schema);
    expect(obj).toEqual({ spec: { size: 'small', replicas: 1, nested: { mode: 'auto' } } });
  });

  it('leaves given values alone', () => {
    const obj: Record<string, unknown> = { spec: { size: 'small', replicas: 0, nested: { mode: 'manual' } } };
    applySchemaDefaults(obj, schema);
    expect(obj).toEqual({ spec: { size: 'small', replicas: 0, nested: { mode: 'manual' } } });
  });
});

describe('validateAgainstSchema', () => {
  const errorsOf = (spec: Record<string, unknown>) => validateAgainstSchema({ spec }, schema);

  it('accepts a valid object', () => {
    expect(errorsOf({ size: 'large', replicas: 3, name: 'ab', port: 80, tags: ['a'] })).toEqual([]);
  });

  it('gives the messages kube-openapi and apiextensions give', () => {
    expect(
      errorsOf({ replicas: 'three', size: 'huge', name: 'ABCDEFG', tags: ['a', 'b', 'c'], port: true }).map(
        (e) => `${e.field}: ${e.detail}`,
      ),
    ).toEqual([
      'spec.size: Unsupported value: "huge": supported values: "small", "large"',
      'spec.replicas: Invalid value: "three": spec.replicas in body must be of type integer: "string"',
      'spec.name: Too long: may not be more than 5 bytes',
      `spec.name: Invalid value: "ABCDEFG": spec.name in body should match '^[a-z]+$'`,
      'spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
      'spec.tags: Too many: 3: must have at most 2 items',
    ]);
    expect(
      errorsOf({ size: 'small', replicas: 11, name: 'a', tags: [] }).map((e) => `${e.field}: ${e.detail}`),
    ).toEqual([
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
      'spec.tags: Invalid value: []interface {}: spec.tags in body should have at least 1 items',
    ]);
  });

  it('reports required fields as FieldValueRequired', () => {
    expect(errorsOf({})).toEqual([
      { type: 'FieldValueRequired', field: 'spec.size', detail: 'Required value' },
    ]);
  });
});

describe('hasCelRules', () => {
  it('finds x-kubernetes-validations anywhere in the schema', () => {
    expect(hasCelRules(schema)).toBe(false);
    expect(
      hasCelRules({
        type: 'object',
        properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'true' }] } },
      }),
    ).toBe(true);
  });
});
