import { PassThrough } from 'node:stream';
import {
  decodeChannelMessage,
  encodeChannelMessage,
  PORT_FORWARD_WEBSOCKET_PROTOCOLS,
} from './channel-protocol.js';
import type { PortForwardTarget } from './handler-types.js';
import { forward, forwardingError, noPortForwardHandler, type ForwardInfo } from './port-forward.js';
import type { SpdyStream } from './spdy-session.js';
import type { WebSocketConnection } from './websocket.js';

/** Finds the target of a forwarded port. */
export type TargetFinder = (port: number) => PortForwardTarget | undefined;

async function runForward(
  find: TargetFinder,
  info: ForwardInfo,
  client: Parameters<typeof forward>[2],
  reportError: (message: string) => void,
): Promise<void> {
  const target = find(info.port);
  if (target === undefined) {
    reportError(forwardingError(info, noPortForwardHandler(info)));
    return;
  }
  try {
    await forward(target, info, client);
  } catch (error) {
    reportError(forwardingError(info, (error as Error).message));
  }
}

/**
 * Port-forward over SPDY (`portforward.k8s.io`): the client opens an error stream and a data stream per
 * connection, paired by their `requestID` header and naming the `port`; errors are written as text on the
 * error stream, then both streams are half-closed.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubelet/pkg/cri/streaming/portforward/httpstream.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/client-go/tools/portforward/portforward.go
 */
export class SpdyPortForward {
  private readonly pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();

  constructor(
    private readonly pod: Omit<ForwardInfo, 'port'>,
    private readonly find: TargetFinder,
  ) {}

  /** The session's stream callback. */
  accept(stream: SpdyStream): boolean {
    const type = stream.headers.get('streamtype');
    if (type !== 'error' && type !== 'data') return false;
    const id = stream.headers.get('requestid') ?? String(type === 'error' ? stream.id + 2 : stream.id);
    const pair = this.pairs.get(id) ?? {};
    pair[type] = stream;
    this.pairs.set(id, pair);
    if (pair.error && pair.data) {
      this.pairs.delete(id);
      void this.start(pair.error, pair.data);
    }
    return true;
  }

  private async start(error: SpdyStream, data: SpdyStream): Promise<void> {
    const port = Number(data.headers.get('port'));
    const info = { ...this.pod, port };
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      error.write(Buffer.from(`invalid port ${JSON.stringify(data.headers.get('port') ?? '')}`));
    } else {
      await runForward(this.find, info, data, (message) => error.write(Buffer.from(message)));
    }
    data.end();
    error.end();
  }
}

/**
 * Port-forward over a WebSocket with a channel protocol (what client-node and the Python client use): the
 * ports come from `?ports=`; port i has data channel 2i and error channel 2i+1, each first carrying the port
 * as two little-endian bytes; one connection per port per WebSocket.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go
 */
export function servePortForwardOverWebSocket(
  protocol: string,
  ports: readonly number[],
  pod: Omit<ForwardInfo, 'port'>,
  find: TargetFinder,
  connect: (events: { message(data: Buffer): void; close(): void }) => WebSocketConnection,
): void {
  const { base64 } = PORT_FORWARD_WEBSOCKET_PROTOCOLS.get(protocol)!;
  const incoming = ports.map(() => new PassThrough());
  const ws = connect({
    message(message) {
      if (message.length === 0) return;
      const decoded = decodeChannelMessage(message, base64, false);
      if (decoded.kind !== 'data' || decoded.channel % 2 !== 0) return;
      const stream = incoming[decoded.channel / 2];
      if (stream && !stream.writableEnded) stream.write(decoded.data);
    },
    close() {
      for (const stream of incoming) if (!stream.writableEnded) stream.end();
    },
  });
  const send = (channel: number, data: Buffer): void => {
    if (ws.open) ws.send(encodeChannelMessage(channel, data, base64));
  };
  const forwards = ports.map((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    return runForward(
      find,
      { ...pod, port },
      { incoming: incoming[i]!, write: (data) => send(2 * i, data), end: () => {} },
      (message) => send(2 * i + 1, Buffer.from(message)),
    );
  });
  void Promise.all(forwards).then(() => ws.close());
}
