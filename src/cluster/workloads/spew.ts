/**
 * go-spew's `%#v` over a JSON object read as a Go value of a known type, as apimachinery's `dump.ForHash`
 * prints it (`DisableMethods`, `DisablePointerAddresses`, `SortKeys`): the text the deployment controller's
 * pod-template-hash and the StatefulSet and DaemonSet ControllerRevision hashes are computed from. The value is
 * read as the controllers' informers decode it from protobuf: an absent or empty list or map is nil.
 * @see https://github.com/davecgh/go-spew/blob/v1.1.1/spew/format.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/dump/dump.go
 */

/** A struct field as the generator reads it: Go name, JSON name, type number, 1 when `omitempty`. */
export type SpewField = [goName: string, json: string, type: number, omitEmpty: number];

/** One Go type: its kind, its name as `reflect.Type.String()` prints it, then fields or the element type. */
export type SpewType =
  | [kind: 'struct', name: string, fields: SpewField[]]
  | [kind: 'ptr' | 'slice' | 'map', name: string, elem: number]
  | [kind: string, name: string];

/** A generated table of Go types (`scripts/go-types`, `go run . spew`) and the root type's number. */
export interface SpewTable {
  root: number;
  types: SpewType[];
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `resource.Quantity` as `ParseQuantity` builds it, for the int64 fast path (every quantity a pod template
 * usually holds); an inf.Dec quantity (beyond int64 precision) is printed with a nil Dec, a stated deviation.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go
 */
function quantityFields(text: string): { value: bigint; scale: number; s: string; format: string } {
  if (text === '0') return { value: 0n, scale: 0, s: '0', format: 'DecimalSI' };
  const match = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text);
  const positive = match?.[1] !== '-';
  const num = match?.[2] || '0';
  const denom = match?.[3] ?? '';
  const suffix = match?.[4] ?? '';
  const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
  const decimal: Record<string, number> = {
    n: -9,
    u: -6,
    m: -3,
    '': 0,
    k: 3,
    M: 6,
    G: 9,
    T: 12,
    P: 15,
    E: 18,
  };
  let format: string;
  let exponent: number;
  if (suffix in decimal) [format, exponent] = ['DecimalSI', decimal[suffix]!];
  else if (suffix in binary) [format, exponent] = ['BinarySI', binary[suffix]!];
  else [format, exponent] = ['DecimalExponent', Number.parseInt(suffix.slice(1), 10)];
  let scale = 0;
  let mantissa = 1n;
  let precision: number;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc(Math.fround((exponent * 3) / 10)) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = num + denom;
      const value = BigInt(shifted);
      const result = value * mantissa;
      if (result <= 0x7fffffffffffffffn) {
        const signed = positive ? result : -result;
        const canonical =
          format === 'BinarySI'
            ? exponent % 10 === 0 && (value & 7n) !== 0n
            : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return { value: signed, scale, s: canonical ? text : '', format };
      }
    }
  }
  return { value: 0n, scale: 0, s: '', format };
}

function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (value !== 0n && value % base === 0n) {
    value /= base;
    times++;
  }
  return [value, times];
}

/**
 * A quantity's canonical text (`Quantity.String()`), what protobuf carries: the controllers' informers see
 * quantities re-parsed from it (`0.5` is `500m` to them).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (CanonicalizeBytes)
 */
export function canonicalQuantity(text: string): string {
  const q = quantityFields(text);
  if (q.value === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI' && q.value > -1024n && q.value < 1024n && q.scale === 0) format = 'DecimalSI';
  if (format === 'BinarySI') {
    const [amount, exponent] = removeFactors(q.value, 1024n);
    return `${amount}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][exponent] ?? ''}`;
  }
  const [unscaled, times] = removeFactors(q.value, 10n);
  let amount = unscaled;
  let exponent = q.scale + times;
  const remainder = ((exponent % 3) + 3) % 3;
  if (remainder === 1) [amount, exponent] = [amount * 10n, exponent - 1];
  if (remainder === 2) [amount, exponent] = [amount * 100n, exponent - 2];
  if (format === 'DecimalExponent') return `${amount}${exponent === 0 ? '' : `e${exponent}`}`;
  const suffixes: Record<number, string> = {
    [-9]: 'n',
    [-6]: 'u',
    [-3]: 'm',
    0: '',
    3: 'k',
    6: 'M',
    9: 'G',
    12: 'T',
    15: 'P',
    18: 'E',
  };
  return `${amount}${suffixes[exponent] ?? `e${exponent}`}`;
}

/** Prints values of a table's types as spew's `%#v` does. */
export class SpewPrinter {
  readonly #types: SpewType[];

  constructor(table: SpewTable) {
    this.#types = table.types;
  }

  /** The `%#v` text of `value` read as the type numbered `type`. */
  print(value: Json, type: number, showType = true): string {
    const entry = this.#types[type]!;
    const [kind, name] = entry;
    const prefix = showType ? `(${name})` : '';
    switch (kind) {
      case 'ptr': {
        const elem = entry[2] as number;
        if (value === undefined || value === null) return showType ? `(${name})<nil>` : '<nil>';
        return `${showType ? `(${name})` : '<*>'}${this.print(value, elem, false)}`;
      }
      case 'struct': {
        const fields = entry[2] as SpewField[];
        const object = isObject(value) ? value : {};
        const printed = fields.map(([goName, json, fieldType]) => {
          // An embedded struct with no JSON name (TypeMeta, ObjectMeta inline) reads the same object.
          const fieldValue = json === '' ? object : object[json];
          return `${goName}:${this.print(fieldValue, fieldType)}`;
        });
        return `${prefix}{${printed.join(' ')}}`;
      }
      case 'slice': {
        const elem = entry[2] as number;
        if (!Array.isArray(value) || value.length === 0) return `${prefix}<nil>`;
        return `${prefix}[${value.map((item) => this.print(item, elem, false)).join(' ')}]`;
      }
      case 'map': {
        const elem = entry[2] as number;
        if (!isObject(value) || Object.keys(value).length === 0) return `${prefix}<nil>`;
        const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return `${prefix}map[${keys.map((key) => `${key}:${this.print(value[key], elem, false)}`).join(' ')}]`;
      }
      case 'string':
        return `${prefix}${typeof value === 'string' ? value : ''}`;
      case 'bool':
        return `${prefix}${value === true}`;
      case 'quantity': {
        const q = quantityFields(canonicalQuantity(String(value ?? '0')));
        return (
          `${prefix}{i:(resource.int64Amount){value:(int64)${q.value} scale:(resource.Scale)${q.scale}} ` +
          `d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)${q.s} Format:(resource.Format)${q.format}}`
        );
      }
      case 'time':
        // Only the zero time: a pod template's timestamps are null.
        return `${prefix}{Time:(time.Time){wall:(uint64)0 ext:(int64)0 loc:(*time.Location)<nil>}}`;
      case 'intOrString': {
        const isString = typeof value === 'string';
        return (
          `${prefix}{Type:(intstr.Type)${isString ? 1 : 0} IntVal:(int32)${isString ? 0 : Number(value ?? 0)} ` +
          `StrVal:(string)${isString ? value : ''}}`
        );
      }
      default:
        if (/^u?int/.test(kind)) return `${prefix}${typeof value === 'number' ? value : Number(value ?? 0)}`;
        if (kind.startsWith('float')) return `${prefix}${typeof value === 'number' ? value : 0}`;
        throw new Error(`spew: no printer for Go kind ${kind} (${name})`);
    }
  }
}
