import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How the recording of a request is reached from `req` and `res`, which is all the body reader, the JSON
 * writer and the response's `close` event see. A symbol-keyed property: no closure and no WeakMap entry per
 * request (both cost measurably more under load).
 */
export interface ExchangeObserver {
  /** The raw request body, as read. */
  requestBody(body: Buffer): void;
  /** A JSON response body, before it is written. */
  responseBody(body: unknown): void;
  /** The response closed: finished, failed or aborted. */
  responseClosed(): void;
}

const OBSERVER = Symbol('fake-apiserver.exchange-observer');

type Observed = { [OBSERVER]?: ExchangeObserver };

function notifyClosed(this: ServerResponse): void {
  (this as Observed)[OBSERVER]?.responseClosed();
}

/** Routes the bodies of one request and its response, and the response's end, to `observer`. */
export function observeExchange(req: IncomingMessage, res: ServerResponse, observer: ExchangeObserver): void {
  (req as Observed)[OBSERVER] = observer;
  (res as Observed)[OBSERVER] = observer;
  res.on('close', notifyClosed);
}

/** Called by the body reader with every request body it read. */
export function noteRequestBody(req: IncomingMessage, body: Buffer): void {
  (req as Observed)[OBSERVER]?.requestBody(body);
}

/** Called by the JSON writer with every body it is about to write. */
export function noteResponseBody(res: ServerResponse, body: unknown): void {
  (res as Observed)[OBSERVER]?.responseBody(body);
}
