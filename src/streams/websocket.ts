import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';

/**
 * The server side of RFC 6455 WebSocket, as small as the streaming endpoints need: the handshake, frames
 * (fragmented messages, ping/pong, close) and no extensions. Upstream serves these endpoints with
 * `golang.org/x/net/websocket` (`wsstream/conn.go`) and gorilla (`streamtunnel.go`), neither of which
 * negotiates compression either.
 * @see https://www.rfc-editor.org/rfc/rfc6455
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go
 */

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A message larger than this closes the connection with 1009 (message too big). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Frame opcodes of RFC 6455 §5.2. */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key`. */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + HANDSHAKE_GUID)
    .digest('base64');
}

/** The subprotocols a client offers, in its order (`Sec-WebSocket-Protocol` may repeat or hold a list). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((value) =>
    value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  );
}

/** Whether a request asks for a WebSocket (`Upgrade: websocket` with `Connection: upgrade`). */
export function isWebSocketRequest(headers: Record<string, string | string[] | undefined>): boolean {
  const upgrade = String(headers.upgrade ?? '').toLowerCase();
  const connection = String(headers.connection ?? '').toLowerCase();
  return upgrade === 'websocket' && connection.includes('upgrade');
}

/** The 101 response that completes the handshake, with the chosen subprotocol (none when `''`). */
export function handshakeResponse(key: string, protocol: string): string {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
  ];
  if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** One server frame (never masked), FIN set. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** A frame as read from a client. */
export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Why the parser gave up: the close code to answer with. */
export class WebSocketProtocolError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a client's byte stream into frames, unmasking them. Client frames must be masked (§5.1) and a
 * control frame carries at most 125 bytes and is never fragmented (§5.5).
 */
export class FrameParser {
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the incomplete frame needs: chunks are only joined once they are all there. */
  private needed = 0;

  /** Adds bytes; returns the frames now complete. Throws `WebSocketProtocolError`. */
  push(chunk: Buffer): Frame[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.buffered.length + this.pendingBytes < this.needed) return [];
    this.buffered = Buffer.concat([this.buffered, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
    this.needed = 0;
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): Frame | undefined {
    const b = this.buffered;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    if ((b[0]! & 0x70) !== 0) throw new WebSocketProtocolError(1002, 'reserved bits set');
    const opcode = b[0]! & 0x0f;
    const masked = (b[1]! & 0x80) !== 0;
    if (!masked) throw new WebSocketProtocolError(1002, 'client frame not masked');
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(MAX_MESSAGE_BYTES)) throw new WebSocketProtocolError(1009, 'frame too big');
      length = Number(big);
      offset = 10;
    }
    if (opcode >= 0x8 && (length > 125 || !fin))
      throw new WebSocketProtocolError(1002, 'invalid control frame');
    if (length > MAX_MESSAGE_BYTES) throw new WebSocketProtocolError(1009, 'frame too big');
    if (b.length < offset + 4 + length) {
      this.needed = offset + 4 + length;
      return undefined;
    }
    const mask = b.subarray(offset, offset + 4);
    const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    this.buffered = b.subarray(offset + 4 + length);
    return { fin, opcode, payload };
  }
}

/** What a connection reports to its owner. */
export interface WebSocketEvents {
  /** A whole message: binary, or text (as its UTF-8 bytes). */
  message(data: Buffer, binary: boolean): void;
  /** The connection is gone (close handshake, error or socket end); called once. */
  close(): void;
}

/**
 * A WebSocket over an upgraded socket, after the handshake was written. Messages are reassembled from
 * fragments; pings are answered; a close frame is echoed and the socket ended.
 */
export class WebSocketConnection {
  private readonly parser = new FrameParser();
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private fragmentBytes = 0;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly events: WebSocketEvents,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('end', () => this.finish());
    socket.on('error', () => this.finish());
  }

  /** Feeds bytes read before the connection took the socket (the upgrade's `head`). */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      const code = error instanceof WebSocketProtocolError ? error.closeCode : 1002;
      this.close(code);
      return;
    }
    for (const frame of frames) this.handle(frame);
  }

  private handle(frame: Frame): void {
    if (this.closed) return;
    switch (frame.opcode) {
      case Opcode.ping:
        this.write(Opcode.pong, frame.payload);
        return;
      case Opcode.pong:
        return;
      case Opcode.close: {
        const code = frame.payload.length >= 2 ? frame.payload.subarray(0, 2) : Buffer.alloc(0);
        this.write(Opcode.close, code);
        this.socket.end();
        this.finish();
        return;
      }
      case Opcode.text:
      case Opcode.binary:
      case Opcode.continuation: {
        if (frame.opcode === Opcode.continuation) {
          if (this.fragmentOpcode === 0) return this.close(1002);
        } else {
          if (this.fragmentOpcode !== 0) return this.close(1002);
          this.fragmentOpcode = frame.opcode;
        }
        this.fragments.push(frame.payload);
        this.fragmentBytes += frame.payload.length;
        if (this.fragmentBytes > MAX_MESSAGE_BYTES) return this.close(1009);
        if (!frame.fin) return;
        const data = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
        const binary = this.fragmentOpcode === Opcode.binary;
        this.fragments = [];
        this.fragmentOpcode = 0;
        this.fragmentBytes = 0;
        this.events.message(data, binary);
        return;
      }
      default:
        this.close(1002);
    }
  }

  /** Sends one message: a Buffer as binary, a string as text. */
  send(data: Buffer | string): void {
    if (typeof data === 'string') this.write(Opcode.text, Buffer.from(data, 'utf8'));
    else this.write(Opcode.binary, data);
  }

  /** Sends a close frame (normal closure by default) and ends the socket. */
  close(code = 1000): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.write(Opcode.close, payload);
    this.socket.end();
    this.finish();
  }

  /** Whether the connection can still send. */
  get open(): boolean {
    return !this.closed;
  }

  private write(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(encodeFrame(opcode, payload));
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
  }
}
