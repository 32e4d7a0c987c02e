/**
 * Decoders of the Kubernetes messages that have their own JSON form, each giving what their `MarshalJSON`
 * writes (`undefined` for JSON null).
 */

import { ProtoError, readFields, type WireField } from './protobuf-wire.js';
import type { WellKnownType } from './protobuf-schema.js';

/** Reads the fields of a one-purpose message, checking each field's wire type as gogo does. */
function fieldsOf(data: Buffer, message: string, wires: Record<number, [goName: string, wire: number]>) {
  const fields = readFields(data, message, (no) => no in wires);
  for (const field of fields) {
    const [goName, wire] = wires[field.no]!;
    if (field.wire !== wire)
      throw new ProtoError(`proto: wrong wireType = ${field.wire} for field ${goName}`);
  }
  return fields;
}

function decodeTime(data: Buffer): string | undefined {
  // metav1.Time.Unmarshal: an empty message is the zero time (JSON null); nanos are dropped.
  if (data.length === 0) return undefined;
  let seconds = 0n;
  for (const field of fieldsOf(data, 'Timestamp', { 1: ['Seconds', 0], 2: ['Nanos', 0] })) {
    if (field.no === 1) seconds = BigInt.asIntN(64, field.varint!);
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtoError(`proto: Time: seconds ${seconds} out of range`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `MicroTime.Unmarshal`: seconds and nanoseconds, truncated to microseconds, as `RFC3339Micro` in UTC. */
function decodeMicroTime(data: Buffer): string | undefined {
  if (data.length === 0) return undefined;
  let seconds = 0n;
  let nanos = 0n;
  for (const field of fieldsOf(data, 'Timestamp', { 1: ['Seconds', 0], 2: ['Nanos', 0] })) {
    if (field.no === 1) seconds = BigInt.asIntN(64, field.varint!);
    else nanos = BigInt.asIntN(32, field.varint!);
  }
  const micros = seconds * 1_000_000n + nanos / 1000n; // BigInt division truncates toward zero, as Go's Truncate
  const wholeSeconds = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  const date = new Date(Number(wholeSeconds) * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtoError(`proto: Time: seconds ${seconds} out of range`);
  const fraction = String(micros - wholeSeconds * 1_000_000n).padStart(6, '0');
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}

/** JSON text carried in a bytes field (`FieldsV1.Raw`, `RawExtension.Raw`), parsed. */
function decodeRawJson(data: Buffer, message: string): unknown {
  let raw: Buffer | undefined;
  for (const field of fieldsOf(data, message, { 1: ['Raw', 2] })) raw = field.bytes;
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProtoError(`proto: ${message}: Raw is not valid JSON`);
  }
}

const DURATION_UNITS: [string, bigint][] = [
  ['h', 3_600_000_000_000n],
  ['m', 60_000_000_000n],
];

/**
 * Go's `time.Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`.
 * @see https://github.com/golang/go/blob/master/src/time/time.go
 */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  let rest = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  const fraction = (value: bigint, scale: bigint, digits: number) => {
    const whole = value / scale;
    const frac = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
    return frac ? `${whole}.${frac}` : `${whole}`;
  };
  if (rest < 1_000n) return `${sign}${rest}ns`;
  if (rest < 1_000_000n) return `${sign}${fraction(rest, 1_000n, 3)}µs`;
  if (rest < 1_000_000_000n) return `${sign}${fraction(rest, 1_000_000n, 6)}ms`;
  let text = '';
  for (const [unit, size] of DURATION_UNITS) {
    if (rest >= size || text) {
      text += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  return `${sign}${text}${fraction(rest, 1_000_000_000n, 9)}s`;
}

function decodeDuration(data: Buffer): string {
  let nanoseconds = 0n;
  for (const field of fieldsOf(data, 'Duration', { 1: ['Duration', 0] })) {
    nanoseconds = BigInt.asIntN(64, field.varint!);
  }
  return formatGoDuration(nanoseconds);
}

// resource.ParseQuantity's grammar; the string on the wire is already canonical (Quantity.Marshal writes String()).
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([eE][+-]?\d+)|[KMGTPE]i|[numkMGTPE])?$/;

function decodeQuantity(data: Buffer): string {
  let value = '0';
  for (const field of fieldsOf(data, 'Quantity', { 1: ['String_', 2] })) {
    value = field.bytes!.toString('utf8');
    // ErrFormatWrong, as ParseQuantity answers.
    if (!QUANTITY.test(value)) {
      throw new ProtoError(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      );
    }
  }
  return value;
}

/** `IntOrString.MarshalJSON`: the int for type 0, the string for type 1. */
function decodeIntOrString(data: Buffer): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  const wires: Record<number, [string, number]> = { 1: ['Type', 0], 2: ['IntVal', 0], 3: ['StrVal', 2] };
  for (const field of fieldsOf(data, 'IntOrString', wires)) {
    if (field.no === 1) type = BigInt.asIntN(64, field.varint!);
    else if (field.no === 2) intVal = Number(BigInt.asIntN(32, field.varint!));
    else strVal = field.bytes!.toString('utf8');
  }
  if (type === 0n) return intVal;
  if (type === 1n) return strVal;
  throw new ProtoError('impossible IntOrString.Type');
}

/** The JSON value of one wire occurrence of a well-known message (`undefined` for JSON null). */
export function decodeWellKnown(type: WellKnownType, field: WireField): unknown {
  const data = field.bytes!;
  switch (type) {
    case 'time':
      return decodeTime(data);
    case 'microTime':
      return decodeMicroTime(data);
    case 'fieldsV1':
      return decodeRawJson(data, 'FieldsV1');
    case 'rawExtension':
      return decodeRawJson(data, 'RawExtension');
    case 'duration':
      return decodeDuration(data);
    case 'quantity':
      return decodeQuantity(data);
    case 'intOrString':
      return decodeIntOrString(data);
  }
}

/** What a non-pointer field of a well-known type writes when it was not on the wire. */
export function wellKnownZero(type: WellKnownType): unknown {
  return decodeWellKnown(type, { no: 0, wire: 2, bytes: Buffer.alloc(0) });
}

/** Whether a type name is one of the well-known messages. */
export function isWellKnown(type: string): type is WellKnownType {
  return ['time', 'microTime', 'fieldsV1', 'duration', 'quantity', 'intOrString', 'rawExtension'].includes(
    type,
  );
}
