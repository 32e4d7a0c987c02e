import { Agent, request } from 'node:https';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { send } from '../support/https-client.js';
import { openStream, until, type ClientCredentials } from './support/open-stream.js';

const servers: StartedFakeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(
  options: Parameters<typeof startFakeApiServer>[0],
): Promise<{ server: StartedFakeApiServer; credentials: ClientCredentials }> {
  const server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256', ...options });
  servers.push(server);
  return { server, credentials: { ca: server.caCert, ...adminCredentials(server.kubeconfig) } };
}

// kube-apiserver's max-in-flight filter answers with Go's http.Error, not a Status (maxinflight.go).
function expectTooManyRequests(response: { status: number; headers: any; text: string }): void {
  expect(response.status).toBe(429);
  expect(response.headers['retry-after']).toBe('1');
  expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(response.text).toBe('Too many requests, please try again later.\n');
}

describe('limits', () => {
  it('answers a watch past maxWatches with 429 and Retry-After, and takes one again once a watch ends', async () => {
    const { server, credentials } = await start({ maxWatches: 2 });
    const path = '/api/v1/namespaces/default/configmaps?watch=1';
    const first = await openStream(server.url, path, credentials);
    const second = await openStream(server.url, path, credentials);
    expect([first.res.statusCode, second.res.statusCode]).toEqual([200, 200]);

    expectTooManyRequests(await send(server.url, server.caCert, { path, client: credentials }));
    // Other requests are not held by the watch bound.
    expect((await send(server.url, server.caCert, { path: '/version', client: credentials })).status).toBe(
      200,
    );

    first.res.destroy();
    // The slot comes back once the server sees the connection close.
    let third = await openStream(server.url, path, credentials);
    for (let attempt = 0; attempt < 50 && third.res.statusCode === 429; attempt++) {
      await new Promise((r) => setTimeout(r, 20));
      third = await openStream(server.url, path, credentials);
    }
    expect(third.res.statusCode).toBe(200);
    second.res.destroy();
    third.res.destroy();
  });

  it('answers the requests of a connection past maxConnections with 429, closes it, and serves the others', async () => {
    const { server, credentials } = await start({ maxConnections: 2 });
    const agents = [0, 1, 2].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    const get = (agent: Agent) =>
      new Promise<{ status: number; headers: any; text: string }>((resolve, reject) => {
        const r = request(new URL('/version', server.url), { ...credentials, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        });
        r.on('error', reject);
        r.end();
      });
    try {
      expect((await get(agents[0]!)).status).toBe(200);
      expect((await get(agents[1]!)).status).toBe(200);
      const refused = await get(agents[2]!);
      expectTooManyRequests(refused);
      expect(refused.headers.connection).toBe('close');
      // The two connections within the bound keep being served.
      expect((await get(agents[0]!)).status).toBe(200);
      agents[0]!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect((await get(agents[2]!)).status).toBe(200);
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });

  it('cuts off a client that sends its headers one byte a second (slowloris) within the headers timeout', async () => {
    const { server } = await start({ headersTimeoutSeconds: 1 });
    const opened = Date.now();
    const socket = connectTls({ host: server.host, port: server.port, ca: server.caCert });
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    await new Promise((r) => socket.once('secureConnect', r));
    const headers = 'GET /version HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100) + '\r\n\r\n';
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(headers[sent++]!);
    }, 200);
    try {
      const elapsed = await closed;
      expect(sent).toBeLessThan(headers.length);
      expect(elapsed).toBeLessThan(1000 + 1000 + 1000); // the timeout, Node's 1 s check period, slack
      expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    } finally {
      clearInterval(drip);
    }
    expect((await send(server.url, server.caCert, { path: '/version' })).status).toBe(200);
  });

  it('closes a connection that never completes its TLS handshake within the headers timeout', async () => {
    const { server } = await start({ headersTimeoutSeconds: 1 });
    const opened = Date.now();
    const silent = connectTcp({ host: server.host, port: server.port });
    silent.on('error', () => {});
    const halfHello = connectTcp({ host: server.host, port: server.port });
    halfHello.on('error', () => {});
    halfHello.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])); // a ClientHello that never ends
    const elapsed = await Promise.all(
      [silent, halfHello].map(
        (socket) =>
          new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened))),
      ),
    );
    for (const ms of elapsed) expect(ms).toBeLessThan(3000);
    expect((await send(server.url, server.caCert, { path: '/version' })).status).toBe(200);
  });

  it('ends a watch whose client stops reading once its buffer is full; the other watch gets every event promptly', async () => {
    const messages: string[] = [];
    const watchBufferBytes = 256 * 1024;
    const { server, credentials } = await start({ watchBufferBytes, log: (m) => messages.push(m) });
    await server.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } });
    const { resourceVersion } = (
      await send(server.url, server.caCert, {
        path: '/api/v1/namespaces/load/configmaps',
        client: credentials,
      })
    ).json().metadata;
    const path = `/api/v1/namespaces/load/configmaps?watch=1&resourceVersion=${resourceVersion}`;
    const stalled = await openStream(server.url, path, credentials);
    const healthy = await openStream(server.url, path, credentials);
    stalled.res.pause();
    stalled.res.socket.pause();

    const events = 600;
    const payload = 'x'.repeat(20 * 1024); // 12 MiB in all: far past the buffer and the kernel's
    const before = process.memoryUsage().rss;
    for (let i = 0; i < events; i++) {
      await server.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace: 'load' },
        data: { payload },
      });
      await new Promise((r) => setImmediate(r)); // a client in this process gets to read
    }
    const produced = Date.now();
    await until(() => healthy.events.length >= events, 5000, 'the healthy watcher to get every event').catch(
      (error: Error) => {
        throw new Error(`${error.message}: got ${healthy.events.length} of ${events}`);
      },
    );
    expect(Date.now() - produced).toBeLessThan(2000);
    expect(healthy.events.map((e) => e.object.metadata.name)).toEqual(
      Array.from({ length: events }, (_, i) => `cm-${i}`),
    );
    // Memory did not grow with what the stalled watcher did not read (12 MiB produced).
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(
      messages.filter((m) => /^Forcing configmaps watcher close due to unresponsiveness/.test(m)),
    ).toHaveLength(1);

    stalled.res.socket.resume();
    stalled.res.resume();
    expect(await stalled.ended).toBe('end');
    expect(stalled.events.length).toBeGreaterThan(0);
    expect(stalled.events.length).toBeLessThan(events);
    // What it got is a prefix of the events, in order, without a gap.
    expect(stalled.events.map((e) => e.object.metadata.name)).toEqual(
      Array.from({ length: stalled.events.length }, (_, i) => `cm-${i}`),
    );
    healthy.res.destroy();
  });
});
