import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';

const configMap = (data: Record<string, string>, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'default', ...(Object.keys(labels).length ? { labels } : {}) },
    data,
  });

const deployment = (replicas: number, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

let server: StartedFakeApiServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-ssa-'));
  kubeconfig = join(dir, 'kubeconfig');
  server = await startFakeApiServer({ kubeconfig });
});
afterAll(() => server?.close());

for (const minor of [33, 27]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} apply --server-side`,
    () => {
      const ns = `ssa-${minor}`;
      const kc = (...args: string[]) =>
        run(kubectl, [
          '--kubeconfig',
          kubeconfig,
          '--cache-dir',
          join(dir, `cache-${minor}`),
          '-n',
          ns,
          ...args,
        ]);
      const applyFile = async (name: string, text: string, ...flags: string[]) => {
        const file = join(dir, `${minor}-${name}.yaml`);
        await writeFile(
          file,
          text
            .replaceAll('namespace: default', `namespace: ${ns}`)
            .replaceAll('"namespace":"default"', `"namespace":"${ns}"`),
        );
        return kc('apply', '--server-side', '-f', file, ...flags);
      };

      beforeAll(async () => {
        expect((await kc('create', 'namespace', ns)).code).toBe(0);
      });

      it('creates, changes and removes fields; managedFields show the Apply entry', async () => {
        const created = await applyFile('cm1', configMap({ a: '1', b: '2' }, { app: 'shop' }));
        expect(created.stderr).toBe('');
        expect(created.stdout.trim()).toBe('configmap/settings serverside-applied');
        const changed = await applyFile('cm2', configMap({ a: '10' }));
        expect(changed.stdout.trim()).toBe('configmap/settings serverside-applied');
        const got = await kc('get', 'configmap', 'settings', '-o', 'yaml', '--show-managed-fields');
        const obj = parseYaml(got.stdout);
        expect(obj.data).toEqual({ a: '10' });
        expect(obj.metadata.labels).toBeUndefined();
        expect(obj.metadata.managedFields).toEqual([
          {
            manager: 'kubectl',
            operation: 'Apply',
            apiVersion: 'v1',
            time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { 'f:a': {} } },
          },
        ]);
        // Without the flag kubectl hides them.
        const plain = parseYaml((await kc('get', 'configmap', 'settings', '-o', 'yaml')).stdout);
        expect(plain.metadata.managedFields).toBeUndefined();
      });

      it('reports a conflict between managers, and --force-conflicts takes the field', async () => {
        expect((await applyFile('d1', deployment(2), '--field-manager', 'team-a')).code).toBe(0);
        const refused = await applyFile('d2', deployment(5), '--field-manager', 'team-b');
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(
          'Apply failed with 1 conflict: conflict with "team-a": .spec.replicas',
        );
        const forced = await applyFile('d3', deployment(5), '--field-manager', 'team-b', '--force-conflicts');
        expect(forced.stdout.trim()).toBe('deployment.apps/web serverside-applied');
        const obj = parseYaml(
          (await kc('get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields')).stdout,
        );
        expect(obj.spec.replicas).toBe(5);
        const teamA = obj.metadata.managedFields.find((e: { manager: string }) => e.manager === 'team-a');
        const teamB = obj.metadata.managedFields.find((e: { manager: string }) => e.manager === 'team-b');
        expect(teamA.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
        expect(
          teamA.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'],
        ).toEqual({
          '.': {},
          'f:image': {},
          'f:name': {},
          'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
        });
        expect(teamB.fieldsV1['f:spec']['f:replicas']).toEqual({});
      });

      it('takes over from client-side apply', async () => {
        const file = join(dir, `${minor}-csa.yaml`);
        await writeFile(
          file,
          configMap({ x: '1' }).replace('"settings"', '"csa"').replace('"default"', `"${ns}"`),
        );
        expect((await kc('apply', '-f', file)).code).toBe(0);
        await writeFile(
          file,
          configMap({ x: '2' }).replace('"settings"', '"csa"').replace('"default"', `"${ns}"`),
        );
        const result = await kc('apply', '--server-side', '-f', file);
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe('configmap/csa serverside-applied');
        const obj = parseYaml(
          (await kc('get', 'configmap', 'csa', '-o', 'yaml', '--show-managed-fields')).stdout,
        );
        expect(obj.data).toEqual({ x: '2' });
        const managers = obj.metadata.managedFields.map(
          (e: { manager: string; operation: string }) => `${e.manager}/${e.operation}`,
        );
        expect(managers).toContain('kubectl/Apply');
      });
    },
  );
}

describe('server-side apply over HTTP', () => {
  const adminApi = () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    return kc.makeApiClient(CoreV1Api);
  };

  it('client-node patchNamespacedConfigMap with the apply content type', async () => {
    const api = adminApi();
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'node-applied', namespace: 'default' },
      data: { k: 'v' },
    };
    const created = await api.patchNamespacedConfigMap(
      { name: 'node-applied', namespace: 'default', body, fieldManager: 'my-controller' },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(created.data).toEqual({ k: 'v' });
    expect(created.metadata?.managedFields?.[0]).toMatchObject({
      manager: 'my-controller',
      operation: 'Apply',
    });
    // An Update by someone else, then a conflicting apply: 409 with upstream's Status.
    await api.patchNamespacedConfigMap(
      {
        name: 'node-applied',
        namespace: 'default',
        body: { data: { k: 'changed' } },
        fieldManager: 'editor',
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const error = await api
      .patchNamespacedConfigMap(
        { name: 'node-applied', namespace: 'default', body, fieldManager: 'my-controller' },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      )
      .then(
        () => ({ code: 200, body: '{}' }),
        (e: unknown) => e as { code: number; body: string },
      );
    expect(error.code).toBe(409);
    const status = JSON.parse(error.body);
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "editor" using v1: .data.k',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "editor" using v1', field: '.data.k' },
        ],
      },
    });
  });

  it('requires a fieldManager for apply (422) and validates its length', async () => {
    const base = `${server.url}/api/v1/namespaces/default/configmaps/x`;
    const patch = async (query: string) => {
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      const opts = {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: 'apiVersion: v1\nkind: ConfigMap\n',
      };
      return requestAsAdmin(`${base}${query}`, opts);
    };
    const missing = await patch('');
    expect(missing.status).toBe(422);
    expect(missing.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const long = await patch(`?fieldManager=${'a'.repeat(129)}`);
    expect(long.status).toBe(422);
    expect(long.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    );
  });

  it('runs the strategy of an update, as PUT and PATCH do: a deployment selector stays immutable', async () => {
    const url = `${server.url}/apis/apps/v1/namespaces/default/deployments/ssa-immutable?fieldManager=ci`;
    const apply = (app: string) =>
      requestAsAdmin(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'ssa-immutable' },
          spec: {
            selector: { matchLabels: { app } },
            template: {
              metadata: { labels: { app } },
              spec: { containers: [{ name: 'c', image: 'nginx' }] },
            },
          },
        }),
      });
    expect((await apply('one')).status).toBe(201);
    const changed = await apply('two');
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain('spec.selector: Invalid value:');
    expect(changed.body.message).toContain('field is immutable');
  });

  it('records Update entries on create/update with the User-Agent prefix, and [] resets them', async () => {
    const created = await requestAsAdmin(`${server.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'my-tool/1.0 (linux)' },
      body: JSON.stringify({ metadata: { name: 'ua' }, data: { a: '1' } }),
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([
      {
        manager: 'my-tool',
        operation: 'Update',
        apiVersion: 'v1',
        time: created.body.metadata.creationTimestamp,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
      },
    ]);
    const reset = await requestAsAdmin(
      `${server.url}/api/v1/namespaces/default/configmaps/ua?fieldManager=x`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { managedFields: [] } }),
      },
    );
    expect(reset.status).toBe(200);
    expect(reset.body.metadata.managedFields).toBeUndefined();
  });
});

async function requestAsAdmin(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) {
  const { adminCredentials } = await import('./support/admin.js');
  const { request } = await import('node:https');
  const { cert, key } = adminCredentials(server.kubeconfig);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      url,
      { method: init.method, headers: init.headers, ca: server.caCert, cert, key },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('Python client', () => {
  it('applies through api_client.call_api', async () => {
    const script = join(dir, 'apply.py');
    await writeFile(
      script,
      `import sys, json
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
api = client.ApiClient()
body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py-applied", "namespace": "default"}, "data": {"p": "y"}}
resp = api.call_api("/api/v1/namespaces/{namespace}/configmaps/{name}", "PATCH",
    path_params={"namespace": "default", "name": "py-applied"}, query_params=[("fieldManager", "py")],
    header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
    body=json.dumps(body), response_type="object", _return_http_data_only=True)
print(json.dumps(resp))
`,
    );
    const result = await run('/usr/bin/python3', [script, kubeconfig]);
    expect(result.stderr).toBe('');
    const obj = JSON.parse(result.stdout);
    expect(obj.data).toEqual({ p: 'y' });
    expect(obj.metadata.managedFields[0]).toMatchObject({ manager: 'py', operation: 'Apply' });
  });
});
