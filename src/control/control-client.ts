import { request } from 'node:https';

/** A JSON answer of the server. */
export interface ControlResponse {
  status: number;
  body: unknown;
}

/** A client certificate and key, and the CA that verifies the server (PEM). */
export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Sends one request with a client certificate, verifying the server with its CA; resolves to the status and
 * parsed JSON body (the text when it is not JSON), whatever the status.
 */
export function controlRequest(
  credentials: ClientCredentials,
  url: string | URL,
  method: string,
  body?: unknown,
): Promise<ControlResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ...credentials,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: kept as text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
