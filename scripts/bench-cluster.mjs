// The simulated cluster's part of the benchmark. The server runs as a separate process (pinned to CPU 0 like the
// others) and this process is the client:
// - create throughput: CLUSTER_PODS pods POSTed by CONNECTIONS concurrent workers, once to a `--static` server
//   and once to a server whose scheduler and kubelet run them, the ratio of the two;
// - the same pods through the scheduler and kubelet: from the first POST until a watch has seen every one
//   Running, then from the first DELETE until every one is gone (graceful deletion through the kubelet);
// - create-Deployment-to-Available: DEPLOYMENTS Deployments of 3 replicas created one after another, each timed
//   from its POST until a watch sees it Available with 3 available replicas.
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { BIN, CONNECTIONS, median, percentile, smoke, spawnUntil, stop } from './bench-support.mjs';

export const CLUSTER_PODS = smoke ? 50 : 1000;
const DEPLOYMENTS = smoke ? 3 : 30;
const NAMESPACE = 'bench';
const NODES = Math.ceil(CLUSTER_PODS / 100);

function node(i) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `worker-${i}`, labels: { 'kubernetes.io/hostname': `worker-${i}` } },
    spec: { podCIDR: `10.244.${i + 1}.0/24` },
    status: {
      addresses: [{ type: 'InternalIP', address: `172.18.0.${i + 3}` }],
      allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
      capacity: { cpu: '8', memory: '16Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

const pod = (i) => ({
  metadata: { name: `pod-${i}`, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m' } } }] },
});

const deployment = (i) => ({
  metadata: { name: `web-${i}` },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: `web-${i}` } },
    template: {
      metadata: { labels: { app: `web-${i}` } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    },
  },
});

/** A server from the command with the nodes and namespace as fixtures, and a client for it (admin credentials). */
async function startServer(dir, label, extraArgs) {
  const fixtures = join(dir, 'cluster-nodes.yaml');
  await writeFile(
    fixtures,
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
      ...Array.from({ length: NODES }, (_, i) => node(i)),
    ]
      .map((o) => JSON.stringify(o))
      .join('\n---\n'),
  );
  const kubeconfig = join(dir, `kubeconfig-cluster-${label}`);
  const server = await spawnUntil(
    [BIN, '--port', '0', '--fixtures', fixtures, '--kubeconfig', kubeconfig, ...extraArgs],
    (lines) => lines.some((line) => line.includes('KUBERNETES_SERVICE_PORT=')),
    { pinned: true },
  );
  const config = parse(await readFile(kubeconfig, 'utf8'));
  const cluster = config.clusters[0].cluster;
  const user = config.users[0].user;
  const tls = {
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  };
  const agent = new Agent({ ...tls, keepAlive: true, maxSockets: CONNECTIONS });
  const url = new URL(cluster.server);
  const call = (method, path, body) =>
    new Promise((done, fail) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: { 'content-type': 'application/json' },
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
  /** A watch whose events go to `onEvent`; returns the function that ends it. */
  const watch = (path, onEvent) =>
    new Promise((started) => {
      const req = request({ host: url.hostname, port: url.port, path, agent: new Agent(tls) }, (res) => {
        let buffer = '';
        res.on('data', (chunk) => {
          buffer += chunk;
          let newline;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            onEvent(JSON.parse(buffer.slice(0, newline)));
            buffer = buffer.slice(newline + 1);
          }
        });
        res.on('error', () => {});
        started(() => req.destroy());
      });
      req.on('error', () => {});
      req.end();
    });
  return { child: server.child, call, watch, close: () => agent.destroy() };
}

/** Runs `make(i)` for i < count from CONNECTIONS workers, each waiting for its previous request. */
async function fromWorkers(count, make) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < count) await make(next++);
    }),
  );
}

function waiter() {
  let check = () => {};
  return {
    changed: () => check(),
    until: (done) =>
      new Promise((resolve) => {
        check = () => done() && resolve();
        check();
      }),
  };
}

async function createPods(server) {
  const started = performance.now();
  await fromWorkers(CLUSTER_PODS, (i) => server.call('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod(i)));
  const ms = performance.now() - started;
  return { ms, podsPerSecond: CLUSTER_PODS / (ms / 1000), started };
}

/** The cluster's figures, each measured on a fresh server. */
export async function clusterBench(dir) {
  // Both servers have the same watch open, so that only the cluster's work differs.
  const watchPods = (server, onEvent) =>
    server.watch(`/api/v1/namespaces/${NAMESPACE}/pods?watch=1`, onEvent);
  const still = await startServer(dir, 'static', ['--static']);
  const endStillWatch = await watchPods(still, () => {});
  const createStatic = await createPods(still);
  endStillWatch();
  still.close();
  await stop(still.child);

  const moving = await startServer(dir, 'moving', []);
  const running = new Set();
  const gone = new Set();
  const pods = waiter();
  const endPodWatch = await watchPods(moving, (event) => {
    const name = event.object.metadata.name;
    if (event.type === 'DELETED') gone.add(name);
    else if (event.object.status?.phase === 'Running') running.add(name);
    pods.changed();
  });
  const createMoving = await createPods(moving);
  await pods.until(() => running.size === CLUSTER_PODS);
  const allRunningMs = performance.now() - createMoving.started;
  const deleteStarted = performance.now();
  await fromWorkers(CLUSTER_PODS, (i) =>
    moving.call('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/pod-${i}`),
  );
  await pods.until(() => gone.size === CLUSTER_PODS);
  const allGoneMs = performance.now() - deleteStarted;
  endPodWatch();
  moving.close();
  await stop(moving.child);

  const deploying = await startServer(dir, 'deployments', []);
  const available = new Set();
  const deployments = waiter();
  const endDeploymentWatch = await deploying.watch(
    `/apis/apps/v1/namespaces/${NAMESPACE}/deployments?watch=1`,
    (event) => {
      const { status, metadata } = event.object;
      const isAvailable = status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
      if (isAvailable && status.availableReplicas === 3) available.add(metadata.name);
      deployments.changed();
    },
  );
  const latencies = [];
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const started = performance.now();
    await deploying.call('POST', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, deployment(i));
    await deployments.until(() => available.has(`web-${i}`));
    latencies.push(performance.now() - started);
  }
  endDeploymentWatch();
  deploying.close();
  await stop(deploying.child);

  return {
    pods: CLUSTER_PODS,
    nodes: NODES,
    createStatic: { ms: createStatic.ms, podsPerSecond: createStatic.podsPerSecond },
    createMoving: { ms: createMoving.ms, podsPerSecond: createMoving.podsPerSecond },
    createRatio: createMoving.podsPerSecond / createStatic.podsPerSecond,
    allRunningMs,
    allGoneMs,
    deploymentAvailable: { runs: DEPLOYMENTS, p50: median(latencies), p99: percentile(latencies, 99) },
  };
}
