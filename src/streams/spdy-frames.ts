import { constants, inflateSync } from 'node:zlib';
import { SPDY_HEADER_DICTIONARY } from './spdy-dictionary.js';

/**
 * SPDY/3.1 framing, as `github.com/moby/spdystream` (what client-go and the kubelet speak) reads and writes
 * it: control frames with a version of 3, data frames, and header blocks compressed with one zlib stream
 * per direction and the SPDY dictionary.
 * @see https://github.com/moby/spdystream/blob/v0.5.0/spdy/types.go
 * @see https://github.com/moby/spdystream/blob/v0.5.0/spdy/read.go
 * @see https://github.com/moby/spdystream/blob/v0.5.0/spdy/write.go
 */

/** Control frame types (`spdy/types.go`). */
export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** `FLAG_FIN` on data, SYN_STREAM and SYN_REPLY frames. */
export const FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const RstStatus = { protocolError: 1, refusedStream: 3, cancel: 5 } as const;

/** A frame as read from the peer. */
export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'control'; frameType: number; flags: number; payload: Buffer };

/** A SPDY header block: lower-case names, values as sent (several values are NUL-separated). */
export type SpdyHeaders = Map<string, string>;

/** Thrown on bytes that are not SPDY/3. */
export class SpdyProtocolError extends Error {}

/** Splits a byte stream into SPDY frames (8-byte header, 24-bit length). */
export class SpdyFrameParser {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the frames now complete. Throws `SpdyProtocolError`. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.buffered.length >= 8) {
      const b = this.buffered;
      const length = b.readUInt32BE(4) & 0xffffff;
      if (b.length < 8 + length) break;
      const flags = b[4]!;
      const payload = Buffer.from(b.subarray(8, 8 + length));
      if ((b[0]! & 0x80) !== 0) {
        const version = b.readUInt16BE(0) & 0x7fff;
        if (version !== 3) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push({ type: 'control', frameType: b.readUInt16BE(2), flags, payload });
      } else {
        frames.push({ type: 'data', streamId: b.readUInt32BE(0) & 0x7fffffff, flags, data: payload });
      }
      this.buffered = b.subarray(8 + length);
    }
    return frames;
  }
}

function controlFrame(frameType: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | 3, 0);
  header.writeUInt16BE(frameType, 2);
  header.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A data frame; `data` must be under 16 MiB. */
export function dataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([header, data]);
}

/** A SYN_REPLY frame for a stream, its header block already compressed. */
export function synReplyFrame(streamId: number, compressedHeaders: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff);
  return controlFrame(FrameType.synReply, fin ? FLAG_FIN : 0, Buffer.concat([id, compressedHeaders]));
}

/** A RST_STREAM frame. */
export function rstStreamFrame(streamId: number, status: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(streamId & 0x7fffffff, 0);
  payload.writeUInt32BE(status, 4);
  return controlFrame(FrameType.rstStream, 0, payload);
}

/** A PING frame (a reply echoes the peer's id). */
export function pingFrame(id: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(id >>> 0);
  return controlFrame(FrameType.ping, 0, payload);
}

/** A GOAWAY frame with status OK. */
export function goAwayFrame(lastGoodStreamId: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  return controlFrame(FrameType.goAway, 0, payload);
}

/** The uncompressed header block: a count, then length-prefixed names and values (32-bit lengths). */
export function encodeHeaderBlock(headers: Iterable<[string, string]>): Buffer {
  const entries = [...headers];
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Reads an uncompressed header block. Throws `SpdyProtocolError`. */
export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let offset = 0;
  const take = (n: number): Buffer => {
    if (offset + n > block.length) throw new SpdyProtocolError('truncated header block');
    const out = block.subarray(offset, offset + n);
    offset += n;
    return out;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString('utf8').toLowerCase();
    const value = take(take(4).readUInt32BE(0)).toString('utf8');
    headers.set(name, value);
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * The compressing side: one zlib stream for the whole connection, as SPDY requires. Each header block is
 * written as a stored (uncompressed) deflate block followed by the empty stored block of a sync flush, so the
 * stream is byte-aligned and flushed at each frame's end. The first block carries the zlib header naming
 * the dictionary (FDICT and its Adler-32), which Go's `zlib.NewReaderDict` checks.
 */
export class HeaderCompressor {
  private started = false;

  /** The bytes of one compressed header block. */
  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG 0xF9: level 3, FDICT, check bits making CMF·256+FLG ≡ 0 (mod 31).
      parts.push(Buffer.from([0x78, 0xf9]), u32(adler32(SPDY_HEADER_DICTIONARY)));
    }
    let offset = 0;
    do {
      const chunk = block.subarray(offset, offset + 0xffff);
      const stored = Buffer.alloc(5);
      stored[0] = 0x00; // BFINAL=0, BTYPE=00 (stored), then padding to the byte boundary
      stored.writeUInt16LE(chunk.length, 1);
      stored.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(stored, chunk);
      offset += 0xffff;
    } while (offset < block.length);
    // The empty stored block a sync flush ends with: Go's inflater hands out a stored block's bytes only
    // when it reaches the next block (or an empty one), which must be within the same frame.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/**
 * The decompressing side: the peer's header blocks form one zlib stream. Node has no synchronous streaming
 * inflate, so the stream so far is inflated again (with a sync flush) and the new output taken; header blocks
 * are small and few (a handful per exec, two per forwarded connection).
 */
export class HeaderDecompressor {
  private compressed: Buffer[] = [];
  private compressedBytes = 0;
  private produced = 0;

  /** The uncompressed bytes of the next header block. Throws `SpdyProtocolError`. */
  decompress(block: Buffer): Buffer {
    this.compressed.push(block);
    this.compressedBytes += block.length;
    if (this.compressedBytes > 16 * 1024 * 1024) throw new SpdyProtocolError('header stream too long');
    let all: Buffer;
    try {
      all = inflateSync(Buffer.concat(this.compressed), {
        dictionary: SPDY_HEADER_DICTIONARY,
        finishFlush: constants.Z_SYNC_FLUSH,
      });
    } catch (error) {
      throw new SpdyProtocolError(`invalid header block: ${(error as Error).message}`);
    }
    const out = all.subarray(this.produced);
    this.produced = all.length;
    return out;
  }
}
