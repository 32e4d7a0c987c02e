// The two servers of a run: the real kube-apiserver with kube-controller-manager and etcd (oracle/kube, a Go
// program built from k8s.io/kubernetes), and fake-apiserver started in this process from dist/, configured
// alike: the same admin token (user "admin" in system:masters), the same service-account issuer, controllers
// on, no scheduler and no kubelet (the oracle has no nodes).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export const ADMIN_TOKEN = 'oracle-admin-token';

/**
 * Starts the oracle binary and waits for its JSON line.
 * @returns {Promise<{ target: import('./http-client.mjs').Target, stop: () => Promise<void>, startMs: number }>}
 */
export async function startOracle(binary, { verbose = false } = {}) {
  const started = performance.now();
  const child = spawn(binary, verbose ? ['-v'] : [], {
    stdio: ['ignore', 'pipe', verbose ? 'inherit' : 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`oracle exited ${code} before it was ready:\n${stderr}`)));
  });
  const startMs = performance.now() - started;
  const ca = await readFile(info.caFile);
  return {
    startMs,
    target: { name: 'oracle', url: info.url, ca, adminToken: info.token },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** Starts fake-apiserver from the built package, with the oracle's configuration. */
export async function startFake(root) {
  const { startFakeApiServer } = await import(join(root, 'dist', 'index.js'));
  const started = performance.now();
  const server = await startFakeApiServer({
    fixtures: join(root, 'oracle', 'fixtures'),
    users: [{ name: 'admin', uid: 'admin-uid', groups: ['system:masters'], token: ADMIN_TOKEN }],
    scheduler: false,
    kubelet: false,
  });
  const startMs = performance.now() - started;
  return {
    startMs,
    target: { name: 'fake', url: server.url, ca: server.caCert, adminToken: ADMIN_TOKEN },
    stop: () => server.close(),
  };
}
