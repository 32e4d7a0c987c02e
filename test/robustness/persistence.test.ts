import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { run } from '../support/external.js';

// --data-dir: every write that got a 2xx is on disk before the answer, so it survives kill -9 of the
// command under load from several connections; the restarted server continues the resourceVersion and
// reuses the CA and signing key, so files handed out by the first run (ca.crt, token) stay valid.

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const WRITERS = 8;
const LOAD_MS = 1500;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the command and resolves once it has printed its exports. */
async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolvePort, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^export KUBERNETES_SERVICE_PORT=(\d+)$/.exec(line);
      if (match) resolvePort(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, port, stderr: () => stderr };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

interface Answer {
  status: number;
  body: any;
}

/** A client on one keep-alive connection of its own, with the admin's certificate. */
function connection(port: number, ca: string, client: { cert: string; key: string }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (method: string, path: string, body?: unknown): Promise<Answer> =>
    new Promise((resolveAnswer, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const r = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          ca,
          agent,
          ...client,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolveAnswer({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
          );
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.end(payload);
    });
  return { send, close: () => agent.destroy() };
}

/** What the server acknowledged about one ConfigMap. */
interface Acknowledged {
  uid: string;
  /** The highest `data.v` acknowledged. */
  value: number;
  /** A DELETE was sent: it may have reached the disk even if its answer never came. */
  deleteSent: boolean;
  deleted: boolean;
}

const NS = 'default';
const collection = `/api/v1/namespaces/${NS}/configmaps`;
const configMap = (name: string, value: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS, labels: { load: 'persistence' } },
  data: { v: String(value) },
});

describe('--data-dir', () => {
  it('keeps every acknowledged write across kill -9 under load, and the tokens handed out stay valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-persistence-'));
    const dataDir = join(dir, 'data');
    const kubeconfigPath = join(dir, 'kubeconfig');
    const first = await startCli([
      '--data-dir',
      dataDir,
      '--sa-dir',
      join(dir, 'sa'),
      '--kubeconfig',
      kubeconfigPath,
    ]);
    const ca = await readFile(join(dir, 'sa', 'ca.crt'), 'utf8');
    const token = await readFile(join(dir, 'sa', 'token'), 'utf8');
    const admin = adminCredentials(await readFile(kubeconfigPath, 'utf8'));

    // Writers create, update twice and (every third object) delete ConfigMaps, each over its own
    // connection, recording only what got a 2xx; the server is killed mid-flight.
    const acknowledged = new Map<string, Acknowledged>();
    let highestVersion = 0;
    let stop = false;
    const ack = (answer: Answer, expected: number): boolean => {
      if (answer.status !== expected) throw new Error(`${answer.status}: ${JSON.stringify(answer.body)}`);
      // A DELETE answers a Status without a resourceVersion, as kube-apiserver does for most kinds.
      const version = Number(answer.body.metadata?.resourceVersion);
      if (Number.isInteger(version)) highestVersion = Math.max(highestVersion, version);
      return true;
    };
    const writer = async (w: number): Promise<number> => {
      const { send, close } = connection(first.port, ca, admin);
      let operations = 0;
      try {
        for (let i = 0; !stop; i++) {
          const name = `w${w}-${i}`;
          const created = await send('POST', collection, configMap(name, 0));
          ack(created, 201);
          const record: Acknowledged = {
            uid: created.body.metadata.uid as string,
            value: 0,
            deleteSent: false,
            deleted: false,
          };
          acknowledged.set(name, record);
          for (const value of [1, 2]) {
            ack(await send('PUT', `${collection}/${name}`, configMap(name, value)), 200);
            record.value = value;
          }
          if (i % 3 === 0) {
            record.deleteSent = true;
            ack(await send('DELETE', `${collection}/${name}`), 200);
            record.deleted = true;
          }
          operations += i % 3 === 0 ? 4 : 3;
        }
      } catch (error) {
        // The connection dies with the server: whatever was in flight was never acknowledged.
        if (!stop) throw error;
      } finally {
        close();
      }
      return operations;
    };
    const load = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await new Promise((r) => setTimeout(r, LOAD_MS));
    stop = true;
    first.child.kill('SIGKILL');
    expect(await exitOf(first.child)).toEqual({ code: null, signal: 'SIGKILL' });
    const operations = (await load).reduce((a, b) => a + b, 0);
    expect(operations).toBeGreaterThan(100);
    const deletions = [...acknowledged.values()].filter((a) => a.deleted).length;
    expect(deletions).toBeGreaterThan(10);

    const second = await startCli(['--data-dir', dataDir, '--anonymous-auth', 'false']);
    const { send, close } = connection(second.port, ca, admin);
    try {
      const list = await send('GET', `${collection}?labelSelector=load%3Dpersistence`);
      expect(list.status).toBe(200);
      const stored = new Map<string, any>(list.body.items.map((item: any) => [item.metadata.name, item]));
      let present = 0;
      for (const [name, expected] of acknowledged) {
        const found = stored.get(name);
        if (expected.deleted) {
          expect(found, `${name} was deleted`).toBeUndefined();
          continue;
        }
        if (!found && expected.deleteSent) continue;
        expect(found, `${name} was created`).toBeDefined();
        expect(found.metadata.uid).toBe(expected.uid);
        // An update in flight at the kill may have reached the disk without its answer.
        expect(Number(found.data.v), `${name}.data.v`).toBeGreaterThanOrEqual(expected.value);
        present++;
      }
      expect(present).toBeGreaterThan(30);
      expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(highestVersion);
      const next = await send('POST', collection, configMap('after-restart', 0));
      expect(next.status).toBe(201);
      expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(highestVersion);
    } finally {
      close();
    }

    // The sa-dir of the first run still works: the CA and signing key came from DATA_DIR/keys, and the
    // service account kept its uid. Anonymous requests are off, so only a valid token gets a 200.
    const curl = (bearer: string) =>
      run('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        join(dir, 'sa', 'ca.crt'),
        '-H',
        `Authorization: Bearer ${bearer}`,
        `https://127.0.0.1:${second.port}/apis`,
      ]);
    expect(await curl(token)).toMatchObject({ code: 0, stdout: '200', stderr: '' });
    expect((await curl(`${token.slice(0, -4)}AAAA`)).stdout).toBe('401');

    second.child.kill('SIGTERM');
    expect(await exitOf(second.child)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'lock'))).toBe(false);
  });

  it('serves a data dir as it was left: fixtures seed it only while empty; one server at a time', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-persistence-')), 'data');
    const helloworld = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'helloworld' };
    const first = await startFakeApiServer({ dataDir });
    const [created] = await first.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kept', namespace: 'default' },
      data: { a: '1' },
    });
    expect(first.delete(helloworld)).toBeDefined();
    await expect(startFakeApiServer({ dataDir })).rejects.toMatchObject({
      code: 'DATA_DIR_IN_USE',
      message: expect.stringContaining(`is in use by another fake-apiserver (pid ${process.pid})`),
    });
    await first.close();

    await using second = await startFakeApiServer({ dataDir });
    expect(second.get(helloworld)).toBeUndefined();
    expect(
      second.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'kept' }),
    ).toMatchObject({
      metadata: { uid: created!.metadata!.uid, resourceVersion: created!.metadata!.resourceVersion },
      data: { a: '1' },
    });
    expect(second.caCert).toBe(first.caCert);
  });

  it('refuses a directory that holds other files, before writing anything in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-persistence-'));
    await mkdir(join(dir, 'home'));
    await writeFile(join(dir, 'home', 'notes.txt'), 'mine');
    const result = await run(process.execPath, [BIN, '--port', '0', '--data-dir', join(dir, 'home')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `[fake-apiserver] data dir ${join(dir, 'home')}: not empty, and not a fake-apiserver data dir (it holds notes.txt)`,
    );
    expect(existsSync(join(dir, 'home', 'keys'))).toBe(false);
  });
});
