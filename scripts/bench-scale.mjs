// The scale and watch fan-out parts of the benchmark: a cluster of SCALE_NAMESPACES × SCALE_PODS_PER_NAMESPACE
// pods loaded from fixtures, and WATCHERS concurrent watches that every update must reach.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import {
  BIN,
  SCALE_NAMESPACES,
  SCALE_PODS_PER_NAMESPACE,
  SCALE_SAMPLES,
  WATCHERS,
  WATCH_UPDATES,
  percentile,
  spawnUntil,
  stop,
} from './bench-support.mjs';

const APPS = 10;

function pod(namespace, index) {
  const app = `app-${index % APPS}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${String(index).padStart(5, '0')}-7d9c8b6f5-x2k4p`,
      namespace,
      labels: { app, tier: index % 2 ? 'backend' : 'frontend', 'pod-template-hash': '7d9c8b6f5' },
    },
    spec: {
      serviceAccountName: 'default',
      nodeName: `node-${index % 3}`,
      containers: [
        {
          name: app,
          image: `registry.example.com/${app}:1.${index % 7}.0`,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: `10.0.${index % 250}.${(index * 7) % 250}`,
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: app, ready: true, restartCount: 0, state: { running: {} } }],
    },
  };
}

async function writeScaleFixtures(dir) {
  const fixtures = join(dir, 'scale-fixtures');
  await mkdir(fixtures, { recursive: true });
  for (let n = 0; n < SCALE_NAMESPACES; n++) {
    const namespace = `team-${String(n).padStart(3, '0')}`;
    const items = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }];
    for (let i = 0; i < SCALE_PODS_PER_NAMESPACE; i++) items.push(pod(namespace, i));
    await writeFile(
      join(fixtures, `${namespace}.json`),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    );
  }
  return fixtures;
}

/** The admin client certificate of a kubeconfig the command wrote. */
async function adminAgent(kubeconfigFile, maxSockets) {
  const config = parse(await readFile(kubeconfigFile, 'utf8'));
  const user = config.users[0].user;
  const cluster = config.clusters[0].cluster;
  const decode = (b64) => Buffer.from(b64, 'base64').toString('utf8');
  return {
    server: cluster.server,
    agent: new Agent({
      keepAlive: true,
      maxSockets,
      ca: decode(cluster['certificate-authority-data']),
      cert: decode(user['client-certificate-data']),
      key: decode(user['client-key-data']),
    }),
  };
}

function getJson(server, agent, path) {
  return new Promise((done, fail) => {
    request(server + path, { agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) fail(new Error(`GET ${path}: ${res.statusCode}`));
        else done(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
    })
      .on('error', fail)
      .end();
  });
}

async function latencies(server, agent, path, samples) {
  const times = [];
  let last;
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    last = await getJson(server, agent, path);
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), items: last.items.length };
}

function rssMiB(pid) {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (status) => Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024,
  );
}

/**
 * Loads SCALE_NAMESPACES × SCALE_PODS_PER_NAMESPACE pods from fixtures and measures start-up, RSS, and
 * sequential (one connection) LIST latencies as an admin client sees them.
 */
export async function scale(dir) {
  const fixtures = await writeScaleFixtures(dir);
  const kubeconfig = join(dir, 'scale-kubeconfig');
  const started = await spawnUntil(
    [BIN, '--port', '0', '--fixtures', fixtures, '--kubeconfig', kubeconfig],
    (lines) => lines.length === 2,
  );
  try {
    const rss = await rssMiB(started.child.pid);
    const { server, agent } = await adminAgent(kubeconfig, 1);
    const pods = SCALE_NAMESPACES * SCALE_PODS_PER_NAMESPACE;
    const listNamespace = await latencies(server, agent, '/api/v1/namespaces/team-042/pods', SCALE_SAMPLES);
    // Fall back to the first namespace when a smoke run has fewer than 43.
    const namespacePath = listNamespace.items ? undefined : '/api/v1/namespaces/team-000/pods';
    const namespaceList = namespacePath
      ? await latencies(server, agent, namespacePath, SCALE_SAMPLES)
      : listNamespace;
    const listByLabel = await latencies(
      server,
      agent,
      '/api/v1/pods?labelSelector=app%3Dapp-3,tier%3Dbackend',
      Math.max(5, SCALE_SAMPLES / 5),
    );
    const paginationStarted = performance.now();
    let pages = 0;
    let seen = 0;
    let continueToken = '';
    do {
      const page = await getJson(
        server,
        agent,
        `/api/v1/pods?limit=500${continueToken ? `&continue=${encodeURIComponent(continueToken)}` : ''}`,
      );
      pages++;
      seen += page.items.length;
      continueToken = page.metadata.continue ?? '';
    } while (continueToken);
    const paginatedMs = performance.now() - paginationStarted;
    if (seen !== pods) throw new Error(`paginated LIST saw ${seen} pods, not ${pods}`);
    agent.destroy();
    return {
      namespaces: SCALE_NAMESPACES,
      podsPerNamespace: SCALE_PODS_PER_NAMESPACE,
      pods,
      startMs: started.ms,
      rssMiB: rss,
      listNamespace: namespaceList,
      listByLabel,
      labelMatches: listByLabel.items,
      paginatedMs,
      pages,
    };
  } finally {
    await stop(started.child);
  }
}

/** Opens one watch on its own connection and calls `onEvent(name, receivedAt)` for every event. */
function openWatch(server, agent, path, onEvent) {
  return new Promise((ready, fail) => {
    const req = request(server + path, { agent }, (res) => {
      if (res.statusCode !== 200) return fail(new Error(`watch: ${res.statusCode}`));
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = performance.now();
        buffered += chunk;
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line) onEvent(JSON.parse(line).object.metadata.name, now);
        }
      });
      ready(req);
    });
    req.on('error', fail);
    req.end();
  });
}

/**
 * WATCHERS concurrent watches of one namespace's config maps; WATCH_UPDATES times, a config map is
 * created and the time until each watch has its ADDED event is recorded.
 */
export async function watchFanOut(dir) {
  const kubeconfig = join(dir, 'watch-kubeconfig');
  const started = await spawnUntil(
    [BIN, '--port', '0', '--kubeconfig', kubeconfig],
    (lines) => lines.length === 2,
  );
  const { server, agent } = await adminAgent(kubeconfig, WATCHERS + 1);
  const writer = await adminAgent(kubeconfig, 1);
  try {
    const list = await getJson(server, writer.agent, '/api/v1/namespaces/default/configmaps');
    const pending = new Map();
    const delays = [];
    const onEvent = (name, at) => {
      const update = pending.get(name);
      if (!update) return;
      delays.push(at - update.sentAt);
      if (++update.seen === WATCHERS) update.done();
    };
    const watches = [];
    for (let i = 0; i < WATCHERS; i += 50) {
      const batch = Array.from({ length: Math.min(50, WATCHERS - i) }, () =>
        openWatch(
          server,
          agent,
          `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
          onEvent,
        ),
      );
      watches.push(...(await Promise.all(batch)));
    }
    for (let u = 0; u < WATCH_UPDATES; u++) {
      const name = `fan-out-${u}`;
      const all = new Promise((done) => pending.set(name, { sentAt: performance.now(), seen: 0, done }));
      const body = JSON.stringify({ metadata: { name }, data: { n: String(u) } });
      await new Promise((done, fail) => {
        request(
          `${server}/api/v1/namespaces/default/configmaps`,
          {
            method: 'POST',
            agent: writer.agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 201 ? done() : fail(new Error(`create: ${res.statusCode}`)),
            );
          },
        )
          .on('error', fail)
          .end(body);
      });
      await all;
    }
    for (const watch of watches) watch.destroy();
    return {
      watchers: WATCHERS,
      updates: WATCH_UPDATES,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
    };
  } finally {
    agent.destroy();
    writer.agent.destroy();
    await stop(started.child);
  }
}
