/**
 * Building blocks of the Table printers in this folder: column definitions, safe accessors over decoded
 * JSON, and the formatting helpers of `pkg/printers/internalversion/printers.go`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 */
import type { TableColumn } from '../table.js';
import { humanDuration } from './human-duration.js';
import { CREATION_TIMESTAMP_DESCRIPTION, NAME_DESCRIPTION } from './descriptions.js';

/** A decoded JSON object. */
export type Obj = Record<string, unknown>;

/** A kind's printer as `toTable` uses it. */
export interface KindPrinter {
  columns: readonly TableColumn[];
  cells: (obj: Obj, now: Date) => unknown[];
  emptyRows: [];
}

/** A `TableColumnDefinition`; priority 1 marks a `-o wide` column. */
export const column = (
  name: string,
  description: string,
  priority = 0,
  type = 'string',
  format = '',
): TableColumn => ({
  name,
  type,
  format,
  description,
  priority,
});

/** The Name column every printer starts with. */
export const nameColumn = column('Name', NAME_DESCRIPTION, 0, 'string', 'name');
/** The Age column. */
export const ageColumn = column('Age', CREATION_TIMESTAMP_DESCRIPTION);
/** The `date` Created At column of printers that show a timestamp instead of an age. */
export const createdAtColumn = column('Created At', CREATION_TIMESTAMP_DESCRIPTION, 0, 'date');

/** `obj` as an object (`{}` otherwise). */
export const asObj = (value: unknown): Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
/** The object items of a list (`[]` otherwise). */
export const asList = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(asObj) : []);
/** A string, or `''`. */
export const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
/** A number, or 0. */
export const asNumber = (value: unknown): number => (typeof value === 'number' ? value : 0);
/** `metadata.name`. */
export const nameOf = (obj: Obj): string => asString(asObj(obj.metadata).name);

/** `translateTimestampSince`: a human age, `<unknown>` for the zero time. */
export function since(timestamp: unknown, now: Date): string {
  const ms = typeof timestamp === 'string' && timestamp !== '' ? Date.parse(timestamp) : NaN;
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(now.getTime() - ms);
}

/** The age of an object. */
export const ageOf = (obj: Obj, now: Date): string => since(asObj(obj.metadata).creationTimestamp, now);

/** Whether the object has a deletion timestamp. */
export const isDeleting = (obj: Obj): boolean => typeof asObj(obj.metadata).deletionTimestamp === 'string';

/** `labels.FormatLabels`: `k=v` pairs sorted by key, comma-joined; `<none>` when empty. */
export function formatLabels(value: unknown): string {
  const entries = Object.entries(asObj(value)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${asString(v)}`).join(',');
}

/**
 * `metav1.FormatLabelSelector`: match labels then expressions (`k in (a,b)`, `k notin (a)`, `k`, `!k`),
 * `<none>` for an empty selector, `<error>` for none at all.
 */
export function formatLabelSelector(value: unknown): string {
  if (value === undefined || value === null) return '<none>';
  const selector = asObj(value);
  const parts = Object.entries(asObj(selector.matchLabels))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${asString(v)}`);
  for (const expression of asList(selector.matchExpressions)) {
    const key = asString(expression.key);
    const values = (Array.isArray(expression.values) ? expression.values : []).map(asString).join(',');
    switch (expression.operator) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
    }
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

/** `listWithMoreString`: up to `max` items, then ` + N more...`; `<unset>` when empty. */
export function listWithMore(list: string[], count: number, max: number): string {
  const shown = list.slice(0, max).join(',');
  if (count > max) return `${shown} + ${count - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** `loadBalancerStatusStringer` (server side, so wide): ingress IPs or hostnames, comma-joined. */
export function loadBalancerAddresses(loadBalancer: unknown): string {
  return asList(asObj(loadBalancer).ingress)
    .map((ingress) => asString(ingress.ip) || asString(ingress.hostname))
    .filter((address) => address !== '')
    .join(',');
}

/** `printBoolPtr`: `<none>` for nil, else `True`/`False`. */
export function boolPointer(value: unknown): string {
  if (typeof value !== 'boolean') return '<none>';
  return value ? 'True' : 'False';
}

/** `layoutContainerCells` of a pod template: container names and images, comma-joined. */
export function containerCells(template: unknown): [string, string] {
  const containers = asList(asObj(asObj(template).spec).containers);
  return [
    containers.map((c) => asString(c.name)).join(','),
    containers.map((c) => asString(c.image)).join(','),
  ];
}

/** A resource quantity as the printers render it (the stored string; `0` when absent). */
export function quantity(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : '0';
}
