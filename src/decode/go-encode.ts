/**
 * A built-in object as kube-apiserver writes it: encoded by Go's `encoding/json` from the kind's typed struct.
 * kube-apiserver decodes every write into the Go struct and encodes it back (to etcd, then to the client), so a
 * field tagged `omitempty` whose value is empty (`isEmptyValue`: false, 0, "", a nil pointer or interface, a
 * map, slice or string of length 0) is left out, and a field without `omitempty` is always written, the zero
 * value when the client sent none: `null` for a nil pointer, slice, map and interface, the struct's own
 * encoding for a struct value (`{}` and its fields' zeros), `""`, `0`, `false`. A struct is never empty, so a
 * struct held by value is written even with `omitempty` (`metadata: {"creationTimestamp": null}` in a pod
 * template, a Service's `status: {"loadBalancer": {}}`). A type with its own `MarshalJSON` writes what it
 * writes (a zero `metav1.Time` is `null`, a zero Quantity `"0"`, an IntOrString `0`); its value is left as is,
 * and so are free-form values (`interface{}`, RawExtension, JSON) and what is not in the kind's Go types. Fields
 * come out in the struct's order, those of embedded (inline) structs at the embedding's place unless the outer
 * struct declares the same name (Go's dominant field); fields the struct lacks stay, after them.
 * @see https://github.com/golang/go/blob/go1.24.0/src/encoding/json/encode.go (isEmptyValue, typeFields)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/time.go (MarshalJSON)
 */
import { isJsonObject } from '../json/json-object.js';
import { FIELD_INLINE, FIELD_OMITEMPTY, type GoType } from './go-type.js';
import { GO_TYPES } from './go-types.generated.js';

type Json = Record<string, unknown>;

/** Go's string order (bytes of UTF-8, which code points order alike). */
const byBytes = (a: string, b: string): number => {
  if (a === b) return 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length < b.length ? -1 : 1;
};

/** One field as the encoder writes it: JSON name, type, `omitempty`. */
interface PlannedField {
  json: string;
  type: number;
  omitEmpty: boolean;
}

/** A struct's fields in Go's encoding order, inline structs flattened, and the set of their names. */
interface StructPlan {
  fields: PlannedField[];
  names: Set<string>;
}

const typeOf = (id: number): GoType => GO_TYPES.types[id]!;
const type = (id: number): GoType[0] => typeOf(id)[0];
const plans = new Map<number, StructPlan>();

function planOf(id: number): StructPlan {
  let plan = plans.get(id);
  if (plan) return plan;
  const type = typeOf(id);
  const declared = new Set<string>();
  if (type[0] === 'struct')
    for (const [json, , flags] of type[2]) if (!(flags & FIELD_INLINE)) declared.add(json);
  const fields: PlannedField[] = [];
  if (type[0] === 'struct') {
    for (const [json, fieldType, flags] of type[2]) {
      if (flags & FIELD_INLINE) {
        const embedded = typeOf(fieldType)[0] === 'ptr' ? (typeOf(fieldType)[2] as number) : fieldType;
        for (const promoted of planOf(embedded).fields)
          if (!declared.has(promoted.json)) fields.push(promoted);
      } else fields.push({ json, type: fieldType, omitEmpty: (flags & FIELD_OMITEMPTY) !== 0 });
    }
  }
  plan = { fields, names: new Set(fields.map((field) => field.json)) };
  plans.set(id, plan);
  return plan;
}

/** `isEmptyValue` of the encoded value of a field of Go type `id`. */
function isEmpty(value: unknown, id: number): boolean {
  switch (typeOf(id)[0]) {
    case 'struct':
    case 'custom':
      return false;
    case 'ptr':
    case 'any':
      return value === null;
    case 'slice':
      return value === null || (Array.isArray(value) && value.length === 0);
    case 'map':
      return value === null || (isJsonObject(value) && Object.keys(value).length === 0);
    case 'bytes':
    case 'string':
      return value === null || value === '';
    case 'bool':
      return value === false;
    default:
      return value === 0;
  }
}

/** How to encode: `storage` reads the value back as protobuf storage gives it (an empty slice or map is nil). */
interface EncodeOptions {
  storage: boolean;
}

function encodeStruct(value: unknown, id: number, options: EncodeOptions): Json {
  const object = isJsonObject(value) ? value : {};
  const plan = planOf(id);
  const out: Json = {};
  for (const field of plan.fields) {
    let encoded = encodeValue(object[field.json], field.type, options);
    if (isEmpty(encoded, field.type)) {
      if (field.omitEmpty) continue;
      if (options.storage && encoded !== null && (type(field.type) === 'slice' || type(field.type) === 'map'))
        encoded = null;
    }
    out[field.json] = encoded;
  }
  for (const key of Object.keys(object)) if (!plan.names.has(key)) out[key] = object[key];
  return out;
}

/**
 * A value of Go type `id` as `json.Marshal` writes it; `undefined` and `null` stand for the zero value. A map's
 * keys come out sorted, as encoding/json sorts them.
 */
function encodeValue(value: unknown, id: number, options: EncodeOptions): unknown {
  const goType = typeOf(id);
  switch (goType[0]) {
    case 'struct':
      return encodeStruct(value, id, options);
    case 'ptr':
      return value === undefined || value === null ? null : encodeValue(value, goType[2], options);
    case 'slice':
      if (value === undefined || value === null) return null;
      return Array.isArray(value) ? value.map((item) => encodeValue(item, goType[2], options)) : value;
    case 'map': {
      if (value === undefined || value === null) return null;
      if (!isJsonObject(value)) return value;
      const out: Json = {};
      for (const key of Object.keys(value).sort(byBytes))
        out[key] = encodeValue(value[key], goType[2], options);
      return out;
    }
    case 'custom':
      return value === undefined || value === null ? goType[2] : value;
    case 'bytes':
    case 'any':
      return value ?? null;
    case 'string':
      return value ?? '';
    case 'bool':
      return value ?? false;
    default:
      return value ?? 0;
  }
}

/**
 * `obj` (a built-in kind's object, as decoded by `typed-decode.ts`) as Go's `encoding/json` writes it from its
 * Go struct, found by the object's own `apiVersion` and `kind`; a new object (sharing only the free-form parts).
 * An object of a kind outside the Go type table (a custom resource) comes back as it is. With `storage`, as
 * kube-apiserver reads it back from etcd, where built-in kinds are protobuf: an empty slice or map decodes as nil,
 * so a field without `omitempty` sent as `[]` or `{}` is written `null` (a CSINode's `drivers: []`).
 */
export function goEncodeObject<T extends object>(obj: T, options: { storage?: boolean } = {}): T {
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  const root = GO_TYPES.roots[`${String(apiVersion)} ${String(kind)}`];
  if (root === undefined) return obj;
  return encodeStruct(obj, root, { storage: options.storage ?? false }) as T;
}

/** Whether objects of `apiVersion` `kind` are encoded by `goEncodeObject` (a built-in kind in the Go type table). */
export function hasGoEncoding(apiVersion: string, kind: string): boolean {
  return GO_TYPES.roots[`${apiVersion} ${kind}`] !== undefined;
}
