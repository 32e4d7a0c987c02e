import type { ServerResponse } from 'node:http';
import { FakeApiServerError } from '../errors/developer-error.js';
import { DurationSyntaxError, parseGoDuration } from '../time/duration.js';

/** The bounds that keep one server serving under load, slow clients and shutdown. */
export interface ServerLimits {
  /** Open TCP connections served; the ones past it get 429 on their first request, then are closed. */
  maxConnections: number;
  /** Open watches; one more is answered 429. */
  maxWatches: number;
  /** Time a client has to complete the TLS handshake, then again to send a request's headers. */
  headersTimeoutMs: number;
  /** Bytes a watch may have queued for a client that does not read before the watch is ended. */
  watchBufferBytes: number;
  /** How long `close()` waits for in-flight requests before it cuts their connections. */
  shutdownTimeoutMs: number;
}

/** The options that set `ServerLimits` (the public ones of `FakeApiServerOptions`). */
export interface ServerLimitOptions {
  maxConnections?: number;
  maxWatches?: number;
  headersTimeoutSeconds?: number;
  watchBufferBytes?: number;
  shutdownTimeoutSeconds?: number;
}

/** Defaults: generous enough never to matter to a test suite, small enough to keep the process alive. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxConnections: 10_000,
  maxWatches: 10_000,
  // kube-apiserver's ReadHeaderTimeout (secure_serving.go), which also bounds Go's TLS handshake.
  headersTimeoutMs: 32_000,
  watchBufferBytes: 16 * 1024 * 1024,
  shutdownTimeoutMs: 5_000,
};

/**
 * kube-apiserver's IdleTimeout (secure_serving.go): an idle keep-alive connection is closed after 90 s,
 * far past clients' own idle timeouts, so that a client never reuses a connection the server is closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 90_000;

function positive(value: number | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${name} ${value} is not a positive ${integer ? 'whole number' : 'number'}`,
    );
  }
  return value;
}

/** Resolves and checks the limit options; throws `FakeApiServerError` for a bad value. */
export function resolveServerLimits(options: ServerLimitOptions): ServerLimits {
  const headers = positive(options.headersTimeoutSeconds, 'headersTimeoutSeconds', false);
  const shutdown = positive(options.shutdownTimeoutSeconds, 'shutdownTimeoutSeconds', false);
  return {
    maxConnections: positive(options.maxConnections, 'maxConnections', true) ?? DEFAULT_LIMITS.maxConnections,
    maxWatches: positive(options.maxWatches, 'maxWatches', true) ?? DEFAULT_LIMITS.maxWatches,
    headersTimeoutMs: headers === undefined ? DEFAULT_LIMITS.headersTimeoutMs : Math.ceil(headers * 1000),
    watchBufferBytes:
      positive(options.watchBufferBytes, 'watchBufferBytes', true) ?? DEFAULT_LIMITS.watchBufferBytes,
    shutdownTimeoutMs: shutdown === undefined ? DEFAULT_LIMITS.shutdownTimeoutMs : Math.ceil(shutdown * 1000),
  };
}

/** Parses a duration flag (`--headers-timeout 10s`) into seconds; throws `FakeApiServerError`. */
export function parseDurationFlag(flag: string, text: string): number {
  let nanoseconds: bigint;
  try {
    nanoseconds = parseGoDuration(text);
  } catch (error) {
    if (!(error instanceof DurationSyntaxError)) throw error;
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${flag} ${text}: ${error.message}`,
      'e.g. 500ms, 10s, 1m',
    );
  }
  if (nanoseconds <= 0n) {
    throw new FakeApiServerError('INVALID_OPTION', `${flag} ${text} is not a positive duration`);
  }
  return Number(nanoseconds) / 1e9;
}

/** Parses a count flag (`--max-watches 100`); throws `FakeApiServerError`. */
export function parseCountFlag(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new FakeApiServerError('INVALID_OPTION', `${flag} ${text} is not a positive whole number`);
  }
  return Number(text);
}

/** Counts open watches against `maxWatches`. */
export class WatchSlots {
  private open = 0;

  constructor(private readonly max: number) {}

  /** Takes a slot: the function that gives it back (once), or undefined when all are taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.open >= this.max) return undefined;
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
    };
  }

  /** Watches open now. */
  get count(): number {
    return this.open;
  }
}

/**
 * Answers 429 as kube-apiserver's max-in-flight and priority-and-fairness filters do: `Retry-After: 1`
 * and Go's `http.Error` plain-text body, not a `Status` (client-go retries on the header).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go
 */
export function writeTooManyRequests(res: ServerResponse, closeConnection = false): void {
  const body = 'Too many requests, please try again later.\n';
  res.statusCode = 429;
  res.setHeader('Retry-After', '1');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (closeConnection) res.setHeader('Connection', 'close');
  res.end(body);
}
