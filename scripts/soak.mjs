// Soak: opens and closes many watches and makes many requests against the command (spawned), then checks
// that the server's memory came back (RSS within 10 % of where it was after warm-up), that it exits 0
// within 5 s of SIGTERM, and that the programmatic handle leaves no active handle behind after close().
// `--smoke` runs a small size (CI) and only reports the RSS figure; the full run fails past 10 %.
// Bounded in count and in time: each phase has a deadline.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist/cli/main.js');
const smoke = process.argv.includes('--smoke');
const WATCHES = smoke ? 300 : 10_000;
const REQUESTS = smoke ? 3_000 : 100_000;
const CONCURRENCY = 32;
// Create and delete pairs: in the full run 11,000 requests and store events, past every bounded
// record's 10,000 (the smoke run only reports).
const WARM_UP_WRITES = smoke ? 1_000 : 5_500;
const WATCH_CONCURRENCY = 50;
const RSS_TOLERANCE = 0.1;
const EXIT_BOUND_MS = 5_000;
const IDLE_MS = 3_000;
const PHASE_DEADLINE_MS = smoke ? 60_000 : 600_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks the server (started with `--inspect`) for a full garbage collection, through the inspector protocol:
 * Node runs no idle-time GC, so RSS after idling alone still holds the garbage of the last burst.
 */
async function connectInspector(url) {
  const ws = new globalThis.WebSocket(url);
  await new Promise((done, fail) => {
    ws.onopen = done;
    ws.onerror = () => fail(new Error(`cannot reach the inspector at ${url}`));
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  };
  return {
    collectGarbage: () =>
      new Promise((done) => {
        pending.set(++id, done);
        ws.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
      }),
    /** The server's `process.memoryUsage()`. */
    memoryUsage: () =>
      new Promise((done) => {
        pending.set(++id, (message) => done(JSON.parse(message.result.result.value)));
        const expression = 'JSON.stringify(process.memoryUsage())';
        ws.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression } }));
      }),
    close: () => ws.close(),
  };
}

/** Resident set size of a process in bytes, from Linux's /proc. */
async function rssOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

function credentialsFrom(kubeconfig) {
  const config = parse(kubeconfig);
  const decode = (value) => Buffer.from(value, 'base64').toString('utf8');
  return {
    ca: decode(config.clusters[0].cluster['certificate-authority-data']),
    cert: decode(config.users[0].user['client-certificate-data']),
    key: decode(config.users[0].user['client-key-data']),
  };
}

function call(baseUrl, credentials, agent, method, path, body) {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        agent,
        ...credentials,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Opens a watch on its own connection, waits for its first event, then closes it. */
function watchOnce(baseUrl, credentials) {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      new URL('/api/v1/namespaces/default/configmaps?watch=1', baseUrl),
      { ...credentials, agent: false },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`watch answered ${res.statusCode}`));
        res.once('data', () => {
          res.destroy();
          resolvePromise();
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Runs `task(i)` for i < count, `concurrency` at a time, within the phase deadline. */
async function pool(count, concurrency, task) {
  const deadline = Date.now() + PHASE_DEADLINE_MS;
  let next = 0;
  const failures = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        if (Date.now() > deadline) throw new Error(`phase deadline passed after ${next} of ${count}`);
        const i = next++;
        try {
          await task(i);
        } catch (error) {
          failures.push(error);
        }
      }
    }),
  );
  if (failures.length) throw new Error(`${failures.length} failures, first: ${failures[0].message}`);
}

/** A request of the mix: reads mostly, and one create and delete of a config map in ten. */
async function mixedRequest(baseUrl, credentials, agent, i) {
  const expectStatus = (code, wanted) => {
    if (code !== wanted) throw new Error(`request ${i}: ${code}, wanted ${wanted}`);
  };
  switch (i % 10) {
    case 0: {
      const name = `soak-${i}`;
      expectStatus(
        await call(baseUrl, credentials, agent, 'POST', '/api/v1/namespaces/default/configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name },
          data: { i: String(i) },
        }),
        201,
      );
      return expectStatus(
        await call(baseUrl, credentials, agent, 'DELETE', `/api/v1/namespaces/default/configmaps/${name}`),
        200,
      );
    }
    case 1:
    case 2:
      return expectStatus(
        await call(baseUrl, credentials, agent, 'GET', '/api/v1/namespaces/default/pods'),
        200,
      );
    case 3:
      return expectStatus(
        await call(baseUrl, credentials, agent, 'GET', '/api/v1/namespaces/missing/pods/x'),
        404,
      );
    default:
      return expectStatus(await call(baseUrl, credentials, agent, 'GET', '/api/v1/namespaces/default'), 200);
  }
}

async function soakCommand(dir) {
  const child = spawn(
    process.execPath,
    [
      '--inspect=127.0.0.1:0',
      BIN,
      '--port',
      '0',
      '--token-signing-alg',
      'ES256',
      '--kubeconfig',
      join(dir, 'kubeconfig'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = [];
  await new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) done();
    });
    child.once('exit', (code) => fail(new Error(`the server exited with ${code}:\n${stderr}`)));
  });
  const inspector = await connectInspector(/Debugger listening on (ws:\S+)/.exec(stderr)[1]);
  const settledRss = async () => {
    await sleep(IDLE_MS);
    const idle = await rssOf(child.pid);
    await inspector.collectGarbage();
    await sleep(500);
    return { idle, collected: await rssOf(child.pid), memory: await inspector.memoryUsage() };
  };
  try {
    const baseUrl = `https://127.0.0.1:${/PORT=(\d+)$/.exec(lines[1])[1]}`;
    const credentials = credentialsFrom(await readFile(join(dir, 'kubeconfig'), 'utf8'));
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const rss = { started: await rssOf(child.pid) };

    // Warm-up to the steady state: code compiled, and the bounded records full: the store's watch history
    // (10,000 events), the recorded requests and authorization decisions (10,000 each).
    await pool(WARM_UP_WRITES, CONCURRENCY, (i) => mixedRequest(baseUrl, credentials, agent, i * 10));
    await pool(2_000, CONCURRENCY, (i) => mixedRequest(baseUrl, credentials, agent, i));
    await pool(Math.min(1_000, WATCHES), WATCH_CONCURRENCY, () => watchOnce(baseUrl, credentials));
    rss.warm = await settledRss();

    let began = Date.now();
    await pool(WATCHES, WATCH_CONCURRENCY, () => watchOnce(baseUrl, credentials));
    const watchSeconds = (Date.now() - began) / 1000;
    rss.afterWatches = await rssOf(child.pid);
    began = Date.now();
    await pool(REQUESTS, CONCURRENCY, (i) => mixedRequest(baseUrl, credentials, agent, i));
    const requestSeconds = (Date.now() - began) / 1000;
    rss.peak = Math.max(rss.afterWatches, await rssOf(child.pid));
    agent.destroy();
    rss.end = await settledRss();
    inspector.close();

    const exitBegan = Date.now();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_BOUND_MS + 5_000);
    const [code] = await exited;
    clearTimeout(timer);
    return { rss, watchSeconds, requestSeconds, exitCode: code, exitMs: Date.now() - exitBegan };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Starts and closes the programmatic server with traffic in between; returns the handles left behind. */
async function programmaticLeaks() {
  const before = process.getActiveResourcesInfo();
  const { startFakeApiServer } = await import(join(ROOT, 'dist/index.js'));
  const server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
  const credentials = { ca: server.caCert, ...credentialsFrom(server.kubeconfig) };
  const agent = new Agent({ keepAlive: true });
  for (let i = 0; i < 20; i++) await mixedRequest(server.url, credentials, agent, i);
  const open = request(new URL('/api/v1/namespaces/default/pods?watch=1', server.url), {
    ...credentials,
    agent: false,
  });
  open.on('response', (res) => res.resume());
  open.on('error', () => {});
  open.end();
  await sleep(200);
  await server.close();
  agent.destroy();
  await sleep(100);
  const after = [...process.getActiveResourcesInfo()];
  for (const type of before) after.splice(after.indexOf(type), after.includes(type) ? 1 : 0);
  return after;
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main() {
  if (typeof globalThis.WebSocket === 'undefined') {
    // Node 20 has its WebSocket client (for the inspector) behind a flag.
    const rerun = spawnSync(process.execPath, ['--experimental-websocket', ...process.argv.slice(1)], {
      stdio: 'inherit',
    });
    process.exitCode = rerun.status ?? 1;
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-soak-'));
  try {
    const result = await soakCommand(dir);
    const leaks = await programmaticLeaks();
    const growth = (result.rss.end.collected - result.rss.warm.collected) / result.rss.warm.collected;
    const idleGrowth = (result.rss.end.idle - result.rss.warm.idle) / result.rss.warm.idle;
    const rows = [
      ['watches opened and closed', String(WATCHES), `${result.watchSeconds.toFixed(1)} s`],
      ['requests (1 in 10 a create and delete)', String(REQUESTS), `${result.requestSeconds.toFixed(1)} s`],
      ['RSS at start', mib(result.rss.started), ''],
      [
        'RSS after warm-up: 3 s idle / then a GC',
        `${mib(result.rss.warm.idle)} / ${mib(result.rss.warm.collected)}`,
        '',
      ],
      ['RSS after the watches / peak', `${mib(result.rss.afterWatches)} / ${mib(result.rss.peak)}`, ''],
      [
        'RSS at the end: 3 s idle / then a GC',
        `${mib(result.rss.end.idle)} / ${mib(result.rss.end.collected)}`,
        `${(idleGrowth * 100).toFixed(1)} % / ${(growth * 100).toFixed(1)} % vs warm-up`,
      ],
      [
        'V8 heap used / ArrayBuffers, after a GC',
        `${mib(result.rss.warm.memory.heapUsed)} / ${mib(result.rss.warm.memory.arrayBuffers)}`,
        `at the end: ${mib(result.rss.end.memory.heapUsed)} / ${mib(result.rss.end.memory.arrayBuffers)}`,
      ],
      ['exit after SIGTERM', `code ${result.exitCode}`, `${result.exitMs} ms`],
      ['handles left by close() (programmatic)', leaks.length ? leaks.join(', ') : 'none', ''],
    ];
    process.stdout.write(`soak${smoke ? ' (smoke)' : ''}, node ${process.version}\n`);
    for (const [what, value, note] of rows)
      process.stdout.write(`  ${what.padEnd(42)} ${value.padEnd(24)} ${note}\n`);

    const failures = [];
    if (result.exitCode !== 0) failures.push(`the server exited with ${result.exitCode} after SIGTERM`);
    if (result.exitMs > EXIT_BOUND_MS) failures.push(`the server took ${result.exitMs} ms to exit`);
    if (leaks.length) failures.push(`close() left active handles: ${leaks.join(', ')}`);
    if (growth > RSS_TOLERANCE) {
      const message = `RSS after a GC grew ${(growth * 100).toFixed(1)} % over the soak (bound ${RSS_TOLERANCE * 100} %)`;
      if (smoke) process.stdout.write(`  note: ${message} (smoke: reported only)\n`);
      else failures.push(message);
    }
    for (const failure of failures) process.stderr.write(`soak: FAILED: ${failure}\n`);
    process.exitCode = failures.length ? 1 : 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Nothing exits the process: it ends on its own once every handle is closed. If one leaked, say so.
  const watchdog = setTimeout(() => {
    process.stderr.write(
      `soak: FAILED: the process did not exit on its own: ${process.getActiveResourcesInfo()}\n`,
    );
    process.exit(1);
  }, 10_000);
  watchdog.unref();
}

main().catch((error) => {
  process.stderr.write(`soak: ${error.stack ?? error}\n`);
  process.exit(1);
});
