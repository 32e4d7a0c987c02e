import type { IncomingMessage } from 'node:http';
import { request, type Agent } from 'node:https';

/** A streaming response (a watch) as the limit and shutdown tests follow it. */
export interface OpenStream {
  res: IncomingMessage;
  /** Every complete line received, parsed as JSON. */
  events: { type: string; object: any }[];
  /** Resolves with how the stream ended: `end` (cleanly), or `error`/`aborted` (cut). */
  ended: Promise<'end' | 'error' | 'aborted'>;
}

/** Connection options of a test client: the server's CA, and the admin's client certificate. */
export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

/** Opens a GET on its own connection and resolves once the response headers arrive. */
export function openStream(
  baseUrl: string,
  path: string,
  credentials: ClientCredentials,
  agent: Agent | false = false,
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { ...credentials, agent }, (res) => {
      const events: OpenStream['events'] = [];
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line) events.push(JSON.parse(line));
        }
      });
      const ended = new Promise<'end' | 'error' | 'aborted'>((settle) => {
        res.once('end', () => settle('end'));
        res.once('aborted', () => settle('aborted'));
        res.once('error', () => settle('error'));
      });
      resolve({ res, events, ended });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once `check` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
