import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminCredentials } from './support/admin.js';
import { run } from './support/external.js';
import { send } from './support/https-client.js';
import { jwtClaims } from './support/sa-dir.js';

const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');
const SA_PATH = 'var/run/secrets/kubernetes.io/serviceaccount';
const FIXTURES = ['--fixtures', resolve(import.meta.dirname, '../fixtures')];
const AUTOMOUNT = ['--fixtures', resolve(import.meta.dirname, 'fixtures/automount')];
const children: ChildProcess[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-sa-cli-'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts the CLI; resolves with its port and the stderr so far once the export lines are printed. */
function startCli(args: string[]): Promise<{ port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) {
        resolvePromise({ port: Number(/PORT=(\d+)$/.exec(lines[1]!)?.[1]), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before the exports: ${stderr}`)));
  });
}

/** Runs the CLI expecting a refusal: exit 2, nothing on stdout. */
async function refused(args: string[]): Promise<string> {
  const result = await run(process.execPath, [BIN, '--port', '0', ...args]);
  expect(result.stdout).toBe('');
  expect(result.code, result.stderr).toBe(2);
  return result.stderr;
}

describe('the serviceaccount options of the command', () => {
  it('--pod writes the pod volume: a token bound to the pod, for its service account', async () => {
    const sa = join(dir, 'pod-sa');
    const kubeconfig = join(dir, 'kubeconfig');
    const { port } = await startCli([
      '--pod',
      'default/helloworld',
      '--sa-dir',
      sa,
      '--kubeconfig',
      kubeconfig,
    ]);
    const url = `https://127.0.0.1:${port}`;
    const ca = await readFile(join(sa, 'ca.crt'), 'utf8');
    const token = await readFile(join(sa, 'token'), 'utf8');
    expect(await readFile(join(sa, 'namespace'), 'utf8')).toBe('default');

    const admin = adminCredentials(await readFile(kubeconfig, 'utf8'));
    const pod = (
      await send(url, ca, { path: '/api/v1/namespaces/default/pods/helloworld', client: admin })
    ).json();
    const claims = jwtClaims(token);
    expect(claims['kubernetes.io'].pod).toEqual({ name: 'helloworld', uid: pod.metadata.uid });
    expect(claims.sub).toBe(`system:serviceaccount:default:${pod.spec.serviceAccountName}`);
    expect((await send(url, ca, { path: '/api/v1', token })).status).toBe(200);

    await send(url, ca, {
      method: 'DELETE',
      path: '/api/v1/namespaces/default/pods/helloworld',
      client: admin,
    });
    // Terminating first; refused once the kubelet has deleted the pod.
    await vi.waitFor(async () => expect((await send(url, ca, { path: '/api/v1', token })).status).toBe(401));
  });

  it('--root writes what loadFromCluster(root) reads; --token-ttl sets the lifetime', async () => {
    const root = join(dir, 'root');
    const { port } = await startCli([
      '--root',
      root,
      '--service-account',
      'default/pod-reader',
      '--token-ttl',
      '10m',
    ]);
    const token = await readFile(join(root, SA_PATH, 'token'), 'utf8');
    expect(jwtClaims(token).exp - jwtClaims(token).iat).toBe(600);

    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = String(port);
    const kc = new KubeConfig();
    try {
      kc.loadFromCluster(root);
    } finally {
      for (const [name, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' });
    expect(pods.items.map((p) => p.metadata?.name)).toContain('helloworld');
  });

  it('warns on stderr when clients re-reading every 60 s could send an expired token', async () => {
    const { stderr } = await startCli(['--sa-dir', join(dir, 'short'), '--token-ttl', '90s']);
    expect(stderr()).toContain(
      'fake-apiserver: warning: a token lifetime of 90s is rewritten only 18s before it expires, but clients re-read the token file every 60s',
    );
  });

  it('refuses --pod with --service-account, --sa-dir with --root, and --pod without a directory', async () => {
    const both = join(dir, 'both');
    expect(
      await refused([
        '--pod',
        'default/helloworld',
        '--service-account',
        'default/default',
        '--sa-dir',
        both,
      ]),
    ).toContain(
      "[fake-apiserver] pod and serviceAccount (--pod, --service-account) are alternatives: a pod's token is for its spec.serviceAccountName",
    );
    expect(await refused(['--sa-dir', both, '--root', both])).toContain(
      '[fake-apiserver] saDir and root (--sa-dir, --root) are alternatives: give one',
    );
    expect(await refused(['--pod', 'default/helloworld'])).toContain(
      '[fake-apiserver] pod (--pod) applies to the serviceaccount directory, but neither saDir nor root (--sa-dir, --root) is given',
    );
    expect(existsSync(both)).toBe(false);
  });

  it('refuses pods that mount no token, unknown pods and bad durations', async () => {
    const sa = join(dir, 'refused');
    expect(
      await refused([...FIXTURES, ...AUTOMOUNT, '--pod', 'default/opted-out', '--sa-dir', sa]),
    ).toContain(
      '[fake-apiserver] pod default/opted-out sets automountServiceAccountToken: false, so the kubelet mounts no service-account token for it',
    );
    expect(await refused([...FIXTURES, ...AUTOMOUNT, '--pod', 'default/inherits', '--sa-dir', sa])).toContain(
      '[fake-apiserver] its service account sets automountServiceAccountToken: false, so the kubelet mounts no token for pod default/inherits',
    );
    expect(await refused(['--pod', 'default/nope', '--sa-dir', sa])).toContain(
      '[fake-apiserver] pod default/nope does not exist',
    );
    expect(await refused(['--sa-dir', sa, '--token-ttl', '90'])).toContain(
      '[fake-apiserver] --token-ttl 90: time: missing unit in duration "90"',
    );
    expect(existsSync(sa)).toBe(false);
  });
});
