import { PassThrough } from 'node:stream';
import {
  decodeHeaderBlock,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameType,
  dataFrame,
  goAwayFrame,
  HeaderCompressor,
  HeaderDecompressor,
  pingFrame,
  RstStatus,
  rstStreamFrame,
  SpdyFrameParser,
  type SpdyFrame,
  type SpdyHeaders,
  synReplyFrame,
} from './spdy-frames.js';

/**
 * The server side of a SPDY/3.1 connection as the kubelet runs it (`httpstream/spdy/connection.go` over
 * `moby/spdystream`): the client opens every stream, each gets an empty SYN_REPLY, pings are echoed. Flow
 * control is not enforced, as spdystream neither sends nor honours WINDOW_UPDATE.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/util/httpstream/spdy/connection.go
 * @see https://github.com/moby/spdystream/blob/v0.5.0/connection.go
 */

/** Where a session writes its bytes: an upgraded socket, or a WebSocket tunnel. */
export interface ByteSink {
  write(data: Buffer): void;
  end(): void;
}

const MAX_DATA_FRAME = 32 * 1024;

/** One client-opened stream: its headers, what the client sends, and a writer for the reply. */
export class SpdyStream {
  /** What the client sends; ends at its FIN (half-close) or a reset. */
  readonly incoming = new PassThrough();
  private localClosed = false;
  private resetDone = false;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly session: SpdySession,
  ) {}

  /** Sends bytes to the client. */
  write(data: Buffer): void {
    if (this.localClosed || this.resetDone) return;
    for (let offset = 0; offset < data.length; offset += MAX_DATA_FRAME)
      this.session.send(dataFrame(this.id, data.subarray(offset, offset + MAX_DATA_FRAME), false));
  }

  /** Half-closes the stream (FIN): the client reads EOF. */
  end(): void {
    if (this.localClosed || this.resetDone) return;
    this.localClosed = true;
    this.session.send(dataFrame(this.id, Buffer.alloc(0), true));
  }

  /** Resets the stream (RST_STREAM CANCEL). */
  reset(): void {
    if (this.resetDone) return;
    this.resetDone = true;
    this.session.send(rstStreamFrame(this.id, RstStatus.cancel));
    this.remoteEnded();
  }

  /** Whether the stream was reset by either side. */
  get isReset(): boolean {
    return this.resetDone;
  }

  /** @internal */
  remoteData(data: Buffer): void {
    if (!this.incoming.writableEnded) this.incoming.write(data);
  }

  /** @internal */
  remoteEnded(): void {
    if (!this.incoming.writableEnded) this.incoming.end();
  }

  /** @internal */
  remoteReset(): void {
    this.resetDone = true;
    this.remoteEnded();
  }
}

/** The session's callbacks. */
export interface SpdySessionEvents {
  /** A new stream; return false to refuse it (RST_STREAM), as the kubelet does for an unknown stream type. */
  stream(stream: SpdyStream): boolean;
  /** The connection is over (GOAWAY, a protocol error, or the transport closed); called once. */
  close(): void;
}

/** A SPDY/3.1 server session over a byte transport: feed it with `receive`. */
export class SpdySession {
  private readonly parser = new SpdyFrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    private readonly events: SpdySessionEvents,
  ) {}

  /** Feeds bytes read from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
      for (const frame of frames) this.handle(frame);
    } catch {
      this.close();
    }
  }

  /** The transport is gone: every stream ends. */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.remoteReset();
    this.events.close();
  }

  /** Sends GOAWAY and ends the transport. */
  close(): void {
    if (this.closed) return;
    this.sink.write(goAwayFrame(this.lastStreamId));
    this.sink.end();
    this.transportClosed();
  }

  /** @internal */
  send(frame: Buffer): void {
    if (!this.closed) this.sink.write(frame);
  }

  private handle(frame: SpdyFrame): void {
    if (frame.type === 'data') {
      const stream = this.streams.get(frame.streamId);
      if (!stream) return;
      if (frame.data.length > 0) stream.remoteData(frame.data);
      if (frame.flags & FLAG_FIN) stream.remoteEnded();
      return;
    }
    const p = frame.payload;
    switch (frame.frameType) {
      case FrameType.synStream: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(this.decompressor.decompress(p.subarray(10)));
        this.lastStreamId = Math.max(this.lastStreamId, id);
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        if (!this.events.stream(stream)) {
          this.streams.delete(id);
          this.send(rstStreamFrame(id, RstStatus.refusedStream));
          return;
        }
        this.send(synReplyFrame(id, this.compressor.compress(encodeHeaderBlock([]))));
        if (frame.flags & FLAG_FIN) stream.remoteEnded();
        return;
      }
      case FrameType.synReply:
      case FrameType.headers:
        // Header blocks share the zlib stream: read them even though nothing uses them.
        this.decompressor.decompress(p.subarray(4));
        return;
      case FrameType.rstStream: {
        const stream = this.streams.get(p.readUInt32BE(0) & 0x7fffffff);
        stream?.remoteReset();
        return;
      }
      case FrameType.ping:
        this.send(pingFrame(p.readUInt32BE(0)));
        return;
      case FrameType.goAway:
        this.sink.end();
        this.transportClosed();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: spdystream keeps no flow-control windows.
        return;
    }
  }
}
