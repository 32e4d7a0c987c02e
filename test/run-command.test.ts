import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, FakeApiServerError, startFakeApiServer } from '../src/index.js';
import { runInPod } from '../src/vitest/index.js';
import { adminCredentials } from './support/admin.js';
import {
  clientAvailable,
  kubectlBinary,
  namespacesAvailable,
  pythonClientInstalled,
  run,
} from './support/external.js';
import { waitFor } from './support/sa-dir.js';

// `fake-apiserver run -- COMMAND`: code written for a pod, run unmodified, with real clients, in the sandbox.
const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');
const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const RUN_FIXTURES = resolve(import.meta.dirname, 'fixtures/run');
const KUBECTL = kubectlBinary(33);
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

// The documents' files, word for word: "How to Access Kubernetes API from Inside a Pod", Method 2.
const SERVICEACCOUNT_RBAC_YAML = `# serviceaccount-rbac.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: pod-reader
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader-role
  namespace: default
rules:
# Allow reading pods in this namespace
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
# Allow reading pod logs
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: pod-reader-binding
  namespace: default
subjects:
- kind: ServiceAccount
  name: pod-reader
  namespace: default
roleRef:
  kind: Role
  name: pod-reader-role
  apiGroup: rbac.authorization.k8s.io
`;
const TEST_POD_YAML = `# test-pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: api-test
spec:
  serviceAccountName: pod-reader  # Use our ServiceAccount
  containers:
  - name: test
    image: curlimages/curl
    command: ["sleep", "3600"]
`;
// Method 1, inside the pod.
const METHOD_1 = `
# Inside the pod, set up variables
APISERVER=https://kubernetes.default.svc
TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)
CACERT=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt
NAMESPACE=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)

# Make an API call
curl --cacert $CACERT --header "Authorization: Bearer $TOKEN" \\
  $APISERVER/api/v1/namespaces/$NAMESPACE/pods
`;
// Method 2, inside the pod, after the Role and RoleBinding.
const METHOD_2 = `
# Now the API call should work
APISERVER=https://kubernetes.default.svc
TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)
CACERT=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt

curl --cacert $CACERT --header "Authorization: Bearer $TOKEN" \\
  $APISERVER/api/v1/namespaces/default/pods | jq .items[].metadata.name
`;
// "Accessing the Kubernetes API from a Pod", Without using a proxy.
const WITHOUT_A_PROXY = `
# Point to the internal API server hostname
APISERVER=https://kubernetes.default.svc

# Path to ServiceAccount token
SERVICEACCOUNT=/var/run/secrets/kubernetes.io/serviceaccount

# Read this Pod's namespace
NAMESPACE=$(cat \${SERVICEACCOUNT}/namespace)

# Read the ServiceAccount bearer token
TOKEN=$(cat \${SERVICEACCOUNT}/token)

# Reference the internal certificate authority (CA)
CACERT=\${SERVICEACCOUNT}/ca.crt

# Explore the API with TOKEN
curl --cacert \${CACERT} --header "Authorization: Bearer \${TOKEN}" -X GET \${APISERVER}/api
`;
// "Kubernetes API access from a pod": through the Service's environment variables, by IP.
const BY_SERVICE_ENV = `
TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)
CACERT=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt
API=https://\${KUBERNETES_SERVICE_HOST}:\${KUBERNETES_SERVICE_PORT}
curl --cacert \${CACERT} --header "Authorization: Bearer \${TOKEN}" \${API}/api/v1/pods
`;
// Method 3, app.py.
const APP_PY = `# app.py
from kubernetes import client, config

def list_pods():
    """List all pods in the current namespace."""
    # Load in-cluster configuration (uses mounted ServiceAccount)
    config.load_incluster_config()

    # Create API client
    v1 = client.CoreV1Api()

    # Read namespace from mounted file
    with open('/var/run/secrets/kubernetes.io/serviceaccount/namespace') as f:
        namespace = f.read()

    # List pods
    pods = v1.list_namespaced_pod(namespace=namespace)

    for pod in pods.items:
        print(f"Pod: {pod.metadata.name}")
        print(f"  Status: {pod.status.phase}")
        print(f"  IP: {pod.status.pod_ip}")

if __name__ == "__main__":
    list_pods()
`;

/** The Status answered for a forbidden list of pods. */
function forbidden(user: string, where: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `pods is forbidden: User "${user}" cannot list resource "pods" in API group "" ${where}`,
    reason: 'Forbidden',
    details: { kind: 'pods' },
    code: 403,
  };
}

let dir: string;
/** A PATH whose `kubectl` is kubectl 1.33, as in the documents. */
let pathWithKubectl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-run-test-'));
  await mkdir(join(dir, 'bin'));
  await symlink(KUBECTL, join(dir, 'bin', 'kubectl'));
  pathWithKubectl = `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  await writeFile(join(dir, 'serviceaccount-rbac.yaml'), SERVICEACCOUNT_RBAC_YAML);
  await writeFile(join(dir, 'test-pod.yaml'), TEST_POD_YAML);
  await writeFile(join(dir, 'app.py'), APP_PY);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the command (`fake-apiserver ARGS`) to its end. */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return run(process.execPath, [BIN, ...args], {
    env: { ...process.env, PATH: pathWithKubectl, ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

/** Starts the command; resolves once a line of its stdout matches. */
function startCli(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: pathWithKubectl, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const started = new Promise<string[]>((resolveStart, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout += `${line}\n`;
      lines.push(line);
      if (ready.test(line)) resolveStart(lines);
    });
    void exited.then(({ code }) => reject(new Error(`exited with ${code} before ${ready}: ${stderr}`)));
  });
  return { child, started, exited, output: () => ({ stdout, stderr }) };
}

describe.runIf(clientAvailable('user namespaces (unshare)', namespacesAvailable))(
  'fake-apiserver run',
  () => {
    describe("the documents' commands, word for word, against a server already running", () => {
      let server: ChildProcess;
      let kubeconfig: string;
      const kubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', kubeconfig, ...args]);

      beforeAll(async () => {
        kubeconfig = join(dir, 'attached.kubeconfig');
        // The default cluster without its RBAC fixture: pod-reader exists, and may do nothing yet.
        const fixtures = ['00-namespaces.yaml', '10-service-accounts.yaml', '30-pods.yaml'];
        const started = startCli(
          [
            '--port',
            '0',
            '--kubeconfig',
            kubeconfig,
            ...fixtures.flatMap((f) => ['--fixtures', join(FIXTURES, f)]),
          ],
          /^export KUBERNETES_SERVICE_PORT=/,
        );
        server = started.child;
        await started.started;
      });
      afterAll(() => {
        server?.kill('SIGTERM');
      });

      it("curl is Forbidden for a bare service account, and lists pods after the docs' Role and RoleBinding", async () => {
        // Method 1's pod (the docs use `kubectl run -it --rm`, which needs a kubelet to attach to).
        expect((await kubectl('run', 'curl-test', '--image=curlimages/curl', '--restart=Never')).code).toBe(
          0,
        );
        const before = await cli([
          'run',
          '--attach',
          kubeconfig,
          '--pod',
          'default/curl-test',
          '--',
          'sh',
          '-c',
          METHOD_1,
        ]);
        expect(before.code, before.stderr).toBe(0);
        expect(JSON.parse(before.stdout)).toEqual(
          forbidden('system:serviceaccount:default:default', 'in the namespace "default"'),
        );

        expect((await kubectl('apply', '-f', join(dir, 'serviceaccount-rbac.yaml'))).code).toBe(0);
        expect((await kubectl('apply', '-f', join(dir, 'test-pod.yaml'))).code).toBe(0);
        const after = await cli([
          'run',
          '--attach',
          kubeconfig,
          '--pod',
          'default/api-test',
          '--',
          'sh',
          '-c',
          METHOD_2,
        ]);
        expect(after.code, after.stderr).toBe(0);
        expect(after.stdout).toBe('"api-test"\n"curl-test"\n"helloworld"\n"web-7d4b9c6f5-x2kqp"\n');
      });

      it("explores /api as the docs do, and reaches the API by the Service's variables, verifying its IP", async () => {
        const api = await cli(['run', '--attach', kubeconfig, '--', 'sh', '-c', WITHOUT_A_PROXY]);
        expect(api.code, api.stderr).toBe(0);
        expect(JSON.parse(api.stdout)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
        const byIp = await cli(['run', '--attach', kubeconfig, '--', 'sh', '-c', BY_SERVICE_ENV]);
        expect(byIp.code, byIp.stderr).toBe(0);
        expect(JSON.parse(byIp.stdout)).toEqual(
          forbidden('system:serviceaccount:default:default', 'at the cluster scope'),
        );
      });
    });

    it.runIf(clientAvailable('kubectl', () => existsSync(KUBECTL)))(
      "runs kubectl in-cluster, without a kubeconfig, as the pod's service account",
      async () => {
        const result = await cli([
          'run',
          '--fixtures',
          FIXTURES,
          '--fixtures',
          join(dir, 'test-pod.yaml'),
          '--pod',
          'default/api-test',
          '--',
          'sh',
          '-c',
          [
            `kubectl get pods -v=6 2>&1 | grep -o -e 'Using in-cluster configuration' -e 'url="[^"]*/pods?[^"]*"' | uniq`,
            'kubectl get pods -o name',
            'kubectl auth can-i --list',
            'kubectl auth whoami -o jsonpath="{.status.userInfo.username}"',
          ].join('; '),
        ]);
        expect(result.code, result.stderr).toBe(0);
        const lines = result.stdout.split('\n');
        expect(lines.slice(0, 5)).toEqual([
          'Using in-cluster configuration',
          'url="https://10.96.0.1:443/api/v1/namespaces/default/pods?limit=500"',
          'pod/api-test',
          'pod/helloworld',
          'pod/web-7d4b9c6f5-x2kqp',
        ]);
        expect(result.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
        expect(result.stdout).toMatch(/^pods\/log\s+\[\]\s+\[\]\s+\[get\]$/m);
        expect(lines.at(-1)).toBe('system:serviceaccount:default:pod-reader');
      },
    );

    it.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))(
      "runs the docs' app.py with config.load_incluster_config(), unmodified",
      async () => {
        const result = await cli([
          'run',
          '--fixtures',
          FIXTURES,
          '--fixtures',
          join(dir, 'test-pod.yaml'),
          '--pod',
          'default/api-test',
          '--',
          '/usr/bin/python3',
          join(dir, 'app.py'),
        ]);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('Pod: api-test\n');
        expect(result.stdout).toContain('Pod: helloworld\n  Status: Running\n  IP: 10.244.0.2\n');
      },
    );

    it('runs @kubernetes/client-node with loadFromCluster(), no argument', async () => {
      const clientNode = pathToFileURL(
        createRequire(import.meta.url).resolve('@kubernetes/client-node'),
      ).href;
      const script = join(dir, 'list-pods.mjs');
      await writeFile(
        script,
        `import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig } from ${JSON.stringify(clientNode)};
const kc = new KubeConfig();
kc.loadFromCluster();
const namespace = readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8');
const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
console.log(JSON.stringify({ server: kc.getCurrentCluster().server, pods: pods.items.map((p) => p.metadata.name) }));
`,
      );
      const result = await cli([
        'run',
        '--service-account',
        'default/pod-reader',
        '--',
        process.execPath,
        script,
      ]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        server: 'https://10.96.0.1:443',
        pods: ['helloworld', 'web-7d4b9c6f5-x2kqp'],
      });
    });

    it("shows a pod's environment, downward API and volumes, and keeps the volumes up to date", async () => {
      await using server = await startFakeApiServer({ fixtures: [FIXTURES, RUN_FIXTURES] });
      const cwd = await mkdtemp(join(dir, 'web-'));
      const script = `
      echo "$(hostname) $HOSTNAME $POD_NAME $POD_NAMESPACE $POD_IP $NODE_NAME $TIER"
      echo "$MESSAGE"
      echo "$MODE $PASSWORD $CONFIG_mode [\${MISSING_OPTIONAL-unset}] $MEMORY_LIMIT_MI $CPU_REQUEST_MILLI"
      echo "$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT $CART_API_SERVICE_HOST:$CART_API_SERVICE_PORT_HTTP"
      cat /etc/config/mode; echo; cat /etc/config/app.properties; cat /etc/podinfo/labels; echo
      cat /etc/podinfo/annotations; echo; cat /etc/podinfo/cpu_limit; echo
      stat -L -c '%a %n' /etc/secret/db/password /etc/config/mode; cat /etc/secret/db/password; echo
      touch /etc/secret/x 2>/dev/null || echo 'secret: read-only'
      touch /scratch/x && echo 'scratch: writable'
      cat /var/run/secrets/tokens/mode; echo
      cut -d. -f2 /var/run/secrets/tokens/vault-token | base64 -d 2>/dev/null | grep -o '"aud":\\["vault"\\]'
      cat ${SA}/namespace; echo
      grep '10.244.1.17' /etc/hosts
      touch ready
      for i in $(seq 200); do grep -q green /etc/config/mode && grep -q back /etc/podinfo/labels && break; sleep 0.05; done
      cat /etc/config/mode; echo; cat /etc/podinfo/labels; echo
    `;
      const running = server.run('sh', ['-c', script], { pod: 'shop/web', cwd });
      await waitFor('the pod to be ready', () => (existsSync(join(cwd, 'ready')) ? true : undefined), 20_000);
      await server.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-config', namespace: 'shop' },
        data: { mode: 'green', 'app.properties': 'color=green\n' },
      });
      const pod = structuredClone(server.get({ kind: 'Pod', namespace: 'shop', name: 'web' })!);
      pod.metadata!.labels = { app: 'web', tier: 'back' };
      await server.apply(pod);
      const result = await running;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        [
          'web web web shop 10.244.1.17 node-1 front',
          // POD_NAMESPACE is declared after MESSAGE: the kubelet leaves the reference as written.
          'hello from web in $(POD_NAMESPACE)',
          'blue s3cr3t blue [unset] 128 250',
          '10.96.0.1:443 10.96.100.7:8080',
          'blue',
          'color=blue',
          'size=3',
          'app="web"',
          'tier="front"',
          'build="42"',
          '1000',
          '400 /etc/secret/db/password',
          '644 /etc/config/mode',
          's3cr3t',
          'secret: read-only',
          'scratch: writable',
          'blue',
          '"aud":["vault"]',
          'shop',
          '10.244.1.17\tweb',
          'green',
          'app="web"',
          'tier="back"',
          '',
        ].join('\n'),
      );
    });

    it("changes nothing of the host's but what COMMAND writes outside the pod's mounts", async () => {
      await using server = await startFakeApiServer({ fixtures: [FIXTURES, RUN_FIXTURES] });
      const cwd = await mkdtemp(join(dir, 'host-'));
      const name = `fake-apiserver-run-test-${process.pid}`;
      const strays = [`/etc/${name}`, `/run/${name}`, `/${name}`, `/etc/config/${name}`];
      const listings = async () => ({
        etc: await readdir('/etc'),
        run: await readdir('/run'),
        root: await readdir('/'),
      });
      const before = await listings();
      try {
        // /etc gains config, /run gains secrets, / gains scratch: each in a layer of the sandbox's own.
        const script = `for f in ${strays.join(' ')}; do touch "$f" 2>/dev/null || echo "$f: read-only"; done; touch in-cwd`;
        const result = await server.run('sh', ['-c', script], { pod: 'shop/web', cwd });
        expect(result).toEqual({
          code: 0,
          signal: undefined,
          stdout: `/etc/config/${name}: read-only\n`,
          stderr: '',
        });
        expect(existsSync(join(cwd, 'in-cwd'))).toBe(true);
        expect(await listings()).toEqual(before);
      } finally {
        await Promise.all(strays.map((path) => rm(path, { force: true })));
      }
    });

    it('rotates the tokens inside as the kubelet does, through the ..data swap', async () => {
      await using server = await startFakeApiServer({ clock: createFakeClock() });
      const waitForRotation = `
      first=$(cat ${SA}/token); data=$(readlink ${SA}/..data)
      touch ready
      for i in $(seq 200); do [ "$(cat ${SA}/token)" != "$first" ] && break; sleep 0.05; done
      [ "$(readlink ${SA}/..data)" != "$data" ] && echo 'new ..data'
      [ "$(cat ${SA}/token)" != "$first" ] && echo 'new token'
      curl -sS -o /dev/null -w '%{http_code}\\n' --cacert ${SA}/ca.crt -H "Authorization: Bearer $(cat ${SA}/token)" \\
        https://kubernetes.default.svc/api/v1/namespaces/default/pods/helloworld`;
      const [bySa, byPod] = [await mkdtemp(join(dir, 'sa-')), await mkdtemp(join(dir, 'pod-'))];
      const runs = [
        server.run('sh', ['-c', waitForRotation], { serviceAccount: 'default/pod-reader', cwd: bySa }),
        server.run('sh', ['-c', waitForRotation], { pod: 'default/helloworld', cwd: byPod }),
      ];
      for (const cwd of [bySa, byPod]) {
        await waitFor(
          'the run to be ready',
          () => (existsSync(join(cwd, 'ready')) ? true : undefined),
          20_000,
        );
      }
      // Past 80 % of the kubelet's 3607 s: both are rewritten before advanceClock resolves.
      await server.advanceClock('2900s');
      const [saResult, podResult] = await Promise.all(runs);
      expect(saResult).toEqual({
        code: 0,
        signal: undefined,
        stdout: 'new ..data\nnew token\n200\n',
        stderr: '',
      });
      // The default service account may not get pods: the new token is accepted, and RBAC answers.
      expect(podResult).toEqual({
        code: 0,
        signal: undefined,
        stdout: 'new ..data\nnew token\n403\n',
        stderr: '',
      });
    });

    describe('exit codes, signals and stdio', () => {
      it("exits with COMMAND's code, 128 + N when signal N ended it, and gives it stdin", async () => {
        expect((await cli(['run', '--', 'sh', '-c', 'exit 7'])).code).toBe(7);
        expect((await cli(['run', '--', 'sh', '-c', 'kill -KILL $$'])).code).toBe(137);
        const echoed = await cli(['run', '--', 'tr', 'a-z', 'A-Z'], { input: 'hello from stdin\n' });
        expect(echoed).toEqual({ code: 0, stdout: 'HELLO FROM STDIN\n', stderr: '' });
        await using server = await startFakeApiServer();
        const aborted = await server.run('sleep', ['30'], { signal: AbortSignal.timeout(300) });
        expect(aborted).toEqual({ code: 143, signal: 'SIGTERM', stdout: '', stderr: '' });
        const missing = await cli(['run', '--', 'no-such-command-here']);
        expect(missing.code).toBe(127);
        expect(missing.stderr).toContain('no-such-command-here');
      });

      it.each([
        ['SIGTERM', 'trap "echo got TERM; exit 42" TERM', 42, 'got TERM\n'],
        ['SIGINT', 'trap "echo got INT; exit 43" INT', 43, 'got INT\n'],
        ['SIGHUP', 'true', 129, ''],
      ] as const)('passes %s on to COMMAND', async (signal, trap, code, said) => {
        const started = startCli(
          ['run', '--', 'sh', '-c', `${trap}; echo ready; while :; do sleep 0.05; done`],
          /^ready$/,
        );
        await started.started;
        started.child.kill(signal);
        expect(await started.exited).toEqual({ code, signal: null });
        expect(started.output().stdout).toBe(`ready\n${said}`);
      });
    });

    describe('networks', () => {
      let local: ReturnType<typeof createServer>;
      let localPort: number;
      beforeAll(async () => {
        local = createServer((socket) => socket.end('hello from the host\n'));
        await new Promise<void>((resolveListen) => local.listen(0, '127.0.0.1', resolveListen));
        localPort = (local.address() as AddressInfo).port;
      });
      afterAll(() => new Promise<void>((resolveClose) => local.close(() => resolveClose())));

      it("keeps the sandbox's network to itself: the host's local services are out of reach", async () => {
        const result = await cli(['run', '--', 'curl', '-sS', `telnet://127.0.0.1:${localPort}`], {
          input: '',
        });
        expect(result.code).toBe(7);
        expect(result.stderr).toContain(`Failed to connect to 127.0.0.1 port ${localPort}`);
      });

      it("--network host reaches them, and the API by its in-cluster names on the server's port", async () => {
        const script = `curl -sS -o /dev/null -w '%{http_code} ' --cacert ${SA}/ca.crt \\
          https://kubernetes.default.svc:$KUBERNETES_SERVICE_PORT/version
        echo "$KUBERNETES_SERVICE_HOST"
        curl -sS telnet://127.0.0.1:${localPort} </dev/null`;
        const result = await cli(['run', '--network', 'host', '--', 'sh', '-c', script]);
        expect(result.stderr).toBe('');
        expect(result.stdout).toBe('200 127.0.0.1\nhello from the host\n');
      });
    });

    it('runs in a vitest worker through the control API (runInPod), and refuses what the kubelet refuses', async () => {
      await using server = await startFakeApiServer({ fixtures: [FIXTURES, RUN_FIXTURES] });
      const files = await mkdtemp(join(dir, 'connection-'));
      const admin = adminCredentials(server.kubeconfig);
      const connection = {
        url: server.url,
        host: server.host,
        port: server.port,
        saDir: files,
        caFile: join(files, 'ca.crt'),
        tokenFile: join(files, 'token'),
        namespaceFile: join(files, 'namespace'),
        kubeconfigPath: join(files, 'kubeconfig'),
        adminCertFile: join(files, 'admin.crt'),
        adminKeyFile: join(files, 'admin.key'),
        controlUrl: `${server.url}/fake-apiserver/v1`,
      };
      await writeFile(connection.caFile, server.caCert);
      await writeFile(connection.adminCertFile, admin.cert);
      await writeFile(connection.adminKeyFile, admin.key);
      const result = await runInPod(
        connection,
        'sh',
        ['-c', `cat ${SA}/namespace; echo " $(hostname) $MODE"`],
        {
          pod: 'shop/web',
        },
      );
      expect(result).toEqual({ code: 0, signal: undefined, stdout: 'shop web blue\n', stderr: '' });

      await server.delete({ kind: 'ConfigMap', namespace: 'shop', name: 'web-config' });
      const refused = await runInPod(connection, 'true', [], { pod: 'shop/web' }).catch(
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(FakeApiServerError);
      expect((refused as FakeApiServerError).message).toBe(
        '[fake-apiserver] pod shop/web, container app: CreateContainerConfigError: configmap "web-config" not found',
      );
      const missing = await runInPod(connection, 'true', [], { pod: 'shop/nope' }).catch(
        (error: unknown) => error,
      );
      expect((missing as FakeApiServerError).code).toBe('POD_NOT_FOUND');
    });

    it.runIf(process.getuid!() === 0)(
      'runs for an unprivileged user, who stays that user inside',
      async () => {
        const result = await run(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            '--',
            process.execPath,
            BIN,
            'run',
            '--pod',
            'default/helloworld',
            '--',
            'sh',
            '-c',
            `id -u; grep CapEff /proc/self/status; curl -sS -o /dev/null -w '%{http_code}\\n' --cacert ${SA}/ca.crt -H "Authorization: Bearer $(cat ${SA}/token)" https://kubernetes.default.svc/api`,
          ],
          { cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' } },
        );
        expect(result.stderr).toBe('');
        expect(result.stdout).toBe('65534\nCapEff:\t0000000000000000\n200\n');
      },
    );

    describe('where no sandbox can be made', () => {
      it('exits 2, naming what is missing and the fallback, and runs nothing', async () => {
        const marker = join(dir, 'ran');
        const result = await cli(['run', '--', 'touch', marker], {
          env: { FAKE_APISERVER_UNSHARE: '/nonexistent/unshare' },
        });
        expect(result).toEqual({
          code: 2,
          stdout: '',
          stderr:
            '[fake-apiserver] fake-apiserver run needs unshare (util-linux) to make its sandbox, and FAKE_APISERVER_UNSHARE=/nonexistent/unshare is not an executable file\n' +
            '  hint: without namespaces (macOS, user namespaces disabled, a container without them), start the server with --sa-dir DIR (or --root DIR) and point your code at those paths: see "Without run" in the README\n',
        });
        expect(existsSync(marker)).toBe(false);
      });

      it('exits 2 where user namespaces are disabled (a namespace whose limit of user namespaces is 0)', async () => {
        const marker = join(dir, 'ran-nested');
        // The limit is that of a throwaway user namespace, not the machine's.
        const result = await run('unshare', [
          '--user',
          '--map-root-user',
          'sh',
          '-c',
          'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"',
          'sh',
          process.execPath,
          BIN,
          'run',
          '--',
          'touch',
          marker,
        ]);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(
          '[fake-apiserver] fake-apiserver run could not make its sandbox: unshare: unshare failed: No space left on device\n' +
            '  hint: without namespaces (macOS, user namespaces disabled, a container without them), start the server with --sa-dir DIR (or --root DIR) and point your code at those paths: see "Without run" in the README\n',
        );
        expect(result.code).toBe(2);
        expect(existsSync(marker)).toBe(false);
        expect(await readFile('/proc/sys/user/max_user_namespaces', 'utf8')).not.toBe('0\n');
      });
    });
  },
);
