import type { FieldError } from '../errors/status.js';
import { isJsonObject } from '../json/json-object.js';

/** A node of a CRD version's `openAPIV3Schema` (a structural schema), as far as this server reads it. */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: unknown[];
  [keyword: string]: unknown;
}

type Json = Record<string, unknown>;

/** The fields every object (and every embedded resource) keeps, whatever its schema says. */
const OBJECT_ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Drops what the structural schema does not declare, in place, as the apiextensions pruning algorithm does:
 * unknown fields (unless `x-kubernetes-preserve-unknown-fields`), and `null` where the field is not
 * `nullable`. `apiVersion`, `kind` and `metadata` stay at the root and in embedded resources. The paths of
 * the unknown fields dropped go to `unknownPaths` when given (`spec.list[0].foo`, as `TrackUnknownFieldPaths`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go
 */
export function pruneUnknownFields(value: Json, schema: SchemaNode, unknownPaths?: string[]): void {
  pruneObject(value, schema, true, '', unknownPaths);
}

function pruneObject(
  obj: Json,
  schema: SchemaNode,
  isResource: boolean,
  path: string,
  unknown?: string[],
): void {
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const properties = schema.properties ?? {};
  const additional = isJsonObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  for (const key of Object.keys(obj)) {
    if (isResource && OBJECT_ROOT_FIELDS.has(key) && !properties[key]) continue;
    const child = properties[key] ?? additional;
    const childPath = path ? `${path}.${key}` : key;
    if (!child) {
      if (!preserve && schema.additionalProperties !== true) {
        delete obj[key];
        unknown?.push(childPath);
      }
      continue;
    }
    if (obj[key] === null && !child.nullable) {
      delete obj[key];
      continue;
    }
    pruneValue(obj[key], child, childPath, unknown);
  }
}

function pruneValue(value: unknown, schema: SchemaNode, path: string, unknown?: string[]): void {
  if (schema['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => pruneValue(item, schema.items!, `${path}[${i}]`, unknown));
    return;
  }
  if (isJsonObject(value))
    pruneObject(value, schema, schema['x-kubernetes-embedded-resource'] === true, path, unknown);
}

/**
 * Fills `default`s of the schema for absent fields, in place, depth first, as the structural defaulting
 * of CRDs does (a defaulted object is then defaulted inside too).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go
 */
export function applySchemaDefaults(value: unknown, schema: SchemaNode): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applySchemaDefaults(item, schema.items);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && child.default !== undefined) value[key] = structuredClone(child.default);
    if (value[key] !== undefined) applySchemaDefaults(value[key], child);
  }
  if (isJsonObject(schema.additionalProperties)) {
    for (const [key, child] of Object.entries(value)) {
      if (schema.properties?.[key]) continue;
      applySchemaDefaults(child, schema.additionalProperties);
    }
  }
}

/** Renders a value as `field.Error` does in `Invalid value: ...` (strings quoted, the rest as JSON). */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object')
    return typeof value === 'object' && Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
  return String(value);
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, schema: SchemaNode): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  const actual = jsonTypeOf(value);
  switch (schema.type) {
    case undefined:
      return true;
    case 'number':
      return actual === 'number' || actual === 'integer';
    default:
      return actual === schema.type;
  }
}

/**
 * Validates a custom resource against its schema: the common OpenAPI keywords, with the messages
 * kube-openapi's validator gives and apiextensions turns into field errors. `x-kubernetes-validations`
 * (CEL) rules are not evaluated.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation/validation.go
 */
export function validateAgainstSchema(obj: Json, schema: SchemaNode): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (OBJECT_ROOT_FIELDS.has(key)) continue;
    if (obj[key] !== undefined) validateValue(obj[key], child, key, errors);
  }
  for (const key of schema.required ?? []) {
    if (obj[key] === undefined)
      errors.push({ type: 'FieldValueRequired', field: key, detail: 'Required value' });
  }
  return errors;
}

function validateValue(value: unknown, schema: SchemaNode, path: string, errors: FieldError[]): void {
  const invalid = (detail: string) =>
    errors.push({
      type: 'FieldValueInvalid',
      field: path,
      detail: `Invalid value: ${renderValue(value)}: ${detail}`,
    });
  if (value === null) {
    if (!schema.nullable && schema.type)
      errors.push({
        type: 'FieldValueTypeInvalid',
        field: path,
        detail: `Invalid value: "null": ${path} in body must be of type ${schema.type}: "null"`,
      });
    return;
  }
  if (!hasType(value, schema)) {
    const expected = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type;
    errors.push({
      type: 'FieldValueTypeInvalid',
      field: path,
      detail: `Invalid value: ${renderValue(value)}: ${path} in body must be of type ${expected}: "${jsonTypeOf(value)}"`,
    });
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    const supported = schema.enum.map((v) => JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)));
    errors.push({
      type: 'FieldValueNotSupported',
      field: path,
      detail: `Unsupported value: ${renderValue(value)}: supported values: ${supported.join(', ')}`,
    });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined) {
      if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)
        invalid(
          `${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
        );
    }
    if (schema.maximum !== undefined) {
      if (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)
        invalid(
          `${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
        );
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength)
      errors.push({
        type: 'FieldValueTooLong',
        field: path,
        detail: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    if (schema.minLength !== undefined && length < schema.minLength)
      invalid(`${path} in body should be at least ${schema.minLength} chars long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      invalid(`${path} in body should match '${schema.pattern}'`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push({
        type: 'FieldValueTooMany',
        field: path,
        detail: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    if (schema.minItems !== undefined && value.length < schema.minItems)
      invalid(`${path} in body should have at least ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => validateValue(item, schema.items!, `${path}[${i}]`, errors));
  }
  if (isJsonObject(value)) {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (value[key] !== undefined) validateValue(value[key], child, `${path}.${key}`, errors);
    }
    if (isJsonObject(schema.additionalProperties)) {
      for (const [key, child] of Object.entries(value)) {
        if (!schema.properties?.[key])
          validateValue(child, schema.additionalProperties, `${path}.${key}`, errors);
      }
    }
    for (const key of schema.required ?? []) {
      if (value[key] === undefined)
        errors.push({ type: 'FieldValueRequired', field: `${path}.${key}`, detail: 'Required value' });
    }
  }
}

/** Whether any node of the schema carries `x-kubernetes-validations` (CEL rules this server does not run). */
export function hasCelRules(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasCelRules);
  if (!isJsonObject(schema)) return false;
  if (Array.isArray(schema['x-kubernetes-validations']) && schema['x-kubernetes-validations'].length > 0)
    return true;
  return Object.entries(schema).some(
    ([key, child]) => key !== 'default' && key !== 'enum' && hasCelRules(child),
  );
}
