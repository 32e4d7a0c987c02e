/**
 * The protobuf wire format as gogo-protobuf's generated `Unmarshal` methods read it, with their error texts.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/api/core/v1/generated.pb.go
 */

/** An error with the text gogo-protobuf's generated `Unmarshal` methods would return. */
export class ProtoError extends Error {}

/** gogo's `io.ErrUnexpectedEOF` text. */
export const UNEXPECTED_EOF = 'unexpected EOF';
const INVALID_LENGTH = 'proto: negative length found during unmarshaling';
const INT_OVERFLOW = 'proto: integer overflow';

/** One occurrence of a field on the wire: a varint or length-delimited bytes (other wire types carry no value). */
export interface WireField {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

/** Reads a base-128 varint at `pos`: its value as an unsigned 64-bit integer and the position after it. */
export function readVarint(data: Buffer, pos: number): [bigint, number] {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (shift >= 64n) throw new ProtoError(INT_OVERFLOW);
    if (pos >= data.length) throw new ProtoError(UNEXPECTED_EOF);
    const b = data[pos++]!;
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asUintN(64, value), pos];
  }
}

/** Reads a length prefix at `pos` and checks the bytes it announces are there. */
export function readLength(data: Buffer, pos: number): [number, number] {
  const [raw, next] = readVarint(data, pos);
  const length = BigInt.asIntN(64, raw);
  if (length < 0n) throw new ProtoError(INVALID_LENGTH);
  if (BigInt(next) + length > BigInt(data.length)) throw new ProtoError(UNEXPECTED_EOF);
  return [Number(length), next];
}

/** Port of `skipGenerated`: the length of the unknown field starting at `pos`, groups included. */
function skipField(data: Buffer, start: number): number {
  let pos = start;
  let depth = 0;
  while (pos < data.length) {
    const [tag, afterTag] = readVarint(data, pos);
    pos = afterTag;
    const wire = Number(tag & 7n);
    switch (wire) {
      case 0:
        pos = readVarint(data, pos)[1];
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const [raw, next] = readVarint(data, pos);
        const length = BigInt.asIntN(64, raw);
        if (length < 0n) throw new ProtoError(INVALID_LENGTH);
        pos = next + Number(length);
        break;
      }
      case 3:
        depth++;
        break;
      case 4:
        if (depth === 0) throw new ProtoError('proto: unexpected end of group');
        depth--;
        break;
      case 5:
        pos += 4;
        break;
      default:
        throw new ProtoError(`proto: illegal wireType ${wire}`);
    }
    if (depth === 0) {
      if (pos > data.length) throw new ProtoError(UNEXPECTED_EOF);
      return pos;
    }
  }
  throw new ProtoError(UNEXPECTED_EOF);
}

/** Splits a message into fields, checking what gogo checks; `known` decides which fields are skipped. */
export function readFields(data: Buffer, messageName: string, known: (no: number) => boolean): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < data.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(data, pos);
    pos = afterTag;
    const no = Number(BigInt.asIntN(32, tag >> 3n));
    const wire = Number(tag & 7n);
    if (wire === 4) throw new ProtoError(`proto: ${messageName}: wiretype end group for non-group`);
    if (no <= 0) throw new ProtoError(`proto: ${messageName}: illegal tag ${no} (wire type ${tag})`);
    if (!known(no)) {
      pos = skipField(data, start);
      continue;
    }
    if (wire === 0) {
      const [value, next] = readVarint(data, pos);
      fields.push({ no, wire, varint: value });
      pos = next;
    } else if (wire === 2) {
      const [length, next] = readLength(data, pos);
      fields.push({ no, wire, bytes: data.subarray(next, next + length) });
      pos = next + length;
    } else {
      // No mapped field uses another wire type: stop here so the caller reports the mismatch, as gogo does.
      fields.push({ no, wire });
      return fields;
    }
  }
  return fields;
}
