import type { Duplex } from 'node:stream';

/**
 * The most header bytes (request line included) a request may send: kube-apiserver's `MaxHeaderBytes`
 * (`1 << 20`, secure_serving.go). Node's default of 16 KiB would refuse headers a cluster accepts.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/server/secure_serving.go
 */
export const MAX_HEADER_BYTES = 1 << 20;

/** What Go's `net/http` writes before closing a connection whose request it could not read (`server.go`). */
function goErrorResponse(status: string): string {
  // Go leaves the length out (the body ends with the connection); a client still sending its request
  // may see that end as a reset, so the length is given.
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${status.length}\r\nConnection: close\r\n\r\n${status}`;
}

/** Node's own answer to a request that did not arrive in time (kept: slow clients are the limits' concern). */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/** Go's `rstAvoidanceDelay`: how long a refused connection stays half-open so the client reads the answer. */
const CLOSE_DELAY_MS = 500;

const answered = new WeakSet<Duplex>();

/**
 * A `clientError` listener answering requests Node's parser refuses as Go's server does, so that clients
 * see kube-apiserver's answer: too many header bytes (a long URL too: Go has no 414) is
 * `431 Request Header Fields Too Large`, anything else unparsable `400 Bad Request`, both as plain text.
 * Like Go's `closeWriteAndWait`, the connection is ended after the answer and cut a moment later, so a
 * client still sending its request reads the answer instead of a reset.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (answered.has(socket)) return; // the parser reports every further chunk of the refused request
  // Node itself answers only on a connection that has written nothing; a kept-alive connection whose last
  // response is complete is answered too (Node's `_httpMessage` is the response in progress, if any).
  const untouched = socket.writable && !(socket as Duplex & { _httpMessage?: unknown })._httpMessage;
  let response: string | undefined;
  if (untouched) {
    if (error.code === 'HPE_HEADER_OVERFLOW')
      response = goErrorResponse('431 Request Header Fields Too Large');
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') response = REQUEST_TIMEOUT_RESPONSE;
    else if (error.code?.startsWith('HPE_')) response = goErrorResponse('400 Bad Request');
  }
  if (response === undefined || error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    if (response !== undefined) socket.write(response);
    socket.destroy();
    return;
  }
  answered.add(socket);
  socket.end(response);
  socket.resume();
  setTimeout(() => socket.destroy(), CLOSE_DELAY_MS).unref();
}
