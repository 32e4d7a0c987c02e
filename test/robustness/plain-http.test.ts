import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { send } from '../support/https-client.js';
import { run } from '../support/external.js';

// Go's net/http on a TLS port, byte for byte (src/net/http/server.go, (*conn).serve).
const GO_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

let server: StartedFakeApiServer;
beforeAll(async () => {
  server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
});
afterAll(() => server?.close());

interface Exchange {
  /** Everything the server sent until it closed. */
  received: string;
  /** Whether the server ended the connection (its FIN) while this side kept its own open. */
  serverEnded: boolean;
}

/**
 * Writes `pieces` to the server's port over plain TCP, a few milliseconds apart, and never ends its own
 * side: resolves with what came back once the server closed the connection.
 */
function exchange(port: number, pieces: readonly (string | Buffer)[]): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let serverEnded = false;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      serverEnded = true;
      socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ received: Buffer.concat(chunks).toString('latin1'), serverEnded }));
    socket.on('connect', async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await sleep(20);
      }
    });
    setTimeout(() => reject(new Error('the server did not close the connection within 5 s')), 5000).unref();
  });
}

describe('plain HTTP sent to the TLS port', () => {
  it('is answered as Go answers it, to curl: HTTP/1.0 400 with its body, the connection closed', async () => {
    const result = await run('curl', [
      '-sS',
      '-i',
      '-w',
      '%{http_code}',
      `http://127.0.0.1:${server.port}/api`,
    ]);
    expect(result).toEqual({ code: 0, stdout: `${GO_ANSWER}400`, stderr: '' });
    expect((await send(server.url, server.caCert, { path: '/version' })).status).toBe(200);
  });

  it('is answered for each request line Go takes for HTTP, whole or sent a byte at a time', async () => {
    const requests = [
      'GET /api HTTP/1.1\r\nHost: x\r\n\r\n',
      'HEAD / HTTP/1.1\r\n\r\n',
      'POST /api/v1/namespaces HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}',
      'PUT /api HTTP/1.0\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\n\r\n',
    ];
    for (const request of requests) {
      expect(await exchange(server.port, [request])).toEqual({ received: GO_ANSWER, serverEnded: true });
    }
    // Go decides on the TLS record header's five bytes, so it waits for them.
    expect(await exchange(server.port, ['G', 'E', 'T', ' ', '/api HTTP/1.1\r\n\r\n'])).toEqual({
      received: GO_ANSWER,
      serverEnded: true,
    });
    // A request larger than any read: the answer still arrives whole, before the close.
    const big = `GET /api HTTP/1.1\r\nX-Pad: ${'a'.repeat(512 * 1024)}\r\n\r\n`;
    expect(await exchange(server.port, [big])).toEqual({ received: GO_ANSWER, serverEnded: true });
  });

  it('closes without an HTTP answer a request Go does not take for HTTP, as its failed handshake', async () => {
    for (const request of ['DELETE /api HTTP/1.1\r\n\r\n', 'PATCH /api HTTP/1.1\r\n\r\n', 'hello']) {
      expect((await exchange(server.port, [request])).received).toBe('');
    }
  });

  it('keeps TLS and a graceful close working beside a connection that has not said what it speaks', async () => {
    const local = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
    const undecided = exchange(local.port, ['GE']);
    await sleep(100);
    expect((await send(local.url, local.caCert, { path: '/version' })).status).toBe(200);
    const closing = Date.now();
    await local.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect((await undecided).received).toBe('');
  });
});
