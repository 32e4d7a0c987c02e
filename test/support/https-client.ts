import { request } from 'node:https';

/** A response as tests look at it. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

/** Options of one test request. */
export interface TestRequest {
  method?: string;
  path: string;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  /** A client certificate and key to present (the admin's, for example). */
  client?: { cert: string; key: string };
}

/** Sends one HTTPS request that verifies the server against `ca`. */
export function send(baseUrl: string, ca: string, req: TestRequest): Promise<TestResponse> {
  const url = new URL(req.path, baseUrl);
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let payload: Buffer | undefined;
  if (req.body !== undefined) {
    payload = Buffer.isBuffer(req.body)
      ? req.body
      : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    headers['content-type'] = req.contentType ?? 'application/json';
    // Node sends DELETE bodies unframed unless a length is given.
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const r = request(url, { method: req.method ?? 'GET', headers, ca, ...(req.client ?? {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    r.on('error', reject);
    if (payload) r.write(payload);
    r.end();
  });
}
