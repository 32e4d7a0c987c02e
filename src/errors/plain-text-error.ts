import { ApiError, type StatusReason } from './status.js';

/**
 * An answer Go's `net/http` writes itself, as plain text rather than a `Status`: kube-apiserver gives these
 * for what never reaches its API handlers (a path no handler serves, a request line that does not parse).
 */
export class PlainTextError extends ApiError {
  constructor(
    code: number,
    reason: StatusReason,
    /** The exact body. */
    readonly text: string,
    /** Whether Go closes the connection after it (as for a request it could not parse). */
    readonly closeConnection = false,
  ) {
    super(code, reason, text.trim());
    this.name = 'PlainTextError';
  }
}

/**
 * 404 as `http.NotFound` writes it: what kube-apiserver's last handler (`notfoundhandler.go`) answers for a
 * path outside every API group it serves, e.g. `/apis/unknown.example.com/v1/things` or `/nothing`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/util/notfoundhandler/not_found_handler.go
 */
export function pageNotFound(): PlainTextError {
  return new PlainTextError(404, 'NotFound', '404 page not found\n');
}

/** 400 as Go's server writes it for a request target that `url.ParseRequestURI` refuses (`server.go`). */
export function malformedRequestLine(): PlainTextError {
  return new PlainTextError(400, 'BadRequest', '400 Bad Request', true);
}

/**
 * A failed stream upgrade as the kubelet's streaming server writes it with `http.Error` (plain text and a
 * newline), which kube-apiserver passes through: e.g. `unable to upgrade: X-Stream-Protocol-Version is required`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/util/httpstream/httpstream.go
 */
export function upgradeFailure(code: 400 | 403 | 500, text: string): PlainTextError {
  return new PlainTextError(
    code,
    code === 403 ? 'Forbidden' : code === 500 ? 'InternalError' : 'BadRequest',
    `${text}\n`,
  );
}

/**
 * 403 with no body, as `golang.org/x/net/websocket` refuses a handshake whose subprotocols the kubelet's
 * `wsstream` does not support.
 */
export function websocketProtocolRefused(): PlainTextError {
  return new PlainTextError(403, 'Forbidden', '');
}
