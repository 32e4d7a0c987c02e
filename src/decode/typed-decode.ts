/**
 * A decoded JSON body read as kube-apiserver reads it: into the kind's Go structs, with `encoding/json`'s rules
 * (`sigs.k8s.io/json`, case-sensitive). A value of the wrong JSON type is an error worded as Go words it
 * (`json: cannot unmarshal string into Go struct field PolicyRule.rules.resourceNames of type []string`); the
 * first such error in document order is reported, unless a type with its own `UnmarshalJSON` (times,
 * quantities, int-or-strings, JSON schemas) fails first, which stops decoding at once. `null` is the zero value:
 * a field set to null is dropped, a null list item or map value becomes its type's zero value. Times are
 * re-encoded in UTC and numeric quantities become strings, as the objects' `MarshalJSON` writes them. Unknown
 * fields are left for `api/field-validation.ts`, which drops and reports them.
 * @see https://github.com/kubernetes-sigs/json/blob/main/internal/golang/encoding/json/decode.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go
 */
import { isJsonObject } from '../json/json-object.js';
import { goBase64Error } from './go-base64.js';
import { goQuantityError, QUANTITY_FORMAT_WRONG } from './go-quantity.js';
import { parseGoTime, RFC3339, RFC3339_MICRO } from './go-time.js';
import { FIELD_INLINE, type GoKind, type GoType } from './go-type.js';
import { GO_TYPES } from './go-types.generated.js';

type Json = Record<string, unknown>;

/** An error `encoding/json` or a type's `UnmarshalJSON` returns; `message` is its Go text. */
export class GoDecodeError extends Error {}

/** `*json.UnmarshalTypeError` before and after `addErrorContext`. */
interface TypeError {
  value: string;
  type: string;
  struct?: string;
  field?: string;
}

type DecodeError = { type: TypeError } | { plain: string };

/** Thrown through the walk when a type's `UnmarshalJSON` fails: decoding stops there. */
class Abort {
  constructor(readonly error: DecodeError) {}
}

/** `d.errorContext`: the struct whose field is being decoded, and the JSON names from the root to it. */
interface Walk {
  struct: string;
  path: string[];
  saved?: DecodeError;
}

const INT_RANGES: Partial<Record<GoKind, [bigint, bigint]>> = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  uint: [0n, 2n ** 64n - 1n],
};

const typeOf = (id: number): GoType => GO_TYPES.types[id]!;

/** The JSON kind words of `UnmarshalTypeError.Value`. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (isJsonObject(value)) return 'object';
  return typeof value; // string, number
}

/** `UnmarshalTypeError.Error()`. */
function typeErrorText(error: TypeError): string {
  const target = error.struct !== undefined ? `Go struct field ${error.struct}.${error.field}` : 'Go value';
  return `json: cannot unmarshal ${error.value} into ${target} of type ${error.type}`;
}

function errorText(error: DecodeError): string {
  return 'plain' in error ? error.plain : typeErrorText(error.type);
}

/** `addErrorContext`: a type error takes the struct and field path being decoded where it surfaced. */
function withContext(error: DecodeError, walk: Walk): DecodeError {
  if (!('type' in error) || (walk.struct === '' && walk.path.length === 0)) return error;
  return { type: { ...error.type, struct: walk.struct, field: walk.path.join('.') } };
}

function saveError(walk: Walk, error: DecodeError): void {
  walk.saved ??= withContext(error, walk);
}

const mismatch = (value: unknown, type: string, text = jsonKind(value)): DecodeError => ({
  type: { value: text, type },
});

const fieldTables = new Map<number, Map<string, number>>();

/** A struct's JSON fields, those of embedded inline structs promoted unless the struct declares them itself. */
function fieldsOf(id: number): Map<string, number> {
  const cached = fieldTables.get(id);
  if (cached) return cached;
  const table = new Map<string, number>();
  fieldTables.set(id, table);
  const type = typeOf(id);
  if (type[0] !== 'struct') return table;
  for (const [json, fieldType, flags] of type[2]) if (!(flags & FIELD_INLINE)) table.set(json, fieldType);
  for (const [, fieldType, flags] of type[2]) {
    if (!(flags & FIELD_INLINE)) continue;
    const embedded = typeOf(fieldType)[0] === 'ptr' ? (typeOf(fieldType)[2] as number) : fieldType;
    for (const [json, promoted] of fieldsOf(embedded)) if (!table.has(json)) table.set(json, promoted);
  }
  return table;
}

/** What a JSON null decodes to as a list item or map value: the element type's zero value. */
function zeroOf(id: number): unknown {
  const [kind, name] = typeOf(id);
  if (kind === 'struct') return {};
  if (kind === 'string') return '';
  if (kind === 'bool') return false;
  if (kind in INT_RANGES || kind === 'float32' || kind === 'float64') return 0;
  if (name === 'resource.Quantity') return '0';
  if (name === 'intstr.IntOrString') return 0;
  return null;
}

/** `Struct.Name()`: the type name without its package (`v1.ObjectMeta` -> `ObjectMeta`). */
const structName = (goName: string): string => goName.slice(goName.lastIndexOf('.') + 1);

/** Decodes `value` as type `id`, returning what it decodes to (the same value, or its canonical form). */
function decodeValue(value: unknown, id: number, walk: Walk): unknown {
  const type = typeOf(id);
  const [kind, name] = type;
  switch (kind) {
    case 'ptr':
      return decodeValue(value, type[2] as number, walk);
    case 'struct':
      if (!isJsonObject(value)) saveError(walk, mismatch(value, name));
      else decodeStruct(value, id, walk);
      return value;
    case 'slice':
      if (!Array.isArray(value)) saveError(walk, mismatch(value, name));
      else decodeItems(value, type[2] as number, walk);
      return value;
    case 'map':
      if (!isJsonObject(value)) saveError(walk, mismatch(value, name));
      else decodeMapValues(value, type[2] as number, walk);
      return value;
    case 'bytes':
      return decodeBytes(value, name, walk);
    case 'string':
      if (typeof value !== 'string') saveError(walk, mismatch(value, name));
      return value;
    case 'bool':
      if (typeof value !== 'boolean') saveError(walk, mismatch(value, name));
      return value;
    case 'float32':
    case 'float64':
      if (typeof value !== 'number') saveError(walk, mismatch(value, name));
      return value;
    case 'any':
      return value;
    case 'custom':
      return decodeCustom(value, name, walk);
    default: {
      const error = integerError(value, kind, name);
      if (error) saveError(walk, error);
      return value;
    }
  }
}

/** Whether a JSON value fits an integer type: a number without fraction, in range (`number 1.5` otherwise). */
function integerError(value: unknown, kind: GoKind, name: string): DecodeError | undefined {
  if (typeof value !== 'number') return mismatch(value, name);
  const [min, max] = INT_RANGES[kind]!;
  if (!Number.isInteger(value) || BigInt(value) < min || BigInt(value) > max) {
    return mismatch(value, name, `number ${String(value)}`);
  }
  return undefined;
}

function decodeStruct(value: Json, id: number, walk: Walk): void {
  const fields = fieldsOf(id);
  const outerStruct = walk.struct;
  for (const key of Object.keys(value)) {
    const fieldType = fields.get(key);
    if (fieldType === undefined) continue;
    const child = value[key];
    if (child === null) {
      delete value[key];
      continue;
    }
    walk.struct = structName(typeOf(id)[1]);
    walk.path.push(key);
    const decoded = decodeValue(child, fieldType, walk);
    walk.path.pop();
    walk.struct = outerStruct;
    if (decoded === undefined) delete value[key];
    else value[key] = decoded;
  }
}

function decodeItems(items: unknown[], elem: number, walk: Walk): void {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    items[i] = item === null ? zeroOf(elem) : (decodeValue(item, elem, walk) ?? zeroOf(elem));
  }
}

function decodeMapValues(map: Json, elem: number, walk: Walk): void {
  for (const key of Object.keys(map)) {
    const item = map[key];
    map[key] = item === null ? zeroOf(elem) : (decodeValue(item, elem, walk) ?? zeroOf(elem));
  }
}

/** `[]byte`: a base64 string (or, as Go also takes, a list of byte values, kept as base64). */
function decodeBytes(value: unknown, name: string, walk: Walk): unknown {
  if (typeof value === 'string') {
    const error = goBase64Error(value);
    if (error) saveError(walk, { plain: error });
    return value;
  }
  if (Array.isArray(value)) {
    const bytes: number[] = [];
    for (const item of value) {
      const error = item === null ? undefined : integerError(item, 'uint8', 'uint8');
      if (error) saveError(walk, error);
      else bytes.push(item === null ? 0 : (item as number));
    }
    return Buffer.from(bytes).toString('base64');
  }
  saveError(walk, mismatch(value, name));
  return value;
}

/** The number of the named type in the table (the JSON schema types a custom decoder recurses into). */
function typeNamed(name: string): number {
  const id = GO_TYPES.types.findIndex(([, n]) => n === name);
  if (id < 0) throw new Error(`no Go type ${name} in the generated table`);
  return id;
}

const lazyIds = new Map<string, number>();
const idOf = (name: string): number => {
  let id = lazyIds.get(name);
  if (id === undefined) lazyIds.set(name, (id = typeNamed(name)));
  return id;
};

/**
 * A nested `json.Unmarshal` inside an `UnmarshalJSON` (the JSON schema unions): a fresh decode whose first
 * error stops the outer one, taking the outer field's context as `addErrorContext` gives it.
 */
function decodeNested(value: unknown, id: number, walk: Walk): unknown {
  const inner: Walk = { struct: '', path: [] };
  const decoded = decodeValue(value, id, inner);
  if (inner.saved) throw new Abort(withContext(stripContext(inner.saved), walk));
  return decoded;
}

function stripContext(error: DecodeError): DecodeError {
  return 'type' in error ? { type: { value: error.type.value, type: error.type.type } } : error;
}

/** The types with their own `UnmarshalJSON`, each as its method decodes. */
function decodeCustom(value: unknown, name: string, walk: Walk): unknown {
  const abort = (error: DecodeError): never => {
    throw new Abort(withContext(error, walk));
  };
  switch (name) {
    case 'v1.Time':
    case 'v1.MicroTime': {
      if (typeof value !== 'string') return abort(mismatch(value, 'string'));
      const parsed = parseGoTime(value, name === 'v1.Time' ? RFC3339 : RFC3339_MICRO);
      return parsed.ok ? parsed.value : abort({ plain: parsed.error });
    }
    case 'resource.Quantity': {
      if (typeof value !== 'string' && typeof value !== 'number')
        return abort({ plain: QUANTITY_FORMAT_WRONG });
      const text = String(value);
      const error = goQuantityError(text);
      return error ? abort({ plain: error }) : text;
    }
    case 'intstr.IntOrString': {
      if (typeof value === 'string') return value;
      const error = integerError(value, 'int32', 'int32');
      return error ? abort(error) : value;
    }
    case 'v1.JSONSchemaPropsOrBool':
      if (typeof value === 'boolean') return value;
      if (isJsonObject(value)) return decodeNested(value, idOf('v1.JSONSchemaProps'), walk);
      return abort({ plain: 'boolean or JSON schema expected' });
    case 'v1.JSONSchemaPropsOrArray':
      if (isJsonObject(value)) return decodeNested(value, idOf('v1.JSONSchemaProps'), walk);
      if (Array.isArray(value)) return decodeNested(value, idOf('[]v1.JSONSchemaProps'), walk);
      return undefined;
    case 'v1.JSONSchemaPropsOrStringArray':
      if (isJsonObject(value)) return decodeNested(value, idOf('v1.JSONSchemaProps'), walk);
      if (Array.isArray(value)) return decodeNested(value, idOf('[]string'), walk);
      return undefined;
    default:
      // runtime.RawExtension, FieldsV1 and apiextensions' JSON keep any JSON as it is.
      return value;
  }
}

/** The root type of a kind by its `apiVersion` and `kind`; none for kinds the table does not hold (CRs). */
export function goTypeOf(apiVersion: string, kind: string): number | undefined {
  return GO_TYPES.roots[`${apiVersion} ${kind}`];
}

/**
 * Decodes `obj` in place as `encoding/json` decodes it into the Go type `root`, and throws a
 * {@link GoDecodeError} with Go's text for the first value of the wrong type.
 */
export function decodeIntoGoType(obj: Json, root: number): void {
  const walk: Walk = { struct: '', path: [] };
  try {
    decodeStruct(obj, root, walk);
  } catch (error) {
    if (error instanceof Abort) throw new GoDecodeError(errorText(error.error));
    throw error;
  }
  if (walk.saved) throw new GoDecodeError(errorText(walk.saved));
}

/**
 * `DefaultMetaFactory.Interpret`: the body's `apiVersion` and `kind` must be strings before anything else is
 * read (`couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field
 * .kind of type string`); null counts as absent.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/meta.go
 */
export function typeMetaError(obj: Json): string | undefined {
  for (const key of Object.keys(obj)) {
    if (key !== 'apiVersion' && key !== 'kind') continue;
    const value = obj[key];
    if (value === null || value === undefined || typeof value === 'string') continue;
    const error = typeErrorText({ value: jsonKind(value), type: 'string', struct: '', field: key });
    return `couldn't get version/kind; json parse error: ${error}`;
  }
  return undefined;
}
