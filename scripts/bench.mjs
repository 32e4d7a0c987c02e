#!/usr/bin/env node
// Benchmarks fake-apiserver against a bare Node `https` server measured in the same run, and prints the
// figures side by side with their ratios. `--smoke` runs tiny sizes (CI keeps the script from rotting);
// `--json` prints the results as JSON. Run `npm run build` first (npm run bench does).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

import {
  BIN,
  CONNECTIONS,
  CYCLES,
  LOAD_SECONDS,
  PINNING,
  ROOT,
  ROUNDS,
  START_RUNS,
  asJson,
  median,
  smoke,
  spawnUntil,
  stop,
} from './bench-support.mjs';
import { clusterBench } from './bench-cluster.mjs';
import { scale, watchFanOut } from './bench-scale.mjs';

/** A bare https server answering every request with `body`: the baseline. */
async function writeBaseline(dir, cert, key, body) {
  const file = join(dir, 'baseline.mjs');
  await writeFile(
    file,
    `import { createServer } from 'node:https';
const body = ${JSON.stringify(body)};
const server = createServer({ cert: ${JSON.stringify(cert)}, key: ${JSON.stringify(key)} }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`,
  );
  return file;
}

/** Spawn-to-ready times of the command; with a key cache (warmed by a first run) for a warm start. */
async function startTimes(dir, label, extraArgs = []) {
  const times = [];
  for (let i = 0; i < START_RUNS; i++) {
    const sa = join(dir, `sa-${label}-${i}`);
    const { ms, child } = await spawnUntil(
      [
        BIN,
        '--port',
        '0',
        '--sa-dir',
        sa,
        '--kubeconfig',
        join(dir, `kubeconfig-${label}-${i}`),
        ...extraArgs,
      ],
      (lines) => lines.length === 2,
    );
    times.push(ms);
    await stop(child);
  }
  return times;
}

async function load(url, { token, ca, path, method = 'GET', seconds = LOAD_SECONDS }) {
  const result = await autocannon({
    url: url + path,
    method,
    connections: CONNECTIONS,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    tlsOptions: { ca },
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${path}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

function call(baseUrl, ca, agent, token, method, path, body) {
  return new Promise((done, fail) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = request(
      baseUrl + path,
      {
        method,
        agent,
        ca,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode < 300 ? done() : fail(new Error(`${method} ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}

/** Create-then-delete cycles of config maps from CONNECTIONS concurrent workers. */
async function createDeleteCycles(url, ca, token) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, ca });
  const perWorker = Math.ceil(CYCLES / CONNECTIONS);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      for (let i = 0; i < perWorker; i++) {
        const name = `bench-${worker}-${i}`;
        await call(url, ca, agent, token, 'POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name },
          data: { k: 'v' },
        });
        await call(url, ca, agent, token, 'DELETE', `/api/v1/namespaces/default/configmaps/${name}`);
      }
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { cyclesPerSecond: (perWorker * CONNECTIONS) / seconds };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-bench-'));
  const results = { node: process.version, smoke };
  try {
    const fakeStarts = await startTimes(dir, 'cold');
    const keyCache = join(dir, 'key-cache');
    await startTimes(dir, 'warm-up', ['--key-cache', keyCache]);
    const warmStarts = await startTimes(dir, 'warm', ['--key-cache', keyCache]);

    // The fake for the load phase runs as pod-reader, granted config map writes by an extra fixture.
    const fixtures = join(dir, 'bench-rbac.yaml');
    await writeFile(
      fixtures,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: bench-configmaps, namespace: default }
subjects: [{ kind: ServiceAccount, name: pod-reader, namespace: default }]
roleRef: { kind: ClusterRole, name: bench-configmaps, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: bench-configmaps }
rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["create", "delete"] }]
`,
    );
    const loadSa = join(dir, 'sa-load');
    const fake = await spawnUntil(
      [
        BIN,
        '--port',
        '0',
        '--sa-dir',
        loadSa,
        '--service-account',
        'default/pod-reader',
        '--fixtures',
        join(ROOT, 'fixtures'),
        '--fixtures',
        fixtures,
      ],
      (lines) => lines.length === 2,
      { pinned: true },
    );
    const fakePort = Number(fake.lines[1].split('=')[1]);
    const fakeUrl = `https://127.0.0.1:${fakePort}`;
    const fakeCa = await readFile(join(loadSa, 'ca.crt'), 'utf8');
    const token = await readFile(join(loadSa, 'token'), 'utf8');
    const podBody = await new Promise((done, fail) => {
      request(
        `${fakeUrl}/api/v1/namespaces/default/pods/helloworld`,
        { ca: fakeCa, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => done(text));
        },
      )
        .on('error', fail)
        .end();
    });

    // The baseline gets a ready-made certificate: its start-up includes no key generation.
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
    });
    const baselineFile = await writeBaseline(dir, pems.cert, pems.private, podBody);
    const baselineStarts = [];
    for (let i = 0; i < START_RUNS; i++) {
      const { ms, child } = await spawnUntil([baselineFile], (lines) => lines.length === 1);
      baselineStarts.push(ms);
      await stop(child);
    }
    results.coldStart = { fakeMs: median(fakeStarts), baselineMs: median(baselineStarts) };
    results.warmStart = { fakeMs: median(warmStarts), baselineMs: median(baselineStarts) };

    const baseline = await spawnUntil([baselineFile], (lines) => lines.length === 1, { pinned: true });
    const baselineUrl = `https://127.0.0.1:${baseline.lines[0].split(' ')[1]}`;
    const podPath = '/api/v1/namespaces/default/pods/helloworld';
    // Unrecorded first: both servers' code is compiled by the JIT before anything counts.
    await load(fakeUrl, { token, ca: fakeCa, path: podPath, seconds: 1 });
    await load(baselineUrl, { ca: pems.cert, path: podPath, seconds: 1 });
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push({
        fake: await load(fakeUrl, { token, ca: fakeCa, path: podPath }),
        baseline: await load(baselineUrl, { ca: pems.cert, path: podPath }),
      });
    }
    const medianOf = (pick) => median(rounds.map(pick));
    results.getPod = {
      rounds: ROUNDS,
      pinned: PINNING,
      fake: {
        rps: medianOf((r) => r.fake.rps),
        p50: medianOf((r) => r.fake.p50),
        p99: medianOf((r) => r.fake.p99),
      },
      baseline: {
        rps: medianOf((r) => r.baseline.rps),
        p50: medianOf((r) => r.baseline.p50),
        p99: medianOf((r) => r.baseline.p99),
      },
      throughputRatio: medianOf((r) => r.fake.rps / r.baseline.rps),
      p99Ratio: medianOf((r) => r.fake.p99 / Math.max(r.baseline.p99, 1)),
    };
    results.listPods = {
      fake: await load(fakeUrl, { token, ca: fakeCa, path: '/api/v1/namespaces/default/pods' }),
    };
    results.createDelete = await createDeleteCycles(fakeUrl, fakeCa, token);
    await stop(fake.child);
    await stop(baseline.child);
    results.scale = await scale(dir);
    results.watchFanOut = await watchFanOut(dir);
    results.cluster = await clusterBench(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  if (asJson) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const f = (n) => n.toFixed(1);
  const verdict = (met) => (smoke ? '(smoke)' : met ? 'met' : 'MISSED');
  const ratio = (a, b) => a / Math.max(b, 1e-9);
  const cold = ratio(results.coldStart.fakeMs, results.coldStart.baselineMs);
  const warm = ratio(results.warmStart.fakeMs, results.warmStart.baselineMs);
  const throughput = results.getPod.throughputRatio;
  const tail = results.getPod.p99Ratio;
  const rows = [
    ['measure', 'fake-apiserver', 'bare https', 'ratio', 'target', ''],
    [
      'cold start, spawn to ready (ms, median)',
      f(results.coldStart.fakeMs),
      f(results.coldStart.baselineMs),
      `${cold.toFixed(2)}x`,
      '<= 2.5x',
      verdict(cold <= 2.5),
    ],
    [
      'warm start with --key-cache (ms, median)',
      f(results.warmStart.fakeMs),
      f(results.warmStart.baselineMs),
      `${warm.toFixed(2)}x`,
      '<= 2x',
      verdict(warm <= 2),
    ],
    [
      `GET pod as SA, req/s (${CONNECTIONS} conns, median of ${results.getPod.rounds} rounds)`,
      f(results.getPod.fake.rps),
      f(results.getPod.baseline.rps),
      `${(throughput * 100).toFixed(0)}%`,
      '>= 50%',
      verdict(throughput >= 0.5),
    ],
    [
      'GET pod latency p99 (ms)',
      f(results.getPod.fake.p99),
      f(results.getPod.baseline.p99),
      `${tail.toFixed(2)}x`,
      '<= 3x',
      verdict(tail <= 3),
    ],
    ['LIST pods in default, req/s', f(results.listPods.fake.rps), '-', '-', '-', ''],
    ['create+delete cycles/s', f(results.createDelete.cyclesPerSecond), '-', '-', '-', ''],
  ];
  const { scale: sc, watchFanOut: wf } = results;
  const scaleRows = [
    ['measure', 'value', 'target', ''],
    [`start with ${sc.pods} pods in ${sc.namespaces} namespaces (ms)`, f(sc.startMs), '-', ''],
    ['RSS after loading (MiB)', f(sc.rssMiB), '<= 250', verdict(sc.rssMiB <= 250)],
    [
      `LIST one namespace (${sc.podsPerNamespace} pods), p50 / p99 ms`,
      `${f(sc.listNamespace.p50)} / ${f(sc.listNamespace.p99)}`,
      'p50 <= 5',
      verdict(sc.listNamespace.p50 <= 5),
    ],
    [
      `LIST all pods by label (${sc.labelMatches} match), p50 ms`,
      f(sc.listByLabel.p50),
      '<= 50',
      verdict(sc.listByLabel.p50 <= 50),
    ],
    [`paginated LIST limit=500, all ${sc.pods} pods (ms, ${sc.pages} pages)`, f(sc.paginatedMs), '-', ''],
    [
      `${wf.watchers} watches: update seen by all, p50 / p99 ms`,
      `${f(wf.p50)} / ${f(wf.p99)}`,
      'p99 <= 200',
      verdict(wf.p99 <= 200),
    ],
  ];
  const cl = results.cluster;
  const clusterRows = [
    ['measure', 'cluster on', '--static', 'ratio', 'target', ''],
    [
      `create ${cl.pods} pods, pods/s (${CONNECTIONS} conns)`,
      f(cl.createMoving.podsPerSecond),
      f(cl.createStatic.podsPerSecond),
      `${(cl.createRatio * 100).toFixed(0)}%`,
      '>= 70%',
      verdict(cl.createRatio >= 0.7),
    ],
    [
      `the ${cl.pods} pods on ${cl.nodes} nodes: first POST to all Running (ms)`,
      f(cl.allRunningMs),
      '-',
      '-',
      '-',
      '',
    ],
    [`then first DELETE to all gone, graceful (ms)`, f(cl.allGoneMs), '-', '-', '-', ''],
    [
      `Deployment of 3 replicas, POST to Available, p50 / p99 ms (${cl.deploymentAvailable.runs} runs)`,
      `${f(cl.deploymentAvailable.p50)} / ${f(cl.deploymentAvailable.p99)}`,
      '-',
      '-',
      'p50 <= 100',
      verdict(cl.deploymentAvailable.p50 <= 100),
    ],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));
  console.log('');
  const scaleWidths = scaleRows[0].map((_, i) => Math.max(...scaleRows.map((r) => String(r[i]).length)));
  for (const row of scaleRows)
    console.log(row.map((cell, i) => String(cell).padEnd(scaleWidths[i])).join('  '));
  console.log('');
  const clusterWidths = clusterRows[0].map((_, i) =>
    Math.max(...clusterRows.map((r) => String(r[i]).length)),
  );
  for (const row of clusterRows)
    console.log(row.map((cell, i) => String(cell).padEnd(clusterWidths[i])).join('  '));
  console.log(
    `\nnode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})` +
      (results.getPod.pinned ? '; servers under load on CPU 0, load generator on CPU 1' : '') +
      (smoke ? ' (smoke run: sizes too small to compare)' : ''),
  );
}

await main();
