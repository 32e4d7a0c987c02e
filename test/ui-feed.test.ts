import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { send } from './support/https-client.js';
import { until } from './robustness/support/open-stream.js';

const FEED = '/fake-apiserver/ui/events';

/** One Server-Sent Event. */
interface FeedEvent {
  event: string;
  data: any;
}

/** Parses complete events out of `text`; returns them and what is left of an event still coming. */
function parseEvents(text: string): { events: FeedEvent[]; rest: string } {
  const blocks = text.split('\n\n');
  const rest = blocks.pop()!;
  const events: FeedEvent[] = [];
  for (const block of blocks) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const colon = line.indexOf(': ');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
    }
    if (fields.has('event'))
      events.push({ event: fields.get('event')!, data: JSON.parse(fields.get('data')!) });
  }
  return { events, rest };
}

/** The body of a chunked HTTP/1.1 response, from the first chunk's size line to the last chunk. */
function dechunk(raw: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = parseInt(raw.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    body += raw.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** Trades the token of `uiUrl` for the inspector's cookie, as a browser does on its first visit. */
async function inspectorCookie(server: StartedFakeApiServer): Promise<string> {
  const url = new URL(server.uiUrl!);
  const opened = await send(server.url, server.caCert, { path: `${url.pathname}${url.search}` });
  return (opened.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
}

/** The feed read as a browser would: every event as it arrives. */
function followFeed(
  server: StartedFakeApiServer,
  cookie: string,
): Promise<{ events: FeedEvent[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const options = { ca: server.caCert, agent: false as const, headers: { cookie } };
    const req = request(new URL(FEED, server.url), options, (res) => {
      expect(res.statusCode).toBe(200);
      const events: FeedEvent[] = [];
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const parsed = parseEvents(pending + chunk);
        events.push(...parsed.events);
        pending = parsed.rest;
      });
      resolve({ events, close: () => res.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: StartedFakeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("the web inspector's live feed", () => {
  it('cuts off a client that stops reading once watchBufferBytes are queued for it; a reader keeps receiving', async () => {
    const messages: string[] = [];
    const watchBufferBytes = 256 * 1024;
    const server = await startFakeApiServer({ ui: true, watchBufferBytes, log: (m) => messages.push(m) });
    servers.push(server);
    const cutOff = () => messages.filter((m) => m.startsWith('Forcing web inspector feed close'));
    const cookie = await inspectorCookie(server);

    // The stalled client: a raw TLS connection that reads the response head and the first events, then
    // never reads again.
    const stalled = connect({ host: server.host, port: server.port, ca: server.caCert });
    let received = '';
    stalled.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const ended = new Promise<void>((resolve) => stalled.once('end', resolve));
    await new Promise((resolve) => stalled.once('secureConnect', resolve));
    stalled.write(`GET ${FEED} HTTP/1.1\r\nHost: ${server.host}:${server.port}\r\nCookie: ${cookie}\r\n\r\n`);
    await until(() => received.includes('event: ready'), 5000, 'the stalled client to be ready');
    stalled.pause();
    const reader = await followFeed(server, cookie);
    await until(() => reader.events.some((e) => e.event === 'ready'), 5000, 'the reader to be ready');

    // Each denied request is one decision event of about 30 KiB (its long path, in it and its explanation).
    const paths: string[] = [];
    for (let i = 0; i < 2000 && cutOff().length === 0; i++) {
      paths.push(`/stalled-feed-${i}/${'x'.repeat(4096)}`);
      expect((await send(server.url, server.caCert, { path: paths[i]! })).status).toBe(403);
    }
    expect(cutOff()).toHaveLength(1);
    // What the server held for it stayed within the bound (plus the one event that crossed it), although
    // the kernel's socket buffers had filled long before.
    const queued = Number(/: (\d+) bytes queued for /.exec(cutOff()[0]!)?.[1]);
    expect(queued).toBeGreaterThan(watchBufferBytes);
    expect(queued).toBeLessThan(watchBufferBytes + 64 * 1024);

    // The reader got every decision, in order, and goes on getting new ones.
    const decisionPaths = () =>
      reader.events.filter((e) => e.event === 'decision').map((e) => e.data.path as string);
    await until(() => decisionPaths().length >= paths.length, 5000, 'the reader to get every decision');
    expect(decisionPaths()).toEqual(paths);
    expect((await send(server.url, server.caCert, { path: '/after-the-cut' })).status).toBe(403);
    await until(() => decisionPaths().includes('/after-the-cut'), 5000, 'the reader to get a new decision');
    reader.close();

    // Once the stalled client reads again it gets what was queued (every decision up to the cut, none
    // after), then the end of the feed, and the server closes the connection.
    stalled.resume();
    await ended;
    expect(received.endsWith('\r\n0\r\n\r\n')).toBe(true);
    expect(received).toContain('Connection: close');
    const got = parseEvents(dechunk(received.slice(received.indexOf('\r\n\r\n') + 4)))
      .events.filter((e) => e.event === 'decision')
      .map((e) => e.data.path as string);
    expect(got).toEqual(paths);
    stalled.destroy();
  });
});
