import { describe, expect, it } from 'vitest';
import { decodeWellKnown, formatGoDuration, wellKnownZero } from './protobuf-well-known.js';
import { ProtoError } from './protobuf-wire.js';
import type { WellKnownType } from './protobuf-schema.js';

const varint = (value: bigint): number[] => {
  const out: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest > 0n ? byte | 0x80 : byte);
  } while (rest > 0n);
  return out;
};
const intField = (no: number, value: bigint) => [no << 3, ...varint(value)];
const bytesField = (no: number, text: string) => {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [(no << 3) | 2, ...varint(BigInt(bytes.length)), ...bytes];
};
const decode = (type: WellKnownType, ...fields: number[][]) =>
  decodeWellKnown(type, { no: 1, wire: 2, bytes: Buffer.from(fields.flat()) });

describe('formatGoDuration (time.Duration.String)', () => {
  it.each([
    [0n, '0s'],
    [1n, '1ns'],
    [1_500n, '1.5µs'],
    [1_500_000n, '1.5ms'],
    [1_000_000_000n, '1s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_723_500_000_000n, '1h2m3.5s'],
    [-5_000_000_000n, '-5s'],
  ])('%s ns is %s', (nanoseconds, text) => {
    expect(formatGoDuration(nanoseconds)).toBe(text);
  });
});

describe('decodeWellKnown', () => {
  it('decodes metav1.Duration as its Go duration string, "0s" when empty', () => {
    expect(decode('duration', intField(1, 300_000_000_000n))).toBe('5m0s');
    expect(wellKnownZero('duration')).toBe('0s');
  });

  it('decodes resource.Quantity as its string, "0" when absent, and rejects what ParseQuantity rejects', () => {
    expect(decode('quantity', bytesField(1, '500m'))).toBe('500m');
    expect(decode('quantity', bytesField(1, '1Gi'))).toBe('1Gi');
    expect(wellKnownZero('quantity')).toBe('0');
    expect(() => decode('quantity', bytesField(1, '2 cpus'))).toThrow(ProtoError);
    expect(() => decode('quantity', intField(1, 2n))).toThrow('proto: wrong wireType = 0 for field String_');
  });

  it('decodes intstr.IntOrString as a JSON number or string by its type', () => {
    expect(decode('intOrString', intField(1, 0n), intField(2, 8080n))).toBe(8080);
    expect(decode('intOrString', intField(1, 1n), bytesField(3, 'http'))).toBe('http');
    expect(decode('intOrString', intField(2, -1n))).toBe(-1);
    expect(wellKnownZero('intOrString')).toBe(0);
    expect(() => decode('intOrString', intField(1, 2n))).toThrow('impossible IntOrString.Type');
  });

  it('decodes runtime.RawExtension as the JSON it carries, null when empty', () => {
    expect(decode('rawExtension', bytesField(1, '{"a":[1,"b"]}'))).toEqual({ a: [1, 'b'] });
    expect(wellKnownZero('rawExtension')).toBeUndefined();
    expect(() => decode('rawExtension', bytesField(1, '{nope'))).toThrow(
      'proto: RawExtension: Raw is not valid JSON',
    );
  });

  it('keeps Time, MicroTime and FieldsV1 as before', () => {
    expect(decode('time', intField(1, 86_400n), intField(2, 5n))).toBe('1970-01-02T00:00:00Z');
    expect(decode('microTime', intField(1, 1n), intField(2, 1_234_567n))).toBe('1970-01-01T00:00:01.001234Z');
    expect(decode('fieldsV1', bytesField(1, '{"f:data":{}}'))).toEqual({ 'f:data': {} });
    expect(wellKnownZero('time')).toBeUndefined();
  });
});
