import { ServerResponse, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { noteUpgrade } from '../http/upgrade.js';
import { answerClientError, MAX_HEADER_BYTES } from './client-errors.js';
import { KEEP_ALIVE_TIMEOUT_MS, writeTooManyRequests, type ServerLimits } from './limits.js';
import { answerPlainHttpOnTls, parentOf } from './plain-http-on-tls.js';

/** What the HTTPS listener needs: TLS material, the request handler and the limits. */
export interface HttpsListenerOptions {
  tls: { key: string; cert: string; ca: string };
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  limits: ServerLimits;
}

/** The HTTPS server with its connections tracked, so that it can be bounded and closed gracefully. */
export interface HttpsListener {
  readonly server: Server;
  /**
   * Stops accepting connections, calls `endStreams` (watches and follows end cleanly), lets in-flight
   * requests complete and closes each connection once it is idle; after `shutdownTimeoutMs` cuts whatever
   * is left. Resolves once every connection is closed.
   */
  close(endStreams: () => void): Promise<void>;
}

interface ConnectionState {
  inFlight: number;
  /** Past `maxConnections` when it was accepted: its requests get 429 and it is closed. */
  overLimit: boolean;
}

/**
 * Creates the HTTPS server with the timeouts of kube-apiserver's secure serving (a client that is slow to
 * handshake or to send headers is cut off), a bound on connections, and a graceful close.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/server/secure_serving.go
 */
export function createHttpsListener({ tls, handler, limits }: HttpsListenerOptions): HttpsListener {
  const rawSockets = new Set<Socket>();
  const connections = new Map<TLSSocket, ConnectionState>();
  let closing = false;

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket as TLSSocket;
    const state = connections.get(socket) ?? { inFlight: 0, overLimit: false };
    state.inFlight++;
    res.once('close', () => {
      state.inFlight--;
      if (closing && state.inFlight === 0) socket.destroy();
    });
    if (state.overLimit) return writeTooManyRequests(res, true);
    if (closing) res.setHeader('Connection', 'close');
    handler(req, res);
  };

  const server = createServer(
    {
      ...tls,
      requestCert: true,
      rejectUnauthorized: false,
      handshakeTimeout: limits.headersTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // Node checks both timeouts on this period (30 s by default), which would let a slow client stay
      // up to that much past its bound.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      // The whole request (headers and body) must arrive within this; a response may take any time.
      requestTimeout: Math.max(60_000, limits.headersTimeoutMs),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    serve,
  );
  // First, so that TLS sees a connection only once its first bytes show it is not plain HTTP.
  answerPlainHttpOnTls(server, limits.headersTimeoutMs);
  server.on('clientError', answerClientError);
  // A request with `Upgrade:` (WebSocket, SPDY) runs through the same pipeline with a response bound to its
  // socket: an error is answered as usual, and a handler that switches protocols takes the socket.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    noteUpgrade(req, { socket, head });
    serve(req, res);
  });
  server.on('connection', (socket: Socket) => {
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    connections.set(socket, { inFlight: 0, overLimit: connections.size >= limits.maxConnections });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('tlsClientError', () => {});

  let closed: Promise<void> | undefined;
  const close = (endStreams: () => void): Promise<void> => {
    closed ??= new Promise<void>((resolveClose) => {
      closing = true;
      const deadline = setTimeout(() => {
        for (const socket of rawSockets) socket.destroy();
        for (const socket of connections.keys()) socket.destroy();
      }, limits.shutdownTimeoutMs);
      server.close(() => {
        clearTimeout(deadline);
        resolveClose();
      });
      endStreams();
      // Idle connections, and those still in their TLS handshake, carry no request: closed now.
      const busy = new Set<Socket | undefined>();
      for (const [socket, state] of connections) {
        if (state.inFlight > 0) busy.add(parentOf(socket));
        else socket.destroy();
      }
      for (const socket of rawSockets) if (!busy.has(socket)) socket.destroy();
    });
    return closed;
  };
  return { server, close };
}
