import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, pythonClientInstalled } from './support/external.js';
import { send } from './support/https-client.js';
import { movableClock, sleep, snapshot, waitFor } from './support/sa-dir.js';

// The Python client in in-cluster mode, kept running: one list of pods per line on stdin, its status out.
const PYTHON_CLIENT = `
import os, sys
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader

sa = sys.argv[1]
cfg = client.Configuration()
InClusterConfigLoader(token_filename=os.path.join(sa, "token"), cert_filename=os.path.join(sa, "ca.crt"), try_refresh_token=True, environ=os.environ).load_and_set(cfg)
v1 = client.CoreV1Api(client.ApiClient(cfg))
for line in sys.stdin:
    try:
        v1.list_namespaced_pod(namespace="default")
        print(200, flush=True)
    except ApiException as e:
        print(e.status, flush=True)
`;

/** The clients re-read the token file once more than 60 s (real time) passed since they last read it. */
const REREAD_WAIT_MS = 65_000;

const withPython = clientAvailable('python3-kubernetes', pythonClientInstalled);

/** A long-running Python client: `list()` resolves with the HTTP status of one list of pods. */
function startPythonClient(script: string, sa: string, env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn('/usr/bin/python3', [script, sa], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const lines: Interface = createInterface({ input: child.stdout! });
  return {
    list(): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`python did not answer: ${stderr}`)), 30_000);
        lines.once('line', (line) => {
          clearTimeout(timer);
          resolve(Number(line));
        });
        child.stdin!.write('list\n');
      });
    },
    stop: () => child.kill('SIGKILL'),
  };
}

describe('in-cluster clients across a token rotation', () => {
  let server: StartedFakeApiServer | undefined;
  let dir: string | undefined;
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) cleanup();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('client-node and the Python client pick up the new token; a client that cached the first gets 401 once it expired', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-rotation-'));
    const clock = movableClock();
    server = await startFakeApiServer({
      root: join(dir, 'root'),
      serviceAccount: 'default/pod-reader',
      tokenTtlSeconds: 3600,
      clock,
    });
    const mount = server.serviceAccountMount!;
    const env = { ...process.env, ...server.env };

    const pythonScript = join(dir, 'client.py');
    await writeFile(pythonScript, PYTHON_CLIENT);
    const python = withPython ? startPythonClient(pythonScript, mount.dir, env) : undefined;
    if (python) cleanups.push(python.stop);

    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    Object.assign(process.env, server.env);
    const kc = new KubeConfig();
    kc.loadFromCluster(join(dir, 'root'));
    restoreEnv('KUBERNETES_SERVICE_HOST', saved.host);
    restoreEnv('KUBERNETES_SERVICE_PORT', saved.port);
    const api = kc.makeApiClient(CoreV1Api);
    const nodeList = () =>
      api.listNamespacedPod({ namespace: 'default' }).then(
        () => 200,
        (error: unknown) => (error instanceof ApiException ? error.code : Promise.reject(error)),
      );

    const first = await snapshot(mount.dir);
    const cachedList = async () =>
      (
        await send(server!.url, server!.caCert, {
          path: '/api/v1/namespaces/default/pods',
          token: first.token,
        })
      ).status;

    // Every client reads the first token now.
    expect(await nodeList()).toBe(200);
    if (python) expect(await python.list()).toBe(200);
    expect(await cachedList()).toBe(200);
    const firstReadsDone = Date.now();

    // Past 80 % of the lifetime: the kubelet rewrites the token while the old one is still valid.
    clock.advance(2900);
    const second = await waitFor(
      'the rotation',
      async () => {
        const now = await snapshot(mount.dir);
        return now.data !== first.data ? now : undefined;
      },
      15_000,
    );
    expect(existsSync(join(mount.dir, first.data))).toBe(false);
    expect(second.token).not.toBe(first.token);
    expect(await cachedList()).toBe(200);
    expect(await nodeList()).toBe(200);

    // Once the clients' 60 s are over, let the first token expire (3600 s); the second has 2900 s left.
    await sleep(firstReadsDone + REREAD_WAIT_MS - Date.now());
    clock.advance(800);
    expect(await cachedList()).toBe(401);
    expect(await nodeList()).toBe(200);
    if (python) expect(await python.list()).toBe(200);
    expect((await snapshot(mount.dir)).data).toBe(second.data);
  }, 150_000);
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
