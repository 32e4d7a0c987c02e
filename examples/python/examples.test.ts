import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from 'fake-apiserver';
import { afterEach, describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const CLUSTER = join(import.meta.dirname, '../fixtures/shop.yaml');
const FIXTURES = [
  CLUSTER,
  join(import.meta.dirname, 'fixtures/list-pods-rbac.yaml'),
  join(import.meta.dirname, 'fixtures/leader-election-rbac.yaml'),
];

/** A running Python program: its output so far, line by line, and how it ended. */
interface Program {
  stdout: string[];
  stderr: string;
  exited: Promise<number | null>;
  kill(): void;
}

function startProgram(script: string, env: Record<string, string>): Program {
  const child = spawn(PYTHON, [join(import.meta.dirname, script)], { env: { ...process.env, ...env } });
  const program: Program = {
    stdout: [],
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    kill: () => child.kill(),
  };
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop()!;
    program.stdout.push(...lines);
  });
  child.stderr.on('data', (chunk: Buffer) => (program.stderr += chunk.toString('utf8')));
  return program;
}

async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pythonClient = spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
if (!pythonClient && !process.env.CI) {
  console.warn(
    '\n*** SKIPPING the Python examples: python3-kubernetes is not installed (CI installs it) ***\n',
  );
}

describe.runIf(pythonClient || process.env.CI)('the Python examples, with the official client', () => {
  let server: StartedFakeApiServer | undefined;
  const programs: Program[] = [];
  afterEach(async () => {
    for (const program of programs.splice(0)) program.kill();
    await server?.close();
  });

  /** Starts the cluster and writes the service account's directory, as the kubelet mounts it in a pod. */
  async function mountFor(serviceAccount: string) {
    server = await startFakeApiServer({ fixtures: FIXTURES });
    const dir = join(await mkdtemp(join(tmpdir(), 'python-example-')), 'serviceaccount');
    await server.mountServiceAccount({ dir, serviceAccount });
    const admin = new KubeConfig();
    admin.loadFromString(server.kubeconfig);
    return { env: { ...server.env, SA_DIR: dir }, admin };
  }

  function run(script: string, env: Record<string, string>): Program {
    const program = startProgram(script, env);
    programs.push(program);
    return program;
  }

  it('list_pods.py lists the pods of its namespace', async () => {
    const { env } = await mountFor('shop/py-pod-lister');
    const program = run('list_pods.py', env);
    expect(await program.exited).toBe(0);
    expect(program.stderr).toBe('');
    expect(program.stdout).toEqual(['cart-5f7d8c9b4-k2x7p\tRunning', 'checkout-6c9d7b8f5-q4m2z\tPending']);
  });

  it('list_pods.py prints the real 403 once its RoleBinding is gone', async () => {
    const { env, admin } = await mountFor('shop/py-pod-lister');
    await admin
      .makeApiClient(RbacAuthorizationV1Api)
      .deleteNamespacedRoleBinding({ name: 'py-pod-lister', namespace: 'shop' });
    const program = run('list_pods.py', env);
    expect(await program.exited).toBe(1);
    expect(program.stderr).toBe(
      'error 403: pods is forbidden: User "system:serviceaccount:shop:py-pod-lister" cannot list resource "pods" in API group "" in the namespace "shop"\n',
    );
  });

  const election = { LEASE_DURATION: '3', RENEW_DEADLINE: '2', RETRY_PERIOD: '1' };

  it('leader_election.py: one leads, the other takes over once the leader stops renewing', async () => {
    const { env, admin } = await mountFor('shop/py-leader');
    const a = run('leader_election.py', { ...env, ...election, IDENTITY: 'shop-a', LEAD_SECONDS: '2' });
    await until('shop-a to lead', () => a.stdout.includes('shop-a is leading'));
    const b = run('leader_election.py', { ...env, ...election, IDENTITY: 'shop-b' });
    expect(await a.exited).toBe(0);
    expect(b.stdout).not.toContain('shop-b is leading'); // a led until it exited
    await until('shop-b to lead', () => b.stdout.includes('shop-b is leading'));

    const lock = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'shop-controller', namespace: 'shop' });
    const record = JSON.parse(lock.metadata!.annotations!['control-plane.alpha.kubernetes.io/leader']!);
    expect(record).toMatchObject({ holderIdentity: 'shop-b', leaseDurationSeconds: '3' });
    expect(a.stdout).toEqual(['shop-a is a candidate', 'shop-a is leading', 'shop-a exits while leading']);
  });

  it('leader_election.py stops leading on the real 403 when its Role lacks update', async () => {
    const { env, admin } = await mountFor('shop/py-leader');
    await admin.makeApiClient(RbacAuthorizationV1Api).replaceNamespacedRole({
      name: 'py-leader',
      namespace: 'shop',
      body: {
        metadata: { name: 'py-leader', namespace: 'shop' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create'] }],
      },
    });
    const a = run('leader_election.py', { ...env, ...election, IDENTITY: 'shop-a' });
    expect(await a.exited).toBe(1);
    expect(a.stdout).toEqual(['shop-a is a candidate', 'shop-a is leading', 'shop-a stopped leading']);
    // The client logs the failed renewals with the Status body the server sent.
    expect(a.stderr).toContain(
      'configmaps \\"shop-controller\\" is forbidden: User \\"system:serviceaccount:shop:py-leader\\" cannot update resource \\"configmaps\\" in API group \\"\\" in the namespace \\"shop\\"',
    );
  });
});
