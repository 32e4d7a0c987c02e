import { Agent, request } from 'node:https';
import type { TestResponse } from '../../support/https-client.js';

/** One request sent exactly as given: the path goes on the request line untouched (`//x`, `%2e%2e`). */
export interface RawRequest {
  method: string;
  /** The request target, sent as is. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A client certificate and key to present. */
  client?: { cert: string; key: string };
  /** Rejects when no full answer came within this many milliseconds. @default 5000 */
  timeoutMs?: number;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Sends one HTTPS request to `baseUrl` verifying the server against `ca`, without resolving the path
 * against a base URL (which would turn `//host/x` into another host), and fails on a hang.
 */
export function sendRaw(baseUrl: string, ca: string, req: RawRequest): Promise<TestResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string> = { ...req.headers };
  const payload = req.body === undefined ? undefined : Buffer.from(req.body);
  if (payload) headers['content-length'] = String(payload.length);
  const timeoutMs = req.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: hostname,
        port,
        method: req.method,
        path: req.path,
        headers,
        ca,
        agent: keepAlive,
        ...(req.client ?? {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`${req.method} ${req.path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    r.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (payload) r.write(payload);
    r.end();
  });
}
