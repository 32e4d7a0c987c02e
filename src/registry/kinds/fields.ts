import type { KubeObject, ResourceKind } from '../resource-kind.js';
import { STANDARD_VERBS } from '../verbs.js';
import { isJsonObject } from '../../json/json-object.js';

/** A value getter for one selectable field. */
export type FieldGetter = (obj: KubeObject) => string | undefined;

/** The value at a dotted path as a field selector sees it: `''` when absent, numbers and booleans as text. */
export function fieldValue(obj: KubeObject, dotted: string, fallback = ''): string {
  let value: unknown = obj;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return fallback;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : String(value);
}

/** Getters reading each field at its own path. */
export function fieldGetters(...fields: string[]): Record<string, FieldGetter> {
  return Object.fromEntries(fields.map((field) => [field, (obj: KubeObject) => fieldValue(obj, field)]));
}

/** The core/v1 conversion functions' error (`field label not supported: x`). */
export const legacyUnsupportedField = (field: string): string => `field label not supported: ${field}`;

/** A plain object field of `obj`, created when missing. */
export function objectField(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = obj[key];
  if (isJsonObject(value)) return value;
  const created: Record<string, unknown> = {};
  obj[key] = created;
  return created;
}

/** The plain-object items of a list field (others skipped). */
export function objectItems(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject);
}

/**
 * A stored kind of the generic registry: the eight verbs, DNS-1123 subdomain names, the lowercased kind as
 * its singular name, and whatever `rest` adds or overrides.
 */
export function storedKind(
  group: string,
  version: string,
  kind: string,
  resource: string,
  rest: Partial<ResourceKind> & Pick<ResourceKind, 'namespaced'>,
): ResourceKind {
  return {
    group,
    version,
    kind,
    resource,
    singular: kind.toLowerCase(),
    verbs: STANDARD_VERBS,
    storage: 'stored',
    nameValidation: 'dns1123Subdomain',
    ...rest,
  };
}
