import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import {
  clientAvailable,
  existsSync,
  kubectlBinary,
  pythonClientInstalled,
  run,
} from './support/external.js';

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  nodeName: node-1
  containers: [{name: app, image: nginx}, {name: sidecar, image: busybox}]
status: {phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: unscheduled, namespace: default}
spec:
  # No node matches: the scheduler leaves it without a host.
  nodeSelector: {example.com/pool: none}
  containers: [{name: app, image: nginx}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec-get-only, namespace: default}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
- {apiGroups: [""], resources: [pods/exec], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec-get-only, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec-get-only}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`;

let server: StartedFakeApiServer;
let dir: string;
let kubeconfig: string;
let local: Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-streams-'));
  kubeconfig = join(dir, 'kubeconfig');
  server = await startFakeApiServer({ kubeconfig });
  await server.apply(PODS);
  server.onExec({ pod: 'web', command: ['echo', 'hi'] }, { stdout: 'hi\n' });
  server.onExec({ pod: 'web', command: 'fail' }, { stdout: 'out\n', stderr: 'bad\n', exitCode: 3 });
  server.onExec({ pod: 'web', command: 'cat' }, { echoStdin: true });
  server.onExec({ pod: 'web', container: 'sidecar', command: 'whoami' }, async (session) => {
    session.stdout.write(`${session.container} in ${session.namespace}/${session.pod}\n`);
    return 0;
  });
  server.onAttach({ pod: 'web' }, (session) => session.stdout.write('attached\n'));
  local = createServer((_req, res) => res.end('hello through the tunnel\n'));
  await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
  server.onPortForward({ pod: 'web', port: 80 }, (local.address() as AddressInfo).port);
});
afterAll(async () => {
  local?.close();
  await server?.close();
});

/** Runs `kubectl port-forward pod/web :<port>` and resolves with the local port it prints. */
async function portForward(
  kubectl: string,
  podPort: number,
): Promise<{ port: number; output(): string; stop(): string }> {
  const child = spawn(kubectl, ['--kubeconfig', kubeconfig, 'port-forward', 'pod/web', `:${podPort}`]);
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', () => reject(new Error(`kubectl port-forward exited: ${output}`)));
  });
  return {
    port,
    output: () => output,
    stop: () => {
      child.kill();
      return output;
    },
  };
}

for (const minor of [33, 27]) {
  const kubectl = kubectlBinary(minor);
  // 1.30+ exec speaks WebSocket v5 (a GET, authorized as `get`); 1.27 speaks SPDY (a POST, `create`).
  const execVerb = minor >= 30 ? 'get' : 'create';
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor}`,
    () => {
      const kc = (...args: string[]): ReturnType<typeof run> =>
        run(kubectl, ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 20_000 });

      it('exec prints stdout and exits 0', async () => {
        const result = await kc('exec', 'web', '-c', 'app', '--', 'echo', 'hi');
        expect(result).toMatchObject({ code: 0, stdout: 'hi\n' });
        const decision = server
          .authorizationDecisions()
          .filter((d) => d.attributes.subresource === 'exec')
          .at(-1);
        expect(decision?.attributes.verb).toBe(execVerb);
        expect(decision?.method).toBe(minor >= 30 ? 'GET' : 'POST');
      });

      it('exec propagates stderr and the exit code', async () => {
        const result = await kc('exec', 'web', '-c', 'app', '--', 'fail');
        expect(result.code).toBe(3);
        expect(result.stdout).toBe('out\n');
        expect(result.stderr).toBe('bad\ncommand terminated with exit code 3\n');
      });

      it('exec -i passes stdin', async () => {
        const result = await run(
          kubectl,
          ['--kubeconfig', kubeconfig, 'exec', '-i', 'web', '-c', 'app', '--', 'cat'],
          {
            input: 'line one\nline two\n',
          },
        );
        expect(result).toMatchObject({ code: 0, stdout: 'line one\nline two\n' });
      });

      it('exec picks the handler by container', async () => {
        const result = await kc('exec', 'web', '-c', 'sidecar', '--', 'whoami');
        expect(result).toMatchObject({ code: 0, stdout: 'sidecar in default/web\n' });
      });

      it('exec without a matching handler says how to register one', async () => {
        const result = await kc('exec', 'web', '-c', 'app', '--', 'ps', 'aux');
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(
          '[fake-apiserver] no exec handler matches pod default/web container app command ["ps","aux"]',
        );
        expect(result.stderr).toContain('server.onExec(');
      });

      it('exec into a missing pod is 404, into an unscheduled pod 400, into an unknown container 400', async () => {
        expect((await kc('exec', 'missing', '--', 'true')).stderr).toBe(
          'Error from server (NotFound): pods "missing" not found\n',
        );
        expect((await kc('exec', 'unscheduled', '--', 'true')).stderr).toBe(
          'Error from server (BadRequest): pod unscheduled does not have a host assigned\n',
        );
        const unknown = await run(kubectl, [
          '--kubeconfig',
          kubeconfig,
          'exec',
          'web',
          '-c',
          'nope',
          '--',
          'true',
        ]);
        expect(unknown.stderr).toContain('container nope is not valid for pod web');
      });

      it(`needs ${execVerb} on pods/exec, as a 1.33 apiserver authorizes the ${minor >= 30 ? 'WebSocket GET' : 'SPDY POST'}`, async () => {
        const alice = join(dir, `alice-${minor}`);
        await writeFile(alice, await server.kubeconfigFor('alice'));
        const result = await run(kubectl, [
          '--kubeconfig',
          alice,
          'exec',
          'web',
          '-c',
          'app',
          '--',
          'echo',
          'hi',
        ]);
        if (execVerb === 'get') expect(result).toMatchObject({ code: 0, stdout: 'hi\n' });
        else expect(result.stderr).toContain('cannot create resource "pods/exec"');
      });

      it('attach streams what the handler writes', async () => {
        const result = await kc('attach', 'web', '-c', 'app');
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('attached\n');
      });

      it('port-forward carries curl to the local server', async () => {
        const forward = await portForward(kubectl, 80);
        try {
          for (let i = 0; i < 2; i++) {
            const curl = await run('curl', ['-sS', '-m', '5', `http://127.0.0.1:${forward.port}/`]);
            expect(curl).toMatchObject({ code: 0, stdout: 'hello through the tunnel\n' });
          }
        } finally {
          forward.stop();
        }
      });

      it('port-forward to a port without a handler reports the kubelet-style error', async () => {
        const forward = await portForward(kubectl, 81);
        await run('curl', ['-sS', '-m', '5', `http://127.0.0.1:${forward.port}/`]);
        await vi.waitFor(() => expect(forward.output()).toContain('an error occurred forwarding'), {
          timeout: 10_000,
        });
        const output = forward.stop();
        expect(output).toContain(
          `an error occurred forwarding ${forward.port} -> 81: error forwarding port 81 to pod web_default, uid `,
        );
        expect(output).toContain('[fake-apiserver] no port-forward handler for pod default/web port 81');
      });
    },
  );
}

describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('the Python client', () => {
  it('kubernetes.stream.stream exec gets stdout, stderr, the exit code and stdin (WebSocket v4)', async () => {
    const script = join(dir, 'exec.py');
    await writeFile(
      script,
      `
import json, sys, time
from kubernetes import client, config
from kubernetes.stream import stream
config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
out = {}
out["echo"] = stream(api.connect_get_namespaced_pod_exec, "web", "default", container="app", command=["echo", "hi"], stderr=True, stdin=False, stdout=True, tty=False)
resp = stream(api.connect_get_namespaced_pod_exec, "web", "default", container="app", command=["fail"], stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
resp.run_forever(timeout=5)
out["fail"] = [resp.read_stdout(), resp.read_stderr(), resp.returncode]
resp = stream(api.connect_get_namespaced_pod_exec, "web", "default", container="app", command=["cat"], stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
resp.write_stdin("from python\\n")
got = ""
deadline = time.time() + 5
while "\\n" not in got and time.time() < deadline:
    resp.update(timeout=1)
    got += resp.read_stdout() or ""
resp.close()
out["cat"] = got
print(json.dumps(out))
`,
    );
    const result = await run('/usr/bin/python3', [script, kubeconfig]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      echo: 'hi\n',
      fail: ['out\n', 'bad\n', 3],
      cat: 'from python\n',
    });
  });
});

describe('@kubernetes/client-node', () => {
  function collector(): { stream: Writable; text: () => string } {
    let text = '';
    return {
      stream: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          text += chunk.toString();
          callback();
        },
      }),
      text: () => text,
    };
  }

  async function exec(
    command: string[],
    input?: string,
  ): Promise<{ out: string; err: string; status: unknown }> {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const out = collector();
    const err = collector();
    const stdin = input === undefined ? null : new PassThrough();
    const status = await new Promise((resolve, reject) => {
      new k8s.Exec(kc)
        .exec('default', 'web', 'app', command, out.stream, err.stream, stdin, false, resolve)
        .then(() => stdin?.end(input))
        .catch(reject);
    });
    return { out: out.text(), err: err.text(), status };
  }

  it('Exec gets stdout, stderr and the v5 status with the exit code', async () => {
    expect(await exec(['echo', 'hi'])).toEqual({
      out: 'hi\n',
      err: '',
      status: { metadata: {}, status: 'Success' },
    });
    expect(await exec(['fail'])).toEqual({
      out: 'out\n',
      err: 'bad\n',
      status: {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: command terminated with exit code 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      },
    });
    expect((await exec(['cat'], 'from node\n')).out).toBe('from node\n');
  });

  it('PortForward carries a connection to the handler (WebSocket v4 channels)', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const forward = new k8s.PortForward(kc);
    const { createServer: createTcpServer } = await import('node:net');
    const listener = createTcpServer(
      (socket) => void forward.portForward('default', 'web', [80], socket, null, socket),
    );
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(listener.address() as AddressInfo).port}/`, {
        headers: { connection: 'close' },
      });
      expect(await response.text()).toBe('hello through the tunnel\n');
    } finally {
      listener.close();
    }
  });
});

describe('the control API', () => {
  it('registers a scripted exec reply that kubectl then gets', async () => {
    const kubectl = kubectlBinary(33);
    const post = await run(
      kubectl,
      ['--kubeconfig', kubeconfig, 'create', '--raw', '/fake-apiserver/v1/stream-handlers/exec', '-f', '-'],
      { input: JSON.stringify({ pod: 'web', command: ['date'], stdout: 'Thu Jan  1 00:00:00 UTC 1970\n' }) },
    );
    expect(post.code, post.stderr).toBe(0);
    expect(JSON.parse(post.stdout)).toEqual({
      pod: 'web',
      command: ['date'],
      stdout: 'Thu Jan  1 00:00:00 UTC 1970\n',
    });
    const result = await run(kubectl, ['--kubeconfig', kubeconfig, 'exec', 'web', '-c', 'app', '--', 'date']);
    expect(result).toMatchObject({ code: 0, stdout: 'Thu Jan  1 00:00:00 UTC 1970\n' });
    const list = await run(kubectl, [
      '--kubeconfig',
      kubeconfig,
      'get',
      '--raw',
      '/fake-apiserver/v1/stream-handlers',
    ]);
    expect(JSON.parse(list.stdout).exec).toHaveLength(1);
  });
});
