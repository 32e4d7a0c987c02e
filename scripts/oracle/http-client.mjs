// The harness's HTTP side: one request, or one watch stream, to a server, with the credentials a scenario
// names. The two servers get the same bytes; only the base URL, the CA and the tokens differ.
import { Agent, request } from 'node:https';

/**
 * A server as the harness reaches it.
 * @typedef {{ name: string, url: string, ca: string | Buffer, adminToken: string }} Target
 */

/** One keep-alive agent per target, trusting its CA. */
export function agentFor(target) {
  return new Agent({ ca: target.ca, keepAlive: true, maxSockets: 8 });
}

/**
 * Sends one request and reads the whole answer.
 * @returns {Promise<{ status: number, headers: Record<string, string | string[]>, body: Buffer }>}
 */
export function send(target, agent, { method, path, headers = {}, body }) {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, target.url),
      {
        method,
        agent,
        headers: {
          ...(payload !== undefined ? { 'content-length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * Opens a watch (or any streamed GET) and keeps its JSON lines until `collect` takes them.
 * @returns {{ ready: Promise<{status: number, headers: object}>, collect: (count: number, timeoutMs: number) => Promise<object[]>, close: () => void }}
 */
export function openStream(target, agent, { path, headers = {} }) {
  const events = [];
  let buffered = '';
  let rawBody = '';
  let ended = false;
  let wake = () => {};
  let req;
  const ready = new Promise((resolve, reject) => {
    req = request(new URL(path, target.url), { method: 'GET', agent, headers }, (res) => {
      const head = { status: res.statusCode, headers: res.headers };
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (res.statusCode !== 200) {
          rawBody += chunk;
          return;
        }
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) events.push(safeParse(line));
        }
        wake();
      });
      res.on('end', () => {
        ended = true;
        if (buffered.trim()) events.push(safeParse(buffered.trim()));
        wake();
      });
      res.on('error', () => {
        ended = true;
        wake();
      });
      resolve(head);
    });
    req.on('error', (err) => {
      ended = true;
      wake();
      reject(err);
    });
    req.end();
  });
  return {
    ready,
    body: () => rawBody,
    ended: () => ended,
    async collect(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count && !ended && Date.now() < deadline) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return events.splice(0, events.length);
    },
    close() {
      req?.destroy();
    },
  };
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text };
  }
}
