import { constants, createDeflate, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  HeaderCompressor,
  HeaderDecompressor,
  SpdyFrameParser,
  synReplyFrame,
} from './spdy-frames.js';
import { SPDY_HEADER_DICTIONARY } from './spdy-dictionary.js';

/** What Go's zlib writer with the dictionary and a Flush per header block produces, one block at a time. */
async function goStyleCompress(blocks: Buffer[]): Promise<Buffer[]> {
  const deflate = createDeflate({ dictionary: SPDY_HEADER_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  for (const block of blocks) {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): number => chunks.push(chunk);
    deflate.on('data', onData);
    deflate.write(block);
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    deflate.off('data', onData);
    out.push(Buffer.concat(chunks));
  }
  return out;
}

describe('SPDY header blocks', () => {
  it('round-trips names (lower-cased) and values', () => {
    const block = encodeHeaderBlock([
      ['streamType', 'error'],
      ['port', '8080'],
    ]);
    expect([...decodeHeaderBlock(block)]).toEqual([
      ['streamtype', 'error'],
      ['port', '8080'],
    ]);
  });

  it('compresses as one zlib stream with the SPDY dictionary, flushed at each block', () => {
    const compressor = new HeaderCompressor();
    const blocks = [encodeHeaderBlock([]), encodeHeaderBlock([['a', 'b']]), encodeHeaderBlock([])];
    const stream = Buffer.concat(blocks.map((b) => compressor.compress(b)));
    // The zlib header names the dictionary (FDICT) and is valid (CMF·256+FLG ≡ 0 mod 31).
    expect(stream[0]).toBe(0x78);
    expect((stream[1]! & 0x20) !== 0).toBe(true);
    expect((stream[0]! * 256 + stream[1]!) % 31).toBe(0);
    const inflated = inflateSync(stream, {
      dictionary: SPDY_HEADER_DICTIONARY,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(inflated).toEqual(Buffer.concat(blocks));
    // Each block ends with the empty stored block of a sync flush, which Go's inflater needs to hand out data.
    expect([...compressor.compress(Buffer.alloc(0)).subarray(-5)]).toEqual([0, 0, 0, 0xff, 0xff]);
  });

  it('decompresses a peer stream block by block', async () => {
    const blocks = [
      encodeHeaderBlock([['streamtype', 'error']]),
      encodeHeaderBlock([['streamtype', 'stdout']]),
      encodeHeaderBlock([
        ['streamtype', 'data'],
        ['port', '80'],
        ['requestid', '0'],
      ]),
    ];
    const compressed = await goStyleCompress(blocks);
    const decompressor = new HeaderDecompressor();
    for (const [i, block] of compressed.entries()) expect(decompressor.decompress(block)).toEqual(blocks[i]);
  });
});

describe('SpdyFrameParser', () => {
  it('splits frames however the bytes arrive', () => {
    const bytes = Buffer.concat([
      dataFrame(1, Buffer.from('hello'), false),
      synReplyFrame(3, Buffer.from([1, 2, 3])),
      dataFrame(5, Buffer.alloc(0), true),
    ]);
    const parser = new SpdyFrameParser();
    const frames = [...bytes].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect(frames).toEqual([
      { type: 'data', streamId: 1, flags: 0, data: Buffer.from('hello') },
      { type: 'control', frameType: 2, flags: 0, payload: Buffer.from([0, 0, 0, 3, 1, 2, 3]) },
      { type: 'data', streamId: 5, flags: 1, data: Buffer.alloc(0) },
    ]);
  });

  it('refuses a version other than 3', () => {
    const frame = synReplyFrame(1, Buffer.alloc(0));
    frame.writeUInt16BE(0x8002, 0);
    expect(() => new SpdyFrameParser().push(frame)).toThrow('unsupported SPDY version 2');
  });
});
