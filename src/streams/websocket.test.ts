import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  acceptKey,
  encodeFrame,
  FrameParser,
  handshakeResponse,
  offeredProtocols,
  Opcode,
  WebSocketConnection,
  WebSocketProtocolError,
} from './websocket.js';

function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i % 4]!;
  const length = payload.length;
  const head =
    length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | length])
      : length < 0x10000
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : (() => {
            const b = Buffer.alloc(10);
            b[0] = (fin ? 0x80 : 0) | opcode;
            b[1] = 0x80 | 127;
            b.writeBigUInt64BE(BigInt(length), 2);
            return b;
          })();
  return Buffer.concat([head, mask, masked]);
}

describe('WebSocket handshake', () => {
  it('computes the RFC 6455 accept key', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('reads offered subprotocols in order, from a list or repeated headers', () => {
    expect(offeredProtocols('v5.channel.k8s.io, v4.channel.k8s.io')).toEqual([
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
    ]);
    expect(offeredProtocols(['a', 'b, c'])).toEqual(['a', 'b', 'c']);
    expect(offeredProtocols(undefined)).toEqual([]);
  });

  it('answers 101 with the chosen protocol, or none', () => {
    expect(handshakeResponse('dGhlIHNhbXBsZSBub25jZQ==', 'v4.channel.k8s.io')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n',
    );
    expect(handshakeResponse('x', '')).not.toContain('Sec-WebSocket-Protocol');
  });
});

describe('FrameParser', () => {
  it('unmasks frames of every length encoding, split anywhere', () => {
    const payloads = [Buffer.from('hi'), Buffer.alloc(300, 7), Buffer.alloc(70_000, 9)];
    const bytes = Buffer.concat(payloads.map((p) => clientFrame(Opcode.binary, p)));
    const parser = new FrameParser();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 1000) frames.push(...parser.push(bytes.subarray(i, i + 1000)));
    expect(frames.map((f, i) => f.payload.equals(payloads[i]!))).toEqual([true, true, true]);
  });

  it('refuses unmasked client frames and fragmented control frames', () => {
    expect(() => new FrameParser().push(encodeFrame(Opcode.binary, Buffer.from('x')))).toThrow(
      WebSocketProtocolError,
    );
    expect(() => new FrameParser().push(clientFrame(Opcode.ping, Buffer.alloc(0), false))).toThrow(
      'invalid control frame',
    );
  });
});

describe('encodeFrame', () => {
  it('writes unmasked frames with 7, 16 and 64-bit lengths', () => {
    expect([...encodeFrame(Opcode.binary, Buffer.from([1]))]).toEqual([0x82, 1, 1]);
    expect([...encodeFrame(Opcode.text, Buffer.alloc(200)).subarray(0, 4)]).toEqual([0x81, 126, 0, 200]);
    expect([...encodeFrame(Opcode.binary, Buffer.alloc(65536)).subarray(0, 10)]).toEqual([
      0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0,
    ]);
  });
});

describe('WebSocketConnection', () => {
  it('reassembles fragments, answers pings and echoes a close', () => {
    const socket = new PassThrough();
    const written: Buffer[] = [];
    const messages: [string, boolean][] = [];
    let closed = 0;
    socket.write = ((chunk: Buffer) => (written.push(chunk), true)) as typeof socket.write;
    const ws = new WebSocketConnection(socket, {
      message: (data, binary) => messages.push([data.toString(), binary]),
      close: () => closed++,
    });
    ws.receive(clientFrame(Opcode.text, Buffer.from('hel'), false));
    ws.receive(clientFrame(Opcode.ping, Buffer.from('p')));
    ws.receive(clientFrame(Opcode.continuation, Buffer.from('lo')));
    expect(messages).toEqual([['hello', false]]);
    expect(written[0]).toEqual(encodeFrame(Opcode.pong, Buffer.from('p')));
    const code = Buffer.from([0x03, 0xe8]);
    ws.receive(clientFrame(Opcode.close, code));
    expect(written[1]).toEqual(encodeFrame(Opcode.close, code));
    expect(closed).toBe(1);
    expect(ws.open).toBe(false);
  });
});
