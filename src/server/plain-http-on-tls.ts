import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/**
 * What Go's net/http writes, on the raw connection, to a client whose first bytes on a TLS port are a
 * plain HTTP request; it then closes the connection.
 * @see https://github.com/golang/go/blob/master/src/net/http/server.go (`(*conn).serve`)
 */
export const PLAIN_HTTP_ANSWER =
  'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

// Go's `tlsRecordHeaderLooksLikeHTTP`: the first five bytes (a TLS record header's length) it takes for
// plain HTTP. Any other request method gets the TLS handshake's failure, as there.
const HTTP_HEADS = ['GET /', 'HEAD ', 'POST ', 'PUT /', 'OPTIO'].map((head) => Buffer.from(head, 'latin1'));
const HEAD_BYTES = 5;

type Verdict = 'http' | 'tls' | 'undecided';

function classify(head: Buffer): Verdict {
  const n = Math.min(head.length, HEAD_BYTES);
  const matching = HTTP_HEADS.filter((http) => head.subarray(0, n).equals(http.subarray(0, n)));
  if (matching.length === 0) return 'tls';
  return n === HEAD_BYTES ? 'http' : 'undecided';
}

/**
 * Makes a TLS server answer plain HTTP as Go's net/http does: each accepted connection's first bytes are
 * looked at before TLS sees them. A TLS handshake (its first byte, 0x16, already rules HTTP out) goes to
 * the TLS server's own connection listener with those bytes put back, as if they had not been read; a
 * request Go takes for plain HTTP gets `PLAIN_HTTP_ANSWER` and the connection is closed. A connection must
 * complete its TLS handshake within `handshakeTimeoutMs` of being accepted, as Go's deadline on the raw
 * connection, or it is destroyed (a silent client included: TLS has not seen it yet).
 * Call before adding other `connection` listeners.
 * @see https://github.com/golang/go/blob/master/src/net/http/server.go (`tlsRecordHeaderLooksLikeHTTP`)
 */
export function answerPlainHttpOnTls(server: TlsServer, handshakeTimeoutMs: number): void {
  const [tlsConnectionListener, ...others] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!tlsConnectionListener || others.length > 0) {
    throw new Error('the TLS server has not exactly one connection listener of its own');
  }
  server.removeListener('connection', tlsConnectionListener);
  const deadlines = new Map<Socket, NodeJS.Timeout>();

  server.on('connection', (socket: Socket) => {
    const deadline = setTimeout(() => socket.destroy(), handshakeTimeoutMs);
    deadline.unref();
    deadlines.set(socket, deadline);
    socket.once('close', () => {
      clearTimeout(deadline);
      deadlines.delete(socket);
    });

    let head: Buffer = Buffer.alloc(0);
    const stop = (): void => {
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onReadable = (): void => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null;) {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      }
      const verdict = head.length === 0 ? 'undecided' : classify(head);
      if (verdict === 'undecided') return;
      stop();
      if (verdict === 'http') return answer(socket);
      // Node's TLS socket feeds what the raw socket holds to OpenSSL before it reads on.
      socket.unshift(head);
      tlsConnectionListener.call(server, socket);
    };
    // Gone before it said what it speaks: nothing to answer.
    const onEnd = (): void => {
      stop();
      socket.destroy();
    };
    const onError = (): void => {
      stop();
      socket.destroy();
    };
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.on('error', onError);
  });

  server.on('secureConnection', (tlsSocket: TLSSocket) => {
    const raw = parentOf(tlsSocket);
    if (!raw) return;
    clearTimeout(deadlines.get(raw));
    deadlines.delete(raw);
  });
}

// Go writes the answer and closes. Here the rest of the request is read and dropped first, so that the
// close is a FIN after the answer and not a reset that could discard it at the client; one that never
// closes its side is cut at the handshake deadline.
function answer(socket: Socket): void {
  socket.on('error', () => {});
  socket.resume();
  socket.end(PLAIN_HTTP_ANSWER);
}

/** The TCP socket a server-side TLS socket runs over. */
export function parentOf(tlsSocket: TLSSocket): Socket | undefined {
  return (tlsSocket as TLSSocket & { _parent?: Socket })._parent;
}
