import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { waitFor } from './support/sa-dir.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import {
  clientAvailable,
  existsSync,
  kubectlBinary,
  pythonClientInstalled,
  run,
} from './support/external.js';

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
      additionalPrinterColumns:
        - name: Size
          type: string
          jsonPath: .spec.size
        - name: Replicas
          type: integer
          jsonPath: .spec.replicas
        - name: Ready
          type: string
          jsonPath: .status.conditions[?(@.type=="Ready")].status
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size:
                  type: string
                  enum: [small, large]
                replicas:
                  type: integer
                  minimum: 0
                  default: 1
                color:
                  type: string
            status:
              type: object
              properties:
                replicas:
                  type: integer
                conditions:
                  type: array
                  items:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
    - name: v1beta1
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;

const WIDGET = `
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: default
spec:
  size: small
  unknownField: dropped
`;

const kubectl = kubectlBinary(33);

describe('CustomResourceDefinitions served live', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  const k = (...args: string[]) =>
    run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
  const admin = (): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    return kc;
  };
  const request = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const kc = admin();
    const init: RequestInit & { dispatcher?: unknown } = {
      method,
      headers: { 'Content-Type': contentType, Accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    const { cert, key } = kc.getCurrentUser()!.certData
      ? {
          cert: Buffer.from(kc.getCurrentUser()!.certData!, 'base64'),
          key: Buffer.from(kc.getCurrentUser()!.keyData!, 'base64'),
        }
      : { cert: undefined, key: undefined };
    const { request: httpsRequest } = await import('node:https');
    return await new Promise<{ status: number; headers: Record<string, unknown>; body: any }>(
      (resolve, reject) => {
        const req = httpsRequest(
          new URL(path, server.url),
          { method, headers: init.headers as Record<string, string>, ca: server.caCert, cert, key },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: text.startsWith('{') ? JSON.parse(text) : text,
              });
            });
          },
        );
        req.on('error', reject);
        req.end(init.body as string | undefined);
      },
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-crd-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig });
    await writeFile(join(dir, 'crd.yaml'), CRD);
    await writeFile(join(dir, 'widget.yaml'), WIDGET);
  });
  afterAll(() => server?.close());

  it('refuses a CRD with upstream 422 messages', async () => {
    const res = await request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Regional',
        names: { plural: 'gizmos', kind: 'Gizmo' },
        versions: [{ name: 'v1', served: true, storage: false }],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.message).toContain(
      'CustomResourceDefinition.apiextensions.k8s.io "gadgets.example.com" is invalid: [',
    );
    expect(res.body.message).toContain(
      'metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group',
    );
    expect(res.body.message).toContain(
      'spec.scope: Unsupported value: "Regional": supported values: "Cluster", "Namespaced"',
    );
    expect(res.body.message).toContain(
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    );
    expect(res.body.message).toContain('must have exactly one version marked as storage version');
  });

  it('warns that conversion webhooks are not called and CEL rules not evaluated', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.org' },
      spec: {
        group: 'example.org',
        scope: 'Cluster',
        names: { plural: 'gadgets', kind: 'Gadget' },
        conversion: {
          strategy: 'Webhook',
          webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://example.org/convert' } },
        },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    'x-kubernetes-validations': [{ rule: 'self.a > 0' }],
                    properties: { a: { type: 'integer' } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const created = await request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.status).toBe(201);
    expect(created.headers.warning).toBe(
      '299 - "fake-apiserver does not call conversion webhooks: each custom resource is served as it was written, with only its apiVersion rewritten to the version asked for"',
    );
    expect(
      created.body.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
    ).toEqual(['NamesAccepted=True', 'Established=True']);
    const gadget = await request('POST', '/apis/example.org/v1/gadgets', {
      apiVersion: 'example.org/v1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { a: -1 },
    });
    expect(gadget.status).toBe(201);
    expect(gadget.headers.warning).toBe(
      '299 - "fake-apiserver does not evaluate x-kubernetes-validations (CEL) rules: the rules of Gadget.example.org were not checked"',
    );
    expect((await request('GET', '/apis/example.org/v1/namespaces/default/gadgets')).status).toBe(404);
  });

  describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))('with kubectl 1.33', () => {
    it('applies a CRD, waits for Established, and lists it in api-resources', async () => {
      expect(await k('apply', '-f', join(dir, 'crd.yaml'))).toMatchObject({
        code: 0,
        stdout: 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n',
      });
      const waited = await k(
        'wait',
        '--for',
        'condition=established',
        '--timeout=10s',
        'crd/widgets.example.com',
      );
      expect(waited).toMatchObject({
        code: 0,
        stdout: 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n',
      });
      const resources = await k('api-resources', '--api-group', 'example.com');
      expect(resources.stderr).toBe('');
      expect(resources.stdout).toMatch(/^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
      const crds = await k('get', 'crds');
      expect(crds.stdout).toMatch(/^widgets\.example\.com\s+/m);
    });

    it('applies, prints, patches and gets a custom object by short name', async () => {
      // kubectl's default fieldValidation=Strict refuses WIDGET's unknown field; Warn prunes it with a warning.
      expect(await k('apply', '-f', join(dir, 'widget.yaml'), '--validate=warn')).toMatchObject({
        stderr: 'Warning: unknown field "spec.unknownField"\n',
        code: 0,
        stdout: 'widget.example.com/w1 created\n',
      });
      const stored = await request('GET', '/apis/example.com/v1/namespaces/default/widgets/w1');
      expect(stored.body.spec).toEqual({ size: 'small', replicas: 1 }); // pruned and defaulted
      expect(stored.body.metadata.generation).toBe(1);
      const listed = await k('get', 'widgets');
      expect(listed.stderr).toBe('');
      expect(listed.stdout).toMatch(/^NAME\s+SIZE\s+REPLICAS\s+READY$/m);
      expect(listed.stdout).toMatch(/^w1\s+small\s+1\s*$/m); // an absent value is a null cell, printed empty
      const patched = await k(
        'patch',
        'widget',
        'w1',
        '--type',
        'merge',
        '-p',
        '{"spec":{"size":"large","replicas":3}}',
      );
      expect(patched).toMatchObject({ code: 0, stdout: 'widget.example.com/w1 patched\n' });
      const byShortName = await k('get', 'wd', 'w1', '-o', 'jsonpath={.spec.size}/{.metadata.generation}');
      expect(byShortName.stdout).toBe('large/2');
      const bad = await k('patch', 'widget', 'w1', '--type', 'merge', '-p', '{"spec":{"size":"huge"}}');
      expect(bad.code).not.toBe(0);
      const raw = await request(
        'PATCH',
        '/apis/example.com/v1/namespaces/default/widgets/w1',
        { spec: { size: 'huge', replicas: -1 } },
        'application/merge-patch+json',
      );
      expect(raw.status).toBe(422);
      expect(raw.body.message).toBe(
        'Widget.example.com "w1" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, spec.size: Unsupported value: "huge": supported values: "small", "large"]',
      );
      expect(raw.body.details.causes).toContainEqual({
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "huge": supported values: "small", "large"',
        field: 'spec.size',
      });
      expect(bad.stderr).toContain(
        'The Widget "w1" is invalid: spec.size: Unsupported value: "huge": supported values: "small", "large"',
      );
      const strategic = await k('patch', 'widget', 'w1', '-p', '{"spec":{"size":"small"}}');
      expect(strategic).toMatchObject({ code: 1, stdout: '' });
      expect(strategic.stderr).toContain(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    });

    it('keeps status on main writes and scales through the scale subresource', async () => {
      const status = await request(
        'PATCH',
        '/apis/example.com/v1/namespaces/default/widgets/w1/status',
        { status: { replicas: 3, conditions: [{ type: 'Ready', status: 'True' }] } },
        'application/merge-patch+json',
      );
      expect(status.status).toBe(200);
      const main = await request(
        'PATCH',
        '/apis/example.com/v1/namespaces/default/widgets/w1',
        { spec: { color: 'red' }, status: { replicas: 99 } },
        'application/merge-patch+json',
      );
      expect(main.body.status.replicas).toBe(3);
      expect(main.body.spec.color).toBe('red');
      const listed = await k('get', 'widgets');
      expect(listed.stdout).toMatch(/^w1\s+large\s+3\s+True$/m);
      const scaled = await k('scale', 'widget', 'w1', '--replicas', '5');
      expect(scaled).toMatchObject({ code: 0, stdout: 'widget.example.com/w1 scaled\n' });
      const v1beta1 = await request('GET', '/apis/example.com/v1beta1/namespaces/default/widgets/w1');
      expect(v1beta1.body.spec.replicas).toBe(5);
      expect(v1beta1.body.apiVersion).toBe('example.com/v1beta1');
      const viaBeta = await request(
        'PATCH',
        '/apis/example.com/v1beta1/namespaces/default/widgets/w1',
        { metadata: { labels: { via: 'beta' } } },
        'application/merge-patch+json',
      );
      expect(viaBeta.status).toBe(200);
      expect(viaBeta.body.metadata.labels).toEqual({ via: 'beta' });
      const listedBeta = await request('GET', '/apis/example.com/v1beta1/namespaces/default/widgets');
      expect(listedBeta.body.items.map((i: { apiVersion: string }) => i.apiVersion)).toEqual([
        'example.com/v1beta1',
      ]);
    });

    it('takes kubectl apply --server-side of a custom object, pruned and defaulted', async () => {
      await writeFile(
        join(dir, 'w3.yaml'),
        'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w3\n  namespace: default\nspec:\n  size: large\n  bogus: 1\n',
      );
      expect(await k('apply', '--server-side', '-f', join(dir, 'w3.yaml'))).toMatchObject({
        code: 0,
        stdout: 'widget.example.com/w3 serverside-applied\n',
      });
      const w3 = await request('GET', '/apis/example.com/v1/namespaces/default/widgets/w3');
      expect(w3.body.spec).toEqual({ size: 'large', replicas: 1 });
      expect(w3.body.metadata.managedFields[0].manager).toBe('kubectl');
      expect((await k('delete', 'widget', 'w3')).code).toBe(0);
    });

    it('gives a service account the real 403, then access through a Role', async () => {
      const token = server.issueToken('default/default');
      const asSa = (...args: string[]) =>
        run(kubectl, [
          '--kubeconfig',
          '/dev/null',
          '--cache-dir',
          join(dir, 'cache-sa'),
          '--server',
          server.url,
          '--certificate-authority',
          join(dir, 'ca.crt'),
          '--token',
          token,
          ...args,
        ]);
      await writeFile(join(dir, 'ca.crt'), server.caCert);
      const denied = await asSa('get', 'widgets', '-n', 'default');
      expect(denied.stderr).toContain(
        'widgets.example.com is forbidden: User "system:serviceaccount:default:default" cannot list resource "widgets" in API group "example.com" in the namespace "default"',
      );
      expect(
        (await k('create', 'role', 'widget-reader', '--verb=get,list', '--resource=widgets.example.com'))
          .code,
      ).toBe(0);
      expect(
        (
          await k(
            'create',
            'rolebinding',
            'widget-reader',
            '--role=widget-reader',
            '--serviceaccount=default:default',
          )
        ).code,
      ).toBe(0);
      const allowed = await asSa('get', 'widgets', '-n', 'default', '-o', 'name');
      expect(allowed).toMatchObject({ code: 0, stdout: 'widget.example.com/w1\n' });
    });

    it('streams ADDED, MODIFIED and DELETED to a client-node watch', async () => {
      const events: string[] = [];
      const watch = new Watch(admin());
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const controller = await watch.watch(
        '/apis/example.com/v1/namespaces/default/widgets',
        {},
        (type, obj: { metadata: { name: string } }) => {
          events.push(`${type}:${obj.metadata.name}`);
          if (type === 'DELETED' && obj.metadata.name === 'w2') done();
        },
        () => {},
      );
      const body = {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w2' },
        spec: { size: 'small' },
      };
      expect((await request('POST', '/apis/example.com/v1/namespaces/default/widgets', body)).status).toBe(
        201,
      );
      await request(
        'PATCH',
        '/apis/example.com/v1/namespaces/default/widgets/w2',
        { spec: { size: 'large' } },
        'application/merge-patch+json',
      );
      await request('DELETE', '/apis/example.com/v1/namespaces/default/widgets/w2');
      await finished;
      controller.abort();
      expect(events).toEqual(['ADDED:w1', 'ADDED:w2', 'MODIFIED:w2', 'DELETED:w2']);
    });

    it.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))(
      "serves the Python client's CustomObjectsApi and watch.Watch",
      async () => {
        const script = `
import json, sys, threading
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
api = client.CustomObjectsApi()
out = {}
events = []
def follow():
    for e in watch.Watch().stream(api.list_namespaced_custom_object, "example.com", "v1", "default", "widgets", timeout_seconds=3):
        events.append(e["type"] + ":" + e["object"]["metadata"]["name"])
        if e["type"] == "DELETED":
            break
t = threading.Thread(target=follow)
t.start()
import time; time.sleep(0.5)
api.create_namespaced_custom_object("example.com", "v1", "default", "widgets", {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "py"}, "spec": {"size": "small"}})
out["listed"] = sorted(i["metadata"]["name"] for i in api.list_namespaced_custom_object("example.com", "v1", "default", "widgets")["items"])
out["patched"] = api.patch_namespaced_custom_object("example.com", "v1", "default", "widgets", "py", {"spec": {"size": "large"}})["spec"]["size"]
api.delete_namespaced_custom_object("example.com", "v1", "default", "widgets", "py")
t.join()
out["events"] = events
print(json.dumps(out))
`;
        await writeFile(join(dir, 'custom.py'), script);
        const result = await run('/usr/bin/python3', [join(dir, 'custom.py'), kubeconfig]);
        expect(result.stderr).toBe('');
        expect(JSON.parse(result.stdout)).toEqual({
          listed: ['py', 'w1'],
          patched: 'large',
          events: ['ADDED:w1', 'ADDED:py', 'MODIFIED:py', 'DELETED:py'],
        });
      },
    );

    it('deletes the CRD: its objects go (watchers see DELETED) and so does discovery', async () => {
      const events: string[] = [];
      const watch = new Watch(admin());
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const controller = await watch.watch(
        '/apis/example.com/v1/widgets',
        {},
        (type, obj: { metadata: { name: string } }) => {
          events.push(`${type}:${obj.metadata.name}`);
          if (type === 'DELETED') done();
        },
        () => {},
      );
      const deleted = await k('delete', 'crd', 'widgets.example.com');
      expect(deleted).toMatchObject({
        code: 0,
        stdout: 'customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted\n',
      });
      await finished;
      controller.abort();
      expect(events).toEqual(['ADDED:w1', 'DELETED:w1']);
      expect((await request('GET', '/apis/example.com/v1/namespaces/default/widgets/w1')).status).toBe(404);
      expect((await request('GET', '/apis/example.com')).status).toBe(404);
      const groups = await request('GET', '/apis');
      expect(groups.body.groups.map((g: { name: string }) => g.name)).not.toContain('example.com');
      const after = await run(kubectl, [
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        join(dir, 'fresh-cache'),
        'get',
        'widgets',
      ]);
      expect(after.stderr).toContain(`the server doesn't have a resource type "widgets"`);
    });
  });
});

describe.runIf(clientAvailable('kubectl 1.27', () => existsSync(kubectlBinary(27))))(
  'the CRD round trip with kubectl 1.27 (JSON bodies, older discovery)',
  () => {
    let server: StartedFakeApiServer;
    let dir: string;
    const k = (...args: string[]) =>
      run(kubectlBinary(27), [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--cache-dir',
        join(dir, 'cache'),
        ...args,
      ]);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-crd127-'));
      server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
      await writeFile(join(dir, 'crd.yaml'), CRD);
      await writeFile(join(dir, 'widget.yaml'), WIDGET);
    });
    afterAll(() => server?.close());

    it('creates the CRD and an object, lists it in get all by its category, patches it, and deletes the CRD', async () => {
      expect(await k('apply', '-f', join(dir, 'crd.yaml'))).toMatchObject({ code: 0 });
      expect(
        await k('wait', '--for', 'condition=established', '--timeout=10s', 'crd/widgets.example.com'),
      ).toMatchObject({ code: 0 });
      // kubectl's default fieldValidation=Strict refuses WIDGET's unknown field; Warn prunes it with a warning.
      expect(await k('apply', '-f', join(dir, 'widget.yaml'), '--validate=warn')).toMatchObject({
        stderr: 'Warning: unknown field "spec.unknownField"\n',
        code: 0,
        stdout: 'widget.example.com/w1 created\n',
      });
      const all = await k('get', 'all', '-n', 'default');
      expect(all.stderr).toBe('');
      expect(all.stdout).toMatch(/^widget\.example\.com\/w1\s+small\s+1\s*$/m);
      expect(
        await k('patch', 'wd', 'w1', '--type', 'merge', '-p', '{"spec":{"size":"large"}}'),
      ).toMatchObject({
        code: 0,
        stdout: 'widget.example.com/w1 patched\n',
      });
      expect((await k('get', 'widget', 'w1', '-o', 'jsonpath={.spec.size}')).stdout).toBe('large');
      expect(await k('delete', 'crd', 'widgets.example.com')).toMatchObject({ code: 0 });
      const gone = await k('get', 'widgets');
      expect(gone.code).not.toBe(0);
      // With its discovery cached, kubectl 1.27 still tries the list and gets the 404.
      expect(gone.stderr).toMatch(
        /could not find the requested resource \(get widgets\.example\.com\)|doesn't have a resource type "widgets"/,
      );
    });
  },
);

describe('a client-node informer on a custom resource', () => {
  it('lists, watches, re-lists after a watch ERROR 410 and keeps its cache in step', async () => {
    const server = await startFakeApiServer({ fixtures: [] });
    try {
      await server.apply([
        parse(CRD) as Record<string, unknown>,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      ]);
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      const api = kc.makeApiClient(CustomObjectsApi);
      const widget = (name: string, size: string) => ({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name, namespace: 'default' },
        spec: { size },
      });
      const target = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' };
      await api.createNamespacedCustomObject({ ...target, body: widget('before', 'small') });
      server.injectFault({ id: 'expire-widget-watch', resource: 'widgets', watchError: true, times: 1 });
      let lists = 0;
      const informer = makeInformer(kc, '/apis/example.com/v1/namespaces/default/widgets', async () => {
        lists++;
        return (await api.listNamespacedCustomObject(target)) as never;
      });
      const errors: unknown[] = [];
      informer.on('error', (error) => errors.push(error));
      const sizes = () =>
        Object.fromEntries(
          informer
            .list()
            .map((w) => [w.metadata?.name, (w as unknown as { spec: { size: string } }).spec.size]),
        );
      await informer.start();
      try {
        await waitFor('the re-list after the 410', () => (lists >= 2 ? true : undefined), 10_000);
        await api.createNamespacedCustomObject({ ...target, body: widget('after', 'small') });
        await api.patchNamespacedCustomObject(
          { ...target, name: 'before', body: { spec: { size: 'large' } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        await api.deleteNamespacedCustomObject({ ...target, name: 'after' });
        await api.createNamespacedCustomObject({ ...target, body: widget('last', 'large') });
        await waitFor('the informer to catch up', () => (sizes().last ? true : undefined), 5_000);
        expect(sizes()).toEqual({ before: 'large', last: 'large' });
        expect(lists).toBe(2);
        expect(errors).toEqual([]);
      } finally {
        await informer.stop();
      }
    } finally {
      await server.close();
    }
  });
});

describe('CustomResourceDefinitions in fixtures', () => {
  it('loads a CRD and its objects from one fixture set, CRDs first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-crd-fixtures-'));
    // Sorted order would read the custom resource first: files defining CRDs are read first.
    await writeFile(join(dir, 'a-widgets.yaml'), WIDGET);
    await writeFile(join(dir, 'b-crds.yaml'), CRD);
    await using server = await startFakeApiServer({ fixtures: [dir] });
    const objects = server as unknown as { url: string };
    expect(objects.url).toMatch(/^https:/);
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const api = kc.makeApiClient(CustomObjectsApi);
    const widget = (await api.getNamespacedCustomObject({
      group: 'example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      name: 'w1',
    })) as { spec: unknown };
    expect(widget.spec).toEqual({ size: 'small', replicas: 1 });
  });
});

describe('CustomResourceDefinitions across reset and restarts', () => {
  const crdObject = (): Record<string, unknown> => parse(CRD) as Record<string, unknown>;
  const widget = (): Record<string, unknown> => parse(WIDGET) as Record<string, unknown>;
  const api = (server: StartedFakeApiServer) => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    return kc.makeApiClient(CustomObjectsApi);
  };
  const getWidget = (server: StartedFakeApiServer) =>
    api(server).getNamespacedCustomObject({
      group: 'example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      name: 'w1',
    });

  it('reset() withdraws the kinds of a CRD created since start-up', async () => {
    await using server = await startFakeApiServer({});
    await server.apply([crdObject(), widget()]);
    expect(await getWidget(server)).toMatchObject({ spec: { size: 'small', replicas: 1 } });
    await server.reset();
    await expect(getWidget(server)).rejects.toMatchObject({ code: 404 });
  });

  it('a --data-dir restart serves the CRD and its objects again', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-crd-data-')), 'state');
    {
      await using first = await startFakeApiServer({ dataDir });
      await first.apply([crdObject(), widget()]);
    }
    await using second = await startFakeApiServer({ dataDir });
    expect(await getWidget(second)).toMatchObject({ spec: { size: 'small', replicas: 1 } });
  });
});
