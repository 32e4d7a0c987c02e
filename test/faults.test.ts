import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServerError, startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';
import { send } from './support/https-client.js';
import { waitFor } from './support/sa-dir.js';

const POD = { spec: { containers: [{ name: 'c', image: 'nginx' }] } };

describe('fault injection', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let saDir: string;
  let readerToken: string;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-faults-'));
    saDir = join(dir, 'sa');
    server = await startFakeApiServer({
      saDir,
      serviceAccount: 'default/pod-reader',
      kubeconfig: join(dir, 'kubeconfig'),
    });
    readerToken = await readFile(join(saDir, 'token'), 'utf8');
    admin = adminCredentials(server.kubeconfig);
    await writeFile(join(dir, 'admin.crt'), admin.cert);
    await writeFile(join(dir, 'admin.key'), admin.key);
  });
  afterAll(() => server?.close());
  afterEach(() => {
    server.clearFaults();
  });

  const asReader = (path: string) => send(server.url, server.caCert, { path, token: readerToken });

  /** curl against the server; `-w` appends the HTTP code (0 when no response came). */
  const curl = async (args: string[]) => {
    const result = await run('curl', [
      '-sS',
      '--cacert',
      join(saDir, 'ca.crt'),
      '-w',
      '\n%{http_code}',
      ...args,
    ]);
    const lines = result.stdout.split('\n');
    const status = Number(lines.pop());
    return { ...result, status, body: lines.join('\n') };
  };
  const curlAsAdmin = (method: string, path: string, body?: string) =>
    curl([
      ...['--cert', join(dir, 'admin.crt'), '--key', join(dir, 'admin.key'), '-X', method],
      ...(body === undefined ? [] : ['-H', 'Content-Type: application/json', '--data-binary', body]),
      `${server.url}${path}`,
    ]);

  describe('kubectl 1.33', () => {
    const kubectl = kubectlBinary(33);
    it.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
      'gets pods despite two 429s, waiting the Retry-After second before each retry',
      async () => {
        const rule = server.injectFault({
          id: 'throttle-pod-lists',
          verb: 'list',
          resource: 'pods',
          times: 2,
          status: 429,
          retryAfterSeconds: 1,
        });
        const started = Date.now();
        const result = await run(kubectl, [
          ...['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'kubectl-cache')],
          ...['get', 'pods', '-n', 'default', '-o', 'name'],
        ]);
        const elapsed = Date.now() - started;
        expect(result.stderr).toBe('');
        expect(result.stdout.split('\n')).toContain('pod/helloworld');
        expect(result.code).toBe(0);
        expect(rule.hits).toBe(2);
        expect(server.faults()).toEqual([
          {
            id: 'throttle-pod-lists',
            verb: 'list',
            resource: 'pods',
            times: 2,
            status: 429,
            retryAfterSeconds: 1,
            hits: 2,
            matches: 2,
            spent: true,
          },
        ]);
        expect(elapsed).toBeGreaterThanOrEqual(2000);
      },
    );
  });

  describe('@kubernetes/client-node', () => {
    it('an informer re-lists after a watch ERROR 410 Expired and keeps seeing new pods', async () => {
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      const api = kc.makeApiClient(CoreV1Api);
      const rule = server.injectFault({
        id: 'expire-pod-watch',
        resource: 'pods',
        namespace: 'default',
        watchError: true,
        times: 1,
      });
      let lists = 0;
      const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => {
        lists++;
        return api.listNamespacedPod({ namespace: 'default' });
      });
      const errors: unknown[] = [];
      informer.on('error', (error) => errors.push(error));
      const seen = new Promise<void>((resolvePromise) =>
        informer.on('add', (pod: V1Pod) => {
          if (pod.metadata?.name === 'after-expiry') resolvePromise();
        }),
      );
      await informer.start();
      try {
        await waitFor('the re-list after the 410', () => (lists >= 2 ? true : undefined), 10_000);
        expect(rule.hits).toBe(1);
        await api.createNamespacedPod({
          namespace: 'default',
          body: { metadata: { name: 'after-expiry' }, ...POD },
        });
        await seen;
        expect(informer.list().map((pod) => pod.metadata?.name)).toContain('after-expiry');
        expect(lists).toBe(2);
        expect(errors).toEqual([]);
      } finally {
        await informer.stop();
        await api.deleteNamespacedPod({ name: 'after-expiry', namespace: 'default' });
      }
    });
  });

  describe('watches', () => {
    it('watchError answers 200 with one ERROR event carrying a 410 Expired Status, then ends', async () => {
      server.injectFault({ watchError: true, times: 1 });
      const response = await send(server.url, server.caCert, {
        path: '/api/v1/namespaces/default/pods?watch=true&resourceVersion=3&timeoutSeconds=5',
        token: readerToken,
      });
      expect(response.status).toBe(200);
      const events = response.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(events).toEqual([
        {
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: expect.stringMatching(/^too old resource version: 3 \(\d+\)$/),
            reason: 'Expired',
            code: 410,
          },
        },
      ]);
    });

    it('endWatchAfter ends the stream cleanly after that many events', async () => {
      const rule = server.injectFault({ resource: 'pods', endWatchAfter: 2 });
      // Without the rule this watch would last 5 s and show the 3 pods.
      const response = await send(server.url, server.caCert, {
        path: '/api/v1/pods?watch=true&timeoutSeconds=5',
        client: admin,
      });
      const events = response.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(events.map((event) => event.type)).toEqual(['ADDED', 'ADDED']);
      expect(rule.hits).toBe(1);
    });
  });

  describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('the Python client', () => {
    const SCRIPT = `
import json, os, sys, time
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader

sa = sys.argv[1]
cfg = client.Configuration()
InClusterConfigLoader(token_filename=os.path.join(sa, "token"), cert_filename=os.path.join(sa, "ca.crt"), environ=os.environ).load_and_set(cfg)
v1 = client.CoreV1Api(client.ApiClient(cfg))
out = {}
try:
    v1.read_namespaced_pod("helloworld", "default")
except ApiException as e:
    out["error"] = {"status": e.status, "body": json.loads(e.body)}
started = time.monotonic()
v1.list_namespaced_pod("default")
out["slowListSeconds"] = time.monotonic() - started
out["readAfterwards"] = v1.read_namespaced_pod("web-7d4b9c6f5-x2kqp", "default").metadata.name
print(json.dumps(out))
`;

    it('gets an ApiException with status 500 and the Status body; latency delays the list', async () => {
      await writeFile(join(dir, 'faults.py'), SCRIPT);
      const boom = server.injectFault({
        id: 'boom',
        verb: 'get',
        resource: 'pods',
        name: 'helloworld',
        user: 'system:serviceaccount:default:pod-reader',
        status: 500,
      });
      const slow = server.injectFault({ id: 'slow', verb: 'list', resource: 'pods', latency: '400ms' });
      const result = await run('/usr/bin/python3', [join(dir, 'faults.py'), saDir], {
        env: { ...process.env, ...server.env },
      });
      expect(result.stderr).toBe('');
      const out = JSON.parse(result.stdout);
      expect(out.error).toEqual({
        status: 500,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Internal error occurred: fault injected by fake-apiserver rule "boom"',
          reason: 'InternalError',
          details: { causes: [{ message: 'fault injected by fake-apiserver rule "boom"' }] },
          code: 500,
        },
      });
      expect(out.slowListSeconds).toBeGreaterThanOrEqual(0.4);
      expect(out.readAfterwards).toBe('web-7d4b9c6f5-x2kqp');
      expect([boom.hits, slow.hits]).toEqual([1, 1]);
    });
  });

  describe('curl', () => {
    it('reset drops the connection without a response; the next request is served', async () => {
      const rule = server.injectFault({
        verb: 'get',
        resource: 'pods',
        name: 'helloworld',
        reset: true,
        times: 1,
      });
      const podPath = `${server.url}/api/v1/namespaces/default/pods/helloworld`;
      const dropped = await curl(['-H', `Authorization: Bearer ${readerToken}`, podPath]);
      // 56: "Recv failure: Connection reset by peer" (52 "Empty reply" where no RST can be sent).
      expect([52, 56]).toContain(dropped.code);
      expect(dropped.status).toBe(0);
      expect(dropped.stderr).toMatch(/Connection reset by peer|Empty reply from server/);
      const served = await curl(['-H', `Authorization: Bearer ${readerToken}`, podPath]);
      expect(served.code).toBe(0);
      expect(served.status).toBe(200);
      expect(JSON.parse(served.body).metadata.name).toBe('helloworld');
      expect(rule.hits).toBe(1);
    });
  });

  describe('what faults apply to', () => {
    it('only requests that would be served: a request RBAC denies gets its 403 and is not counted', async () => {
      const rule = server.injectFault({ status: 500 });
      const denied = await asReader('/api/v1/namespaces/kube-system/pods');
      expect(denied.status).toBe(403);
      expect(rule.matches).toBe(0);
      expect((await asReader('/api/v1/namespaces/default/pods')).status).toBe(500);
      expect(rule.hits).toBe(1);
    });

    it('never non-resource requests: discovery, version, the control API', async () => {
      const rule = server.injectFault({ reset: true });
      expect((await asReader('/api')).status).toBe(200);
      expect((await asReader('/version')).status).toBe(200);
      expect((await curlAsAdmin('GET', '/fake-apiserver/v1/faults')).status).toBe(200);
      expect(rule.matches).toBe(0);
    });

    it('skips the first `after` matches, and a removed rule stops at once', async () => {
      const rule = server.injectFault({ verb: 'list', resource: 'pods', after: 1, status: 504 });
      expect((await asReader('/api/v1/namespaces/default/pods')).status).toBe(200);
      const timedOut = await asReader('/api/v1/namespaces/default/pods');
      expect(timedOut.status).toBe(504);
      expect(timedOut.json().message).toBe('Timeout: request did not complete within the allotted timeout');
      expect(rule.remove()).toBe(true);
      expect(rule.remove()).toBe(false);
      expect((await asReader('/api/v1/namespaces/default/pods')).status).toBe(200);
      expect([rule.matches, rule.hits]).toEqual([2, 1]);
      expect(server.faults()).toEqual([]);
    });
  });

  describe('the programmatic API', () => {
    it('refuses a bad rule with a FakeApiServerError naming the field', () => {
      expect(() => server.injectFault({ status: 500, times: -1 })).toThrow(FakeApiServerError);
      expect(() => server.injectFault({ status: 500, times: -1 })).toThrow(
        '[fake-apiserver] fault rule: times must be an integer of at least 1, not -1',
      );
      expect(() => server.injectFault({ id: 'x', status: 500, stauts: 1 } as never)).toThrow(
        'fault rule: unknown field "stauts"',
      );
      server.injectFault({ id: 'taken', status: 500 });
      expect(() => server.injectFault({ id: 'taken', status: 503 })).toThrow(
        'fault rule: fault rule "taken" already exists',
      );
    });

    it('takes rules at start, and refuses bad ones there naming the rule', async () => {
      await using started = await startFakeApiServer({
        faults: [{ id: 'no-configmaps', resource: 'configmaps', status: 503 }],
      });
      const response = await send(started.url, started.caCert, {
        path: '/api/v1/namespaces/default/configmaps',
        client: adminCredentials(started.kubeconfig),
      });
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toMatchObject({
        reason: 'ServiceUnavailable',
        message: 'apiserver is shutting down',
      });
      await expect(startFakeApiServer({ faults: [{ status: 500 }, { status: 200 }] })).rejects.toThrow(
        '[fake-apiserver] faults option: rule 2: status 200 is not supported',
      );
    });
  });

  describe('the HTTP control endpoint', () => {
    it('lets the admin client certificate add, list and remove rules with curl', async () => {
      const created = await curlAsAdmin(
        'POST',
        '/fake-apiserver/v1/faults',
        JSON.stringify([{ id: 'throttle', verb: 'list', resource: 'configmaps', status: 429, times: 1 }]),
      );
      expect(created.status).toBe(201);
      expect(JSON.parse(created.body)).toEqual({
        items: [
          {
            id: 'throttle',
            verb: 'list',
            resource: 'configmaps',
            status: 429,
            times: 1,
            hits: 0,
            matches: 0,
            spent: false,
          },
        ],
      });

      const throttled = await curl([
        ...['-D', '-', '--cert', join(dir, 'admin.crt'), '--key', join(dir, 'admin.key')],
        `${server.url}/api/v1/namespaces/default/configmaps`,
      ]);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatch(/^retry-after: 1\r?$/im);
      // Indented, as kube-apiserver answers curl's user agent.
      expect(throttled.body).toContain(
        '{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "storage is (re)initializing",\n  "reason": "TooManyRequests",\n  "details": {\n    "retryAfterSeconds": 1\n  },\n  "code": 429\n}',
      );

      const listed = JSON.parse((await curlAsAdmin('GET', '/fake-apiserver/v1/faults')).body);
      expect(listed.items).toMatchObject([{ id: 'throttle', hits: 1, spent: true }]);

      const single = await curlAsAdmin(
        'POST',
        '/fake-apiserver/v1/faults',
        '{"resource":"secrets","reset":true}',
      );
      const [generated] = JSON.parse(single.body).items;
      expect(generated).toMatchObject({
        id: expect.stringMatching(/^fault-\d+$/),
        resource: 'secrets',
        reset: true,
      });
      const fetched = await curlAsAdmin('GET', `/fake-apiserver/v1/faults/${generated.id}`);
      expect(JSON.parse(fetched.body)).toEqual(generated);

      const removed = await curlAsAdmin('DELETE', '/fake-apiserver/v1/faults/throttle');
      expect(removed.status).toBe(200);
      expect(JSON.parse(removed.body)).toMatchObject({ id: 'throttle', hits: 1 });
      const unknown = await curlAsAdmin('DELETE', '/fake-apiserver/v1/faults/throttle');
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body).message).toBe('fault rule "throttle" not found');

      const cleared = await curlAsAdmin('DELETE', '/fake-apiserver/v1/faults');
      expect(JSON.parse(cleared.body).items.map((rule: { id: string }) => rule.id)).toEqual([generated.id]);
      expect(server.faults()).toEqual([]);
    });

    it('answers a bad rule with 400 naming the rule and field, and a taken id with 409', async () => {
      const bad = await curlAsAdmin(
        'POST',
        '/fake-apiserver/v1/faults',
        '[{"status":500},{"status":500,"times":-1}]',
      );
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({
        kind: 'Status',
        reason: 'BadRequest',
        message: 'rule 2: times must be an integer of at least 1, not -1',
        code: 400,
      });
      expect(server.faults()).toEqual([]);
      await curlAsAdmin('POST', '/fake-apiserver/v1/faults', '{"id":"once","status":500}');
      const taken = await curlAsAdmin('POST', '/fake-apiserver/v1/faults', '{"id":"once","status":500}');
      expect(taken.status).toBe(409);
      expect(JSON.parse(taken.body)).toMatchObject({
        reason: 'AlreadyExists',
        message: 'fault rule "once" already exists',
      });
      const yaml = await curl([
        ...['--cert', join(dir, 'admin.crt'), '--key', join(dir, 'admin.key')],
        ...['-H', 'Content-Type: application/yaml', '--data-binary', '- verb: get\n  latency: 1s\n'],
        `${server.url}/fake-apiserver/v1/faults`,
      ]);
      expect(yaml.status).toBe(201);
      expect(JSON.parse(yaml.body).items).toMatchObject([{ verb: 'get', latency: '1s', hits: 0 }]);
    });

    it('forbids a service account, as RBAC forbids any non-resource URL it is not granted', async () => {
      for (const method of ['GET', 'POST']) {
        const response = await curl([
          ...['-X', method, '-H', `Authorization: Bearer ${readerToken}`],
          ...(method === 'POST'
            ? ['-H', 'Content-Type: application/json', '--data-binary', '{"status":500}']
            : []),
          `${server.url}/fake-apiserver/v1/faults`,
        ]);
        expect(response.status).toBe(403);
        expect(JSON.parse(response.body).message).toBe(
          `forbidden: User "system:serviceaccount:default:pod-reader" cannot ${method.toLowerCase()} path "/fake-apiserver/v1/faults"`,
        );
      }
      expect(server.faults()).toEqual([]);
    });

    it('serves a service account that a ClusterRole grants the URLs, as the README says', async () => {
      const create = (path: string, body: unknown) =>
        send(server.url, server.caCert, { method: 'POST', path, body, client: admin });
      await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
        metadata: { name: 'fault-injector' },
        rules: [
          {
            nonResourceURLs: ['/fake-apiserver/v1/faults', '/fake-apiserver/v1/faults/*'],
            verbs: ['get', 'post', 'delete'],
          },
        ],
      });
      await create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        metadata: { name: 'fault-injector' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fault-injector' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
      });
      const token = server.issueToken('default/default');
      const post = await send(server.url, server.caCert, {
        method: 'POST',
        path: '/fake-apiserver/v1/faults',
        token,
        body: { id: 'granted', status: 500 },
      });
      expect(post.status).toBe(201);
      const removed = await send(server.url, server.caCert, {
        method: 'DELETE',
        path: '/fake-apiserver/v1/faults/granted',
        token,
      });
      expect(removed.json()).toMatchObject({ id: 'granted', hits: 0 });
    });
  });
});

describe('the fake-apiserver command with --faults', () => {
  const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('refuses a bad faults file with exit code 2, naming the file and the rule', async () => {
    const result = await run(process.execPath, [
      BIN,
      '--port',
      '0',
      '--faults',
      'test/fixtures/faults/bad.yaml',
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      '[fake-apiserver] test/fixtures/faults/bad.yaml: rule 2: status 418 is not supported; use one of 401, 403, 404, 409, 410, 429, 500, 503, 504',
    );
  });

  it('applies the rules of a good file from the start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-faults-cli-'));
    const child = spawn(
      process.execPath,
      [
        BIN,
        ...['--port', '0', '--sa-dir', join(dir, 'sa'), '--service-account', 'default/pod-reader'],
      ].concat('--faults', 'test/fixtures/faults/unavailable-pods.yaml'),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const lines: string[] = [];
    await new Promise<void>((resolvePromise, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (lines.length === 2) resolvePromise();
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before printing the exports`)));
    });
    const port = lines[1]!.split('=')[1];
    const ca = await readFile(join(dir, 'sa', 'ca.crt'), 'utf8');
    const token = await readFile(join(dir, 'sa', 'token'), 'utf8');
    const response = await send(`https://127.0.0.1:${port}`, ca, {
      path: '/api/v1/namespaces/default/pods',
      token,
    });
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
  });
});
