/**
 * Go's `encoding/json` of a value of a known API type, with map keys sorted: what the StatefulSet and
 * DaemonSet controllers write as a ControllerRevision's data (`getPatch`: the object encoded, decoded into a
 * map, re-encoded, so every object's keys come out sorted). Fields without `omitempty` are written even when
 * zero (`resources: {}`, `creationTimestamp: null`); a nil list or map is `null`; values are read as the
 * controllers' informers decode them (protobuf: an empty list or map is nil).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/statefulset/stateful_set_utils.go (getPatch)
 */
import { canonicalQuantity, type SpewField, type SpewTable } from './spew.js';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A Go value as `json.Marshal` would give it back to a map decode: plain JSON, keys to be sorted. */
export function goJsonValue(table: SpewTable, value: Json, type: number): Json {
  const entry = table.types[type]!;
  const kind = entry[0];
  switch (kind) {
    case 'ptr':
      return value === undefined || value === null ? null : goJsonValue(table, value, entry[2] as number);
    case 'struct': {
      const object = isObject(value) ? value : {};
      const out: Record<string, Json> = {};
      for (const [, json, fieldType, omitEmpty] of entry[2] as SpewField[]) {
        if (json === '-') continue;
        const fieldValue = json === '' ? object : object[json];
        const encoded = goJsonValue(table, fieldValue, fieldType);
        if (json === '') {
          if (isObject(encoded)) Object.assign(out, encoded);
          continue;
        }
        if (omitEmpty && isEmpty(table, encoded, fieldType)) continue;
        out[json] = encoded;
      }
      return out;
    }
    case 'slice': {
      if (!Array.isArray(value) || value.length === 0) return null;
      return value.map((item) => goJsonValue(table, item, entry[2] as number));
    }
    case 'map': {
      if (!isObject(value) || Object.keys(value).length === 0) return null;
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, goJsonValue(table, item, entry[2] as number)]),
      );
    }
    case 'string':
      return typeof value === 'string' ? value : '';
    case 'bool':
      return value === true;
    case 'quantity':
      return canonicalQuantity(String(value ?? '0'));
    case 'time':
      return typeof value === 'string' && value !== '' ? value : null;
    case 'intOrString':
      return typeof value === 'string' ? value : Number(value ?? 0);
    default:
      return typeof value === 'number' ? value : Number(value ?? 0);
  }
}

/** `omitempty`'s test: false, 0, "", nil pointers, nil or empty lists and maps (a struct is never empty). */
function isEmpty(table: SpewTable, encoded: Json, type: number): boolean {
  const kind = table.types[type]![0];
  if (kind === 'struct' || kind === 'quantity' || kind === 'intOrString') return false;
  if (kind === 'time') return false;
  // A pointer is empty only when nil: `false` behind a *bool is written.
  if (kind === 'ptr') return encoded === null;
  if (encoded === null || encoded === false || encoded === 0 || encoded === '') return true;
  if (Array.isArray(encoded)) return encoded.length === 0;
  if (isObject(encoded) && (kind === 'map' || kind === 'slice')) return Object.keys(encoded).length === 0;
  return false;
}

/** `json.Marshal` of plain JSON: keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped as Go escapes them. */
export function goMarshalSorted(value: Json): string {
  const sort = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sort);
    if (isObject(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .map((key) => [key, sort(v[key])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
