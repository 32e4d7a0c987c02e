import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

type Obj = Record<string, any>;

const deploymentYaml = (typo: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ${typo}: nginx:1.26
`;

const TYPO_PATH = 'spec.template.spec.containers[0].imagee';

describe('unknown fields of built-in kinds', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let asAdmin: (req: TestRequest) => ReturnType<typeof send>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-field-validation-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig });
    const admin = adminCredentials(server.kubeconfig);
    asAdmin = (req) => send(server.url, server.caCert, { client: admin, ...req });
  });
  afterAll(() => server?.close());

  const deployment = () =>
    server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj | undefined;

  describe('over HTTPS', () => {
    beforeEach(() => server.reset());
    const path = '/api/v1/namespaces/default/configmaps';
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labelz: {} },
      data: { a: 'b' },
      dataa: 1,
    };

    it('Warn (the default): created without the fields, one Warning header per field', async () => {
      const res = await asAdmin({ method: 'POST', path, body });
      expect(res.status).toBe(201);
      expect(res.headers.warning).toBe(
        '299 - "unknown field \\"metadata.labelz\\"", 299 - "unknown field \\"dataa\\""',
      );
      expect(res.json()).not.toHaveProperty('dataa');
      expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'c' })).not.toHaveProperty('dataa');
    });

    it('Strict: 400, nothing stored', async () => {
      const res = await asAdmin({ method: 'POST', path: `${path}?fieldValidation=Strict`, body });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({
        reason: 'BadRequest',
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.labelz", unknown field "dataa"',
      });
      expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'c' })).toBeUndefined();
    });

    it('Ignore: silently dropped; a bad value is refused as ValidateFieldValidation does', async () => {
      const ignored = await asAdmin({ method: 'POST', path: `${path}?fieldValidation=Ignore`, body });
      expect(ignored.status).toBe(201);
      expect(ignored.headers.warning).toBeUndefined();
      expect(ignored.json()).not.toHaveProperty('dataa');
      const bad = await asAdmin({ method: 'POST', path: `${path}?fieldValidation=strict`, body });
      expect(bad.status).toBe(422);
      expect(bad.json().message).toBe(
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
      );
    });

    it('duplicate keys of a JSON body: the last wins, with a warning (Warn) or in the strict error', async () => {
      const text = '{"metadata":{"name":"d","name":"d"},"data":{"a":"1"},"data":{"b":"2"},"dataa":1}';
      const warned = await asAdmin({ method: 'POST', path, body: text });
      expect(warned.status).toBe(201);
      expect(warned.headers.warning).toBe(
        '299 - "unknown field \\"dataa\\"", 299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"data\\""',
      );
      expect(warned.json().data).toEqual({ b: '2' });
      const strict = await asAdmin({ method: 'POST', path: `${path}?fieldValidation=Strict`, body: text });
      expect(strict.json().message).toBe(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa", duplicate field "metadata.name", duplicate field "data"',
      );
    });

    it('PUT, merge patch and the status subresource decode the same way', async () => {
      await asAdmin({ method: 'POST', path, body: { metadata: { name: 'c' } } });
      const put = await asAdmin({
        method: 'PUT',
        path: `${path}/c?fieldValidation=Strict`,
        body: { metadata: { name: 'c' }, dataa: 1 },
      });
      expect(put.status).toBe(400);
      expect(put.json().message).toContain('strict decoding error: unknown field "dataa"');
      const merge = await asAdmin({
        method: 'PATCH',
        path: `${path}/c`,
        body: { dataa: 1, data: { x: 'y' } },
        contentType: 'application/merge-patch+json',
      });
      expect(merge.status).toBe(200);
      expect(merge.headers.warning).toBe('299 - "unknown field \\"dataa\\""');
      expect(merge.json()).toMatchObject({ data: { x: 'y' } });
      expect(merge.json()).not.toHaveProperty('dataa');
      const strictMerge = await asAdmin({
        method: 'PATCH',
        path: `${path}/c?fieldValidation=Strict`,
        body: { dataa: 1 },
        contentType: 'application/merge-patch+json',
      });
      expect(strictMerge.status).toBe(422);
      expect(strictMerge.json().message).toMatch(
        /^ "" is invalid: patch: Invalid value: "\{.*\}": strict decoding error: unknown field "dataa"$/,
      );

      await asAdmin({
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      });
      const status = await asAdmin({
        method: 'PATCH',
        path: '/api/v1/namespaces/default/pods/p/status',
        body: { status: { phaze: 'Running' } },
        contentType: 'application/merge-patch+json',
      });
      expect(status.status).toBe(200);
      expect(status.headers.warning).toBe('299 - "unknown field \\"status.phaze\\""');
    });

    it('custom resources: unknown fields their schema does not declare follow the same directives', async () => {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.org' },
        spec: {
          group: 'example.org',
          names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
          scope: 'Namespaced',
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
                      properties: {
                        items: {
                          type: 'array',
                          items: { type: 'object', properties: { a: { type: 'string' } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      };
      expect(
        (
          await asAdmin({
            method: 'POST',
            path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
            body: crd,
          })
        ).status,
      ).toBe(201);
      const widgets = '/apis/example.org/v1/namespaces/default/widgets';
      const widget = {
        apiVersion: 'example.org/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { items: [{ a: 'x', b: 1 }], foo: 1 },
      };
      const strict = await asAdmin({
        method: 'POST',
        path: `${widgets}?fieldValidation=Strict`,
        body: widget,
      });
      expect(strict.status).toBe(400);
      expect(strict.json().message).toBe(
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.items[0].b", unknown field "spec.foo"',
      );
      const warned = await asAdmin({ method: 'POST', path: widgets, body: widget });
      expect(warned.status).toBe(201);
      expect(warned.headers.warning).toBe(
        '299 - "unknown field \\"spec.items[0].b\\"", 299 - "unknown field \\"spec.foo\\""',
      );
      expect(warned.json().spec).toEqual({ items: [{ a: 'x' }] });
    });

    it('server-side apply refuses unknown fields whatever fieldValidation says, as the typed conversion does', async () => {
      const res = await asAdmin({
        method: 'PATCH',
        path: '/api/v1/namespaces/default/configmaps/c?fieldManager=test&fieldValidation=Ignore',
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndataa: 1\n',
        contentType: 'application/apply-patch+yaml',
      });
      expect(res.status).toBe(500);
      expect(res.json().message).toBe(
        'failed to create typed patch object (default/c; /v1, Kind=ConfigMap): .dataa: field not declared in schema',
      );
    });
  });

  const kubectl = kubectlBinary(33);
  describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))('kubectl 1.33', () => {
    beforeEach(() => server.reset());
    const kubectlRun = (args: string[]) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
    const applyFile = async (text: string, ...flags: string[]) => {
      const file = join(dir, 'deploy.yaml');
      await writeFile(file, text);
      return { file, result: await kubectlRun(['apply', '-f', file, ...flags]) };
    };

    it('apply -f with a misspelt field fails with the strict decoding error (kubectl sends Strict)', async () => {
      const { file, result } = await applyFile(deploymentYaml('imagee'));
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "${TYPO_PATH}"`,
      );
      expect(deployment()).toBeUndefined();
    });

    it('apply --validate=warn prints the warning and stores the object without the field', async () => {
      const { result } = await applyFile(deploymentYaml('imagee'), '--validate=warn');
      expect(result.code).toBe(0);
      expect(result.stderr.trim()).toBe(`Warning: unknown field "${TYPO_PATH}"`);
      expect(result.stdout.trim()).toBe('deployment.apps/web created');
      expect(deployment()!.spec.template.spec.containers[0]).not.toHaveProperty('imagee');
    });

    it('apply --validate=false (Ignore) stores it silently pruned', async () => {
      const { result } = await applyFile(deploymentYaml('imagee'), '--validate=false');
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(deployment()!.spec.template.spec.containers[0]).not.toHaveProperty('imagee');
    });

    it('re-apply with a misspelt field: the strategic merge patch is refused with the patch printed', async () => {
      expect((await applyFile(deploymentYaml('imagePullPolicy'))).result.code).toBe(0);
      const { result } = await applyFile(deploymentYaml('imagee'));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('patch: Invalid value: "map[');
      expect(result.stderr).toContain(`strict decoding error: unknown field "${TYPO_PATH}"`);
      expect(deployment()!.spec.template.spec.containers[0]).not.toHaveProperty('imagee');
    });

    it('apply --server-side with a misspelt field: the typed conversion error', async () => {
      const { result } = await applyFile(deploymentYaml('imagee'), '--server-side');
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        'Error from server: failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="web"].imagee: field not declared in schema',
      );
    });
  });

  describe('@kubernetes/client-node', () => {
    beforeEach(() => server.reset());
    // Its typed serializer drops unknown fields of a body before sending; a JSON patch's value goes as written.
    it('a JSON patch adding an unknown field gets the Warning header (Warn by default) or the 422 (Strict)', async () => {
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      const api = kc.makeApiClient(CoreV1Api);
      await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn' } } });
      const body = [{ op: 'add', path: '/dataa', value: { x: 'y' } }];
      const res = await api.patchNamespacedConfigMapWithHttpInfo({ name: 'cn', namespace: 'default', body });
      expect(res.httpStatusCode).toBe(200);
      expect(res.headers['warning']).toBe('299 - "unknown field \\"dataa\\""');
      expect(res.data).not.toHaveProperty('dataa');
      const error = await api
        .patchNamespacedConfigMap({ name: 'cn', namespace: 'default', body, fieldValidation: 'Strict' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiException);
      expect((error as ApiException<unknown>).code).toBe(422);
      expect(String((error as ApiException<string>).body)).toContain(
        'strict decoding error: unknown field \\"dataa\\"',
      );
    });
  });

  describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('the Python client', () => {
    beforeEach(() => server.reset());
    it('create_namespaced_config_map gets the Warning header and a pruned object', async () => {
      const script = `
import json, sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
data, status, headers = v1.create_namespaced_config_map_with_http_info("default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py"}, "dataa": {"x": "y"}})
print(json.dumps({"status": status, "warning": headers.get("Warning")}))
`;
      const result = await run('/usr/bin/python3', ['-c', script, kubeconfig]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        status: 201,
        warning: '299 - "unknown field \\"dataa\\""',
      });
      expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'py' })).not.toHaveProperty('dataa');
    });
  });

  it('a fixture with a misspelt field stops start-up, naming the file and document', async () => {
    const file = join(dir, 'typo.yaml');
    await writeFile(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n${deploymentYaml('imagee')}`,
    );
    await expect(startFakeApiServer({ fixtures: [file] })).rejects.toThrow(
      `typo.yaml, document 2: Deployment has unknown field "${TYPO_PATH}"`,
    );
    await expect(
      server.apply('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndataa: 1\n'),
    ).rejects.toThrow('[fake-apiserver] manifest, document 1: ConfigMap has unknown field "dataa"');
  });
});
