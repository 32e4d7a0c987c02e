import type { ClientRequest } from 'node:http';
import { request } from 'node:https';

/** One event of a watch stream as the client received it. */
export interface ReceivedWatchEvent {
  type: string;
  object: {
    kind?: string;
    metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
    data?: Record<string, string>;
  };
}

/** A watch held open on its own connection, collecting events until stopped. */
export interface OpenWatch {
  /** Events received so far, in arrival order. */
  readonly events: ReceivedWatchEvent[];
  /** Resolves once the stream has ended (server side or by `stop`). */
  readonly ended: Promise<void>;
  /** Waits until `predicate` holds for the events received, or rejects after `timeoutMs`. */
  waitFor(predicate: (events: readonly ReceivedWatchEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Closes the connection. Idempotent. */
  stop(): void;
}

/**
 * Opens a watch (`path` must carry `watch=1`) over a dedicated connection, verifying the server against
 * `ca` (with `headers`, an Accept for example), and parses its newline-delimited JSON events. Resolves once the response headers arrived, so the
 * watch is registered with the server before any later write.
 */
export function openWatch(
  baseUrl: string,
  ca: string,
  path: string,
  client: { cert: string; key: string },
  headers: Record<string, string> = {},
): Promise<OpenWatch> {
  const events: ReceivedWatchEvent[] = [];
  const listeners = new Set<() => void>();
  let req: ClientRequest;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  const notify = () => listeners.forEach((listener) => listener());
  return new Promise((resolve, reject) => {
    req = request(new URL(path, baseUrl), { ca, ...client, headers, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) events.push(JSON.parse(line) as ReceivedWatchEvent);
        }
        notify();
      });
      res.on('close', () => {
        resolveEnded();
        notify();
      });
      resolve({
        events,
        ended,
        stop: () => req.destroy(),
        waitFor: (predicate, timeoutMs = 2000) =>
          new Promise<void>((done, fail) => {
            const check = () => {
              if (!predicate(events)) return;
              listeners.delete(check);
              clearTimeout(timer);
              done();
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              fail(new Error(`watch ${path}: condition not met within ${timeoutMs} ms`));
            }, timeoutMs);
            listeners.add(check);
            check();
          }),
      });
    });
    req.on('error', (error) => {
      resolveEnded();
      reject(error);
    });
    req.end();
  });
}
