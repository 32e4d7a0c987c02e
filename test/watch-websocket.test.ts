import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';

/** What the server answered an upgrade request with: a 101 and its socket, or an ordinary response. */
type Answer =
  | { upgraded: true; headers: IncomingHttpHeaders; socket: Socket; head: Buffer }
  | { upgraded: false; status: number; headers: IncomingHttpHeaders; body: string };

/** A WebSocket message or control frame, as a client reads it (server frames are unmasked). */
interface Frame {
  opcode: number;
  payload: Buffer;
}

const KEY = randomBytes(16).toString('base64');
const ACCEPT = createHash('sha1').update(`${KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
const HANDSHAKE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': KEY,
  // What Vert.x (fabric8's default HTTP client) sends; x/net/websocket's Handler refuses a missing one.
  origin: 'https://127.0.0.1',
};

/** A client frame: FIN, masked, as RFC 6455 requires of clients. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

/** Collects the server's frames from a socket. */
function readFrames(socket: Socket, head: Buffer) {
  const frames: Frame[] = [];
  let pending = head;
  let ended = false;
  const parse = () => {
    for (;;) {
      if (pending.length < 2) return;
      expect(pending[1]! & 0x80).toBe(0); // never masked
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (pending.length < offset + length) return;
      expect(pending[0]! & 0x80).toBe(0x80); // one frame per message
      frames.push({ opcode: pending[0]! & 0x0f, payload: pending.subarray(offset, offset + length) });
      pending = pending.subarray(offset + length);
    }
  };
  parse();
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    parse();
  });
  socket.on('close', () => (ended = true));
  return {
    frames,
    get ended() {
      return ended;
    },
    /** The JSON events of the text messages so far. */
    events: () =>
      frames
        .filter((frame) => frame.opcode === 1)
        .map((frame) => JSON.parse(frame.payload.toString('utf8')) as { type: string; object: any }),
  };
}

async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('watch over a WebSocket (fabric8 watches this way)', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startFakeApiServer({ fixtures: [] });
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await server?.close();
  });

  function upgrade(
    path: string,
    headers: Record<string, string>,
    credentials: object = admin,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server.url), { headers, ca: server.caCert, ...credentials });
      req.on('upgrade', (res, socket, head) => {
        sockets.push(socket);
        resolve({ upgraded: true, headers: res.headers, socket, head });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({ upgraded: false, status: res.statusCode!, headers: res.headers, body }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  const configMap = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels: { set: 'ws' } },
  });

  it('switches protocols, sends each event as one text message, and ends with a close frame (1000)', async () => {
    await server.apply([configMap('before')]);
    const answer = await upgrade(
      '/api/v1/namespaces/default/configmaps?watch=true&labelSelector=set%3Dws&timeoutSeconds=2',
      HANDSHAKE,
    );
    if (!answer.upgraded) throw new Error(`not upgraded: ${answer.status} ${answer.body}`);
    expect(answer.headers).toEqual({
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-accept': ACCEPT,
    });
    const stream = readFrames(answer.socket, answer.head);
    await until(() => stream.events().length >= 1, 'the initial ADDED');
    await server.apply([configMap('after')]);
    await until(() => stream.events().length >= 2, 'the new ADDED');
    expect(stream.events().map((event) => [event.type, event.object.metadata.name])).toEqual([
      ['ADDED', 'before'],
      ['ADDED', 'after'],
    ]);
    // As HandleWS writes them: the JSON encoder's output, newline included.
    expect(stream.frames[0]!.payload.toString('utf8')).toMatch(/^\{"type":"ADDED","object":\{.*\}\}\n$/);
    await until(() => stream.ended, 'the end of the watch (timeoutSeconds)', 5000);
    expect(stream.frames.at(-1)).toEqual({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) });
  });

  it('answers a ping with a pong, and a close frame with its own close frame', async () => {
    const answer = await upgrade('/api/v1/namespaces/default/configmaps?watch=true', HANDSHAKE);
    if (!answer.upgraded) throw new Error(`not upgraded: ${answer.status} ${answer.body}`);
    const stream = readFrames(answer.socket, answer.head);
    answer.socket.write(clientFrame(0x9, Buffer.from('hello')));
    await until(() => stream.frames.some((frame) => frame.opcode === 0xa), 'the pong');
    expect(stream.frames.find((frame) => frame.opcode === 0xa)?.payload.toString()).toBe('hello');
    answer.socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
    await until(() => stream.ended, 'the server to close');
    expect(stream.frames.at(-1)).toEqual({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) });
  });

  it('echoes the one subprotocol asked for', async () => {
    const answer = await upgrade('/api/v1/namespaces/default/configmaps?watch=true', {
      ...HANDSHAKE,
      'sec-websocket-protocol': 'v4.channel.k8s.io',
    });
    expect(answer.upgraded && answer.headers['sec-websocket-protocol']).toBe('v4.channel.k8s.io');
  });

  it("refuses what x/net/websocket's Handler refuses: no Origin, another version, two subprotocols", async () => {
    const { origin: _origin, ...withoutOrigin } = HANDSHAKE;
    const path = '/api/v1/namespaces/default/configmaps?watch=true';
    expect(await upgrade(path, withoutOrigin)).toMatchObject({ upgraded: false, status: 403, body: '' });
    expect(await upgrade(path, { ...HANDSHAKE, 'sec-websocket-version': '8' })).toMatchObject({
      upgraded: false,
      status: 400,
      headers: { 'sec-websocket-version': '13' },
      body: 'missing or bad WebSocket Version',
    });
    expect(await upgrade(path, { ...HANDSHAKE, 'sec-websocket-protocol': 'a, b' })).toMatchObject({
      upgraded: false,
      status: 400,
      body: '',
    });
  });

  it('answers a refused watch with the Status, as for any request, before any upgrade', async () => {
    const token = server.issueToken('default/default');
    const answer = await upgrade(
      '/api/v1/namespaces/default/configmaps?watch=true',
      { ...HANDSHAKE, authorization: `Bearer ${token}` },
      {},
    );
    expect(answer).toMatchObject({ upgraded: false, status: 403 });
    expect(JSON.parse((answer as { body: string }).body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message:
        'configmaps is forbidden: User "system:serviceaccount:default:default" cannot watch resource "configmaps" in API group "" in the namespace "default"',
    });
  });

  it('serves a request that is not a watch as usual, WebSocket headers or not', async () => {
    const answer = await upgrade('/api/v1/namespaces/default/configmaps', HANDSHAKE);
    expect(answer).toMatchObject({ upgraded: false, status: 200 });
    expect(JSON.parse((answer as { body: string }).body)).toMatchObject({ kind: 'ConfigMapList' });
  });
});
