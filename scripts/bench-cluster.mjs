#!/usr/bin/env node
// How fast the simulated cluster moves pods: POSTs PODS pods (10 concurrent requests) to a server with
// NODES nodes and measures, through a watch, until every pod is Running (scheduler and kubelet), then
// deletes them all and measures until every pod is gone (graceful deletion through the kubelet).
// `--smoke` runs a tiny size. Run `npm run build` first.
import { Agent, request } from 'node:https';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { startFakeApiServer } from '../dist/index.js';

const smoke = process.argv.includes('--smoke');
const PODS = Number(process.env.PODS ?? (smoke ? 50 : 1000));
const NODES = Math.ceil(PODS / 100);
const NS = 'bench';

const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-bench-cluster-'));
const nodes = Array.from({ length: NODES }, (_, i) => ({
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
}));
await writeFile(
  join(dir, 'cluster.yaml'),
  [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, ...nodes]
    .map((o) => JSON.stringify(o))
    .join('\n---\n'),
);
const server = await startFakeApiServer({
  fixtures: join(dir, 'cluster.yaml'),
  ...(process.env.STATIC ? { cluster: false } : {}),
});
const user = parse(server.kubeconfig).users[0].user;
const agent = new Agent({
  ca: server.caCert,
  cert: Buffer.from(user['client-certificate-data'], 'base64'),
  key: Buffer.from(user['client-key-data'], 'base64'),
  keepAlive: true,
  maxSockets: 10,
});
const url = new URL(server.url);
const call = (method, path, body) =>
  new Promise((resolve, reject) => {
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
          res.statusCode < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });

const running = new Set();
const gone = new Set();
let onChange = () => {};
const watch = request(
  {
    host: url.hostname,
    port: url.port,
    path: `/api/v1/namespaces/${NS}/pods?watch=1`,
    agent: new Agent({ ca: server.caCert, cert: agent.options.cert, key: agent.options.key }),
  },
  (res) => {
    let buffer = '';
    res.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        const name = event.object.metadata.name;
        if (event.type === 'DELETED') gone.add(name);
        else if (event.object.status?.phase === 'Running') running.add(name);
        onChange();
      }
    });
  },
);
watch.end();
await new Promise((resolve) => setTimeout(resolve, 200));

const until = (done) =>
  new Promise((resolve) => {
    onChange = () => done() && resolve();
    if (done()) resolve();
  });
async function inBatches(make) {
  for (let i = 0; i < PODS; i += 10)
    await Promise.all(Array.from({ length: Math.min(10, PODS - i) }, (_, j) => make(i + j)));
}

const t0 = performance.now();
const allRunning = until(() => running.size === PODS);
await inBatches((i) =>
  call('POST', `/api/v1/namespaces/${NS}/pods`, {
    metadata: { name: `pod-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m' } } }] },
  }),
);
const created = performance.now();
if (process.env.STATIC) {
  console.log(`static: ${PODS} pods created in ${Math.round(created - t0)} ms`);
  process.exit(0);
}
await allRunning;
const ran = performance.now();
const allGone = until(() => gone.size === PODS);
await inBatches((i) => call('DELETE', `/api/v1/namespaces/${NS}/pods/pod-${i}`));
const deleted = performance.now();
await allGone;
const end = performance.now();
const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
console.log(
  `${PODS} pods on ${NODES} nodes: created in ${Math.round(created - t0)} ms, all Running ${Math.round(ran - t0)} ms after the first POST; ` +
    `deleted in ${Math.round(deleted - ran)} ms, all gone ${Math.round(end - ran)} ms after the first DELETE; RSS ${rss} MiB`,
);
watch.destroy();
agent.destroy();
await server.close();
process.exit(0);
