import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { isolatedNpxEnv } from '../support/external.js';
import { send, type TestResponse } from '../support/https-client.js';
import { openStream, type ClientCredentials } from './support/open-stream.js';

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'dist/cli/main.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Handles and requests that keep a Node process alive, counted by type. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Starts load: `count` lists of config maps (each delayed by a fault, so they are in flight) and 2 watches. */
async function startLoad(baseUrl: string, credentials: ClientCredentials, count: number) {
  const client = { cert: credentials.cert, key: credentials.key };
  const lists = Array.from({ length: count }, () =>
    send(baseUrl, credentials.ca, { path: '/api/v1/configmaps', client }).catch((error: Error) => error),
  );
  const watches = await Promise.all(
    [0, 1].map(() => openStream(baseUrl, '/api/v1/namespaces/default/pods?watch=1', credentials)),
  );
  await new Promise((r) => setTimeout(r, 150)); // the lists have arrived and wait out their latency
  return { lists, watches };
}

async function expectLoadCompleted(load: Awaited<ReturnType<typeof startLoad>>): Promise<void> {
  for (const result of await Promise.all(load.lists)) {
    expect(result).not.toBeInstanceOf(Error);
    expect((result as TestResponse).status).toBe(200);
    expect((result as TestResponse).json().kind).toBe('ConfigMapList');
  }
  for (const watch of load.watches) {
    expect(await watch.ended).toBe('end');
    expect(watch.events.length).toBeGreaterThan(0); // the initial ADDED events arrived before the end
  }
}

const latency = { verb: 'list', resource: 'configmaps', latency: 500 };

describe('shutdown', () => {
  it('close() lets in-flight requests complete, ends watches cleanly, is idempotent and leaves no handle', async () => {
    const baseline = activeResources();
    const server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256', faults: [latency] });
    const credentials = { ca: server.caCert, ...adminCredentials(server.kubeconfig) };
    const load = await startLoad(server.url, credentials, 20);

    const began = Date.now();
    const first = server.close();
    const second = server.close();
    expect(second).toBe(first);
    await Promise.all([first, second, server[Symbol.asyncDispose]()]);
    expect(Date.now() - began).toBeLessThan(2000);
    await expectLoadCompleted(load);
    // A new connection is refused.
    await expect(send(server.url, server.caCert, { path: '/version' })).rejects.toThrow(/ECONNREFUSED/);

    await new Promise((r) => setTimeout(r, 50)); // the clients' sockets see their close
    const left = activeResources();
    for (const [type, count] of left) expect(`${type}: ${count}`).toBe(`${type}: ${baseline.get(type) ?? 0}`);
  });

  it('close() cuts a request still running after shutdownTimeoutSeconds', async () => {
    const server = await startFakeApiServer({
      tokenSigningAlgorithm: 'ES256',
      shutdownTimeoutSeconds: 0.5,
      faults: [{ ...latency, latency: '3s', times: 1 }],
    });
    const client = adminCredentials(server.kubeconfig);
    const stuck = send(server.url, server.caCert, { path: '/api/v1/configmaps', client }).catch(
      (error: Error) => error,
    );
    await new Promise((r) => setTimeout(r, 150));
    const began = Date.now();
    await server.close();
    expect(Date.now() - began).toBeGreaterThanOrEqual(450);
    expect(Date.now() - began).toBeLessThan(1500);
    expect(await stuck).toBeInstanceOf(Error);
  });

  it('SIGTERM under load: the command lets in-flight requests complete, ends watches, and exits 0 within 5 s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-shutdown-'));
    await writeFile(join(dir, 'faults.json'), JSON.stringify([latency]));
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--port',
        '0',
        '--token-signing-alg',
        'ES256',
        '--faults',
        join(dir, 'faults.json'),
        '--kubeconfig',
        join(dir, 'kubeconfig'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const port = await exportedPort(child);
    const baseUrl = `https://127.0.0.1:${port}`;
    const kubeconfig = await readFile(join(dir, 'kubeconfig'), 'utf8');
    const admin = adminCredentials(kubeconfig);
    const caData = /certificate-authority-data: (\S+)/.exec(kubeconfig)?.[1] ?? '';
    const ca = Buffer.from(caData, 'base64').toString('utf8');
    const load = await startLoad(baseUrl, { ca, ...admin }, 30);

    const began = Date.now();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - began).toBeLessThan(5000);
    await expectLoadCompleted(load);
  });

  it('leaves no process behind when npx, which started it, is killed outright', async () => {
    const npx = spawn(
      'npx',
      ['--no-install', 'fake-apiserver', '--port', '0', '--token-signing-alg', 'ES256'],
      {
        cwd: REPO,
        env: isolatedNpxEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(npx);
    const port = await exportedPort(npx);
    const tree = descendants(npx.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(1); // sh -c, then node
    npx.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (tree.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = tree.filter(alive);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(left).toEqual([]);
    await expect(send(`https://127.0.0.1:${port}`, '', { path: '/version' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

function exportedPort(child: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) resolvePort(Number(/PORT=(\d+)$/.exec(lines[1]!)?.[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing the exports`)));
  });
}

/** Every process below `pid`, from `ps`. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows) {
      if (ppid !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
