import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { upgradeOf } from '../http/upgrade.js';
import { handshakeResponse, isWebSocketRequest, WebSocketConnection } from '../streams/websocket.js';

/**
 * Where a watch writes its events: a chunked HTTP body, or the text messages of a WebSocket. The response's
 * `close` event tells when the client is gone, either way (the upgraded socket stays bound to it).
 */
export interface WatchStream {
  /** Sends one encoded event (a chunk, or one message). */
  write(text: string): void;
  /** Ends the stream: the last chunk, or a close frame (1000) and the end of the connection. */
  end(): void;
  /** Whether `end` was called (or the WebSocket is closed). */
  readonly writableEnded: boolean;
  /** Bytes queued for the client and not yet sent. */
  readonly writableLength: number;
}

/**
 * Opens what a watch answers with, as kube-apiserver's watch handler does: when the request asks for a
 * WebSocket (fabric8 watches this way), `websocket.Handler(server.HandleWS)`, whose messages are text for
 * JSON; else `HandleHTTP`, a 200 with a chunked body whose headers go out at once, before the first event.
 * Resolves to undefined when the WebSocket handshake was refused: the refusal was written and the
 * connection closes.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go
 */
export function openWatchStream(req: IncomingMessage, res: ServerResponse): WatchStream | undefined {
  const upgrade = upgradeOf(req);
  if (upgrade && isWebSocketRequest(req.headers)) {
    const refusal = websocketHandlerRefusal(req.method ?? '', req.headers);
    const { socket } = upgrade;
    if (refusal) {
      res.statusCode = Number(refusal.slice(9, 12));
      socket.end(refusal);
      return undefined;
    }
    // Hijacked, as x/net/websocket does: the 101 carries none of the headers the pipeline set.
    res.statusCode = 101;
    socket.write(
      handshakeResponse(String(req.headers['sec-websocket-key']), requestedProtocols(req.headers)[0] ?? ''),
    );
    socket.on('error', () => {});
    // The client is not expected to send anything (`wsstream.IgnoreReceives`): its messages are dropped,
    // its pings answered, its close frame echoed, which ends the watch.
    const connection = new WebSocketConnection(socket, { message: () => {}, close: () => {} });
    if (upgrade.head.length > 0) connection.receive(upgrade.head);
    return {
      write: (text) => connection.send(text),
      end: () => connection.close(),
      get writableEnded() {
        return !connection.open;
      },
      get writableLength() {
        return socket.writableLength;
      },
    };
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.flushHeaders();
  return {
    write: (text) => void res.write(text),
    end: () => res.end(),
    get writableEnded() {
      return res.writableEnded;
    },
    get writableLength() {
      return res.writableLength;
    },
  };
}

/** `Sec-WebSocket-Protocol` as x/net/websocket reads it: the one header, trimmed, split on commas. */
function requestedProtocols(headers: IncomingHttpHeaders): string[] {
  const header = (headers['sec-websocket-protocol'] ?? '').trim();
  return header === '' ? [] : header.split(',').map((protocol) => protocol.trim());
}

/**
 * What `websocket.Handler` refuses, as it writes it (a status line, no Content-Length, then the connection
 * closes): `hybiServerHandshaker.ReadHandshake` (method, key, version 13), `checkOrigin` (an Origin header
 * that parses as a request URI is required: else 403), `AcceptHandshake` (one subprotocol at most).
 * Undefined when the handshake is accepted.
 * @see https://github.com/golang/net/blob/master/websocket/hybi.go
 * @see https://github.com/golang/net/blob/master/websocket/server.go
 */
export function websocketHandlerRefusal(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (method !== 'GET') return 'HTTP/1.1 405 Method Not Allowed\r\n\r\nbad method';
  if (!headers['sec-websocket-key']) return 'HTTP/1.1 400 Bad Request\r\n\r\nmismatch challenge/response';
  if (headers['sec-websocket-version'] !== '13') {
    return 'HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\nmissing or bad WebSocket Version';
  }
  if (!isRequestUri(headers.origin ?? '')) return 'HTTP/1.1 403 Forbidden\r\n\r\n';
  if (requestedProtocols(headers).length > 1) return 'HTTP/1.1 400 Bad Request\r\n\r\n';
  return undefined;
}

/** Go's `url.ParseRequestURI`, as far as an Origin goes: an absolute URI (`scheme:...`) or an absolute path. */
function isRequestUri(origin: string): boolean {
  if (origin.startsWith('/')) return true;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/.test(origin);
}
