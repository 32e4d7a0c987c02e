import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';
import { send, type TestRequest, type TestResponse } from './support/https-client.js';

/**
 * Wrongly typed bodies, as an outside audit sent them: each is refused while decoding, with kube-apiserver's
 * words, before any handler sees it; `null` is the zero value. Expected texts are apimachinery's (see the
 * vectors of src/decode/typed-decode.test.ts).
 */

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const cannot = (kind: string, rest: string) =>
  `${kind} in version "v1" cannot be handled as a ${kind}: ${rest}`;

describe('bodies are decoded into their Go types', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let asAdmin: (req: TestRequest) => Promise<TestResponse>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-typed-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig });
    const admin = adminCredentials(server.kubeconfig);
    asAdmin = (req) => send(server.url, server.caCert, { client: admin, ...req });
  });
  afterAll(() => server?.close());
  beforeEach(() => server.reset());

  const badRequest = (message: string) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    reason: 'BadRequest',
    code: 400,
    message,
  });

  describe('over HTTPS, each refused with 400 and nothing stored', () => {
    const cases: [string, TestRequest, string][] = [
      [
        'metadata.name: 1',
        { method: 'POST', path: CONFIGMAPS, body: { metadata: { name: 1 } } },
        cannot(
          'ConfigMap',
          'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
        ),
      ],
      [
        'an annotation whose value is an object',
        { method: 'POST', path: CONFIGMAPS, body: { metadata: { name: 'a', annotations: { a: { b: 1 } } } } },
        cannot(
          'ConfigMap',
          'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.annotations of type string',
        ),
      ],
      [
        'a ConfigMap data value that is an object',
        { method: 'POST', path: CONFIGMAPS, body: { metadata: { name: 'a' }, data: { a: { x: 1 } } } },
        cannot(
          'ConfigMap',
          'json: cannot unmarshal object into Go struct field ConfigMap.data of type string',
        ),
      ],
      [
        'Secret data: "x"',
        {
          method: 'POST',
          path: '/api/v1/namespaces/default/secrets',
          body: { metadata: { name: 'a' }, data: 'x' },
        },
        cannot(
          'Secret',
          'json: cannot unmarshal string into Go struct field Secret.data of type map[string][]uint8',
        ),
      ],
      [
        'Secret data that is not base64',
        {
          method: 'POST',
          path: '/api/v1/namespaces/default/secrets',
          body: { metadata: { name: 'a' }, data: { a: 'YWJ' } },
        },
        cannot('Secret', 'illegal base64 data at input byte 0'),
      ],
      [
        'Namespace spec: "x"',
        { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'a' }, spec: 'x' } },
        cannot(
          'Namespace',
          'json: cannot unmarshal string into Go struct field Namespace.spec of type v1.NamespaceSpec',
        ),
      ],
      [
        'Lease spec: "x"',
        {
          method: 'POST',
          path: '/apis/coordination.k8s.io/v1/namespaces/default/leases',
          body: { metadata: { name: 'a' }, spec: 'x' },
        },
        cannot('Lease', 'json: cannot unmarshal string into Go struct field Lease.spec of type v1.LeaseSpec'),
      ],
      [
        'CustomResourceDefinition spec: "x"',
        {
          method: 'POST',
          path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
          body: { metadata: { name: 'things.example.com' }, spec: 'x' },
        },
        cannot(
          'CustomResourceDefinition',
          'json: cannot unmarshal string into Go struct field CustomResourceDefinition.spec of type v1.CustomResourceDefinitionSpec',
        ),
      ],
      [
        'numeric matchLabels values',
        {
          method: 'POST',
          path: '/apis/apps/v1/namespaces/default/deployments',
          body: { metadata: { name: 'a' }, spec: { selector: { matchLabels: { app: 5 } } } },
        },
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field LabelSelector.spec.selector.matchLabels of type string',
      ],
      [
        'a RoleBinding with subjects: {}',
        {
          method: 'POST',
          path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
          body: {
            metadata: { name: 'a' },
            subjects: {},
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
          },
        },
        'RoleBinding in version "v1" cannot be handled as a RoleBinding: json: cannot unmarshal object into Go struct field RoleBinding.subjects of type []v1.Subject',
      ],
      [
        'TokenRequest audiences: [1]',
        {
          method: 'POST',
          path: '/api/v1/namespaces/default/serviceaccounts/default/token',
          body: { spec: { audiences: [1] } },
        },
        'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal number into Go struct field TokenRequestSpec.spec.audiences of type string',
      ],
      [
        'TokenRequest audiences: "x"',
        {
          method: 'POST',
          path: '/api/v1/namespaces/default/serviceaccounts/default/token',
          body: { spec: { audiences: 'x' } },
        },
        'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.audiences of type []string',
      ],
      [
        'a SelfSubjectAccessReview with a numeric verb',
        {
          method: 'POST',
          path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          body: { spec: { resourceAttributes: { verb: 1 } } },
        },
        'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string',
      ],
      [
        'kind: 5',
        { method: 'POST', path: CONFIGMAPS, body: { kind: 5, metadata: { name: 'a' } } },
        "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string",
      ],
    ];
    it.each(cases)('%s', async (_name, request, message) => {
      const before = server.list({ kind: 'ConfigMap' }).length;
      const response = await asAdmin(request);
      expect(response.json()).toEqual(badRequest(message));
      expect(response.status).toBe(400);
      expect(server.list({ kind: 'ConfigMap' })).toHaveLength(before);
    });

    it('YAML: !!binary is the string of its bytes, .inf cannot be JSON', async () => {
      const yaml = (data: string) => `metadata:\n  name: binary\ndata:\n  a: ${data}\n`;
      const binary = await asAdmin({
        method: 'POST',
        path: CONFIGMAPS,
        body: yaml('!!binary aGVsbG8='),
        contentType: 'application/yaml',
      });
      expect(binary.status).toBe(201);
      expect(binary.json().data).toEqual({ a: 'hello' });
      const inf = await asAdmin({
        method: 'POST',
        path: CONFIGMAPS,
        body: yaml('.inf'),
        contentType: 'application/yaml',
      });
      expect(inf.json()).toEqual(badRequest('error converting YAML to JSON: json: unsupported value: +Inf'));
    });

    it('a DELETE body of the wrong type is the delete handler 400, and nothing is deleted', async () => {
      await server.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: default}\n');
      const response = await asAdmin({
        method: 'DELETE',
        path: `${CONFIGMAPS}/keep`,
        body: { propagationPolicy: 5 },
      });
      expect(response.json()).toEqual(
        badRequest(
          'json: cannot unmarshal number into Go struct field DeleteOptions.propagationPolicy of type v1.DeletionPropagation',
        ),
      );
      expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'keep' })).toBeDefined();
    });

    it('a JSON patch whose result has the wrong type is the patch handler 422; a merge patch null removes', async () => {
      await server.apply(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p, namespace: default, labels: {app: web}}\ndata: {a: b}\n',
      );
      const patched = await asAdmin({
        method: 'PATCH',
        path: `${CONFIGMAPS}/p`,
        body: [{ op: 'replace', path: '/data', value: 'x' }],
        contentType: 'application/json-patch+json',
      });
      expect(patched.status).toBe(422);
      expect(patched.json().message).toMatch(
        /^ "" is invalid: patch: Invalid value: "\{.*\}": json: cannot unmarshal string into Go struct field ConfigMap\.data of type map\[string\]string$/,
      );
      expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'p' })?.data).toEqual({ a: 'b' });
      const merged = await asAdmin({
        method: 'PATCH',
        path: `${CONFIGMAPS}/p`,
        body: { metadata: { labels: null } },
        contentType: 'application/merge-patch+json',
      });
      expect(merged.status).toBe(200);
      expect(merged.json().metadata).not.toHaveProperty('labels');
    });

    it('null is the zero value: null labels are no labels, a null map value an empty string', async () => {
      const response = await asAdmin({
        method: 'POST',
        path: CONFIGMAPS,
        body: { metadata: { name: 'z', labels: null, annotations: { a: null } }, data: { k: null } },
      });
      expect(response.status).toBe(201);
      const stored = server.get({ kind: 'ConfigMap', namespace: 'default', name: 'z' })!;
      expect(stored.metadata).not.toHaveProperty('labels');
      expect(stored.metadata?.annotations).toEqual({ a: '' });
      expect(stored.data).toEqual({ k: '' });
    });
  });

  it('a fixture of the wrong type stops start-up, naming the file, the document and the Go error', async () => {
    const file = join(dir, 'role.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n' +
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n' +
        'rules: [{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: app-config}]\n',
    );
    await expect(startFakeApiServer({ fixtures: [file] })).rejects.toThrow(
      'role.yaml, document 2: Role in version "v1" cannot be handled as a Role: json: cannot unmarshal string into Go struct field PolicyRule.rules.resourceNames of type []string',
    );
    await expect(
      server.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: [1]\n'),
    ).rejects.toThrow(
      'json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string',
    );
  });

  const kubectl = kubectlBinary(33);
  describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))('kubectl 1.33', () => {
    const kubectlRun = (args: string[]) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);

    it('refuses the Role whose resourceNames is a string: it can grant nothing more than it says', async () => {
      const file = join(dir, 'role.yaml');
      await writeFile(
        file,
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: default\n' +
          'rules:\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get, list]\n  resourceNames: app-config\n',
      );
      const result = await kubectlRun(['create', '-f', file]);
      expect(result.stderr.trim()).toBe(
        `Error from server (BadRequest): error when creating "${file}": Role in version "v1" cannot be handled as a Role: json: cannot unmarshal string into Go struct field PolicyRule.rules.resourceNames of type []string`,
      );
      expect(result.code).toBe(1);
      expect(server.get({ kind: 'Role', namespace: 'default', name: 'reader' })).toBeUndefined();
    });

    it('an empty labels: key is no labels; selector watches and lists across namespaces go on', async () => {
      const rv = (await asAdmin({ path: CONFIGMAPS })).json().metadata.resourceVersion as string;
      const selectorWatch = openWatch(
        server,
        `/api/v1/configmaps?watch=1&resourceVersion=${rv}&labelSelector=app%3Dweb`,
      );
      const plainWatch = openWatch(server, `${CONFIGMAPS}?watch=1&resourceVersion=${rv}`);
      await Promise.all([selectorWatch.ready, plainWatch.ready]);
      const file = join(dir, 'cms.yaml');
      await writeFile(
        file,
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: empty-labels\n  namespace: default\n  labels:\ndata: {a: b}\n' +
          '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: default\n  labels: {app: web}\n',
      );
      const applied = await kubectlRun(['apply', '-f', file]);
      expect(applied.stderr).toBe('');
      expect(applied.stdout.trim().split('\n')).toEqual([
        'configmap/empty-labels created',
        'configmap/web created',
      ]);
      expect(
        server.get({ kind: 'ConfigMap', namespace: 'default', name: 'empty-labels' })?.metadata,
      ).not.toHaveProperty('labels');
      const listed = await kubectlRun(['get', 'cm', '-A', '-l', 'app=web', '-o', 'name']);
      expect(listed.stderr).toBe('');
      expect(listed.stdout.trim()).toBe('configmap/web');
      expect(await selectorWatch.names(1)).toEqual(['ADDED web']);
      expect(await plainWatch.names(2)).toEqual(['ADDED empty-labels', 'ADDED web']);
      selectorWatch.close();
      plainWatch.close();
    });
  });

  describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('the Python client', () => {
    it('gets an ApiException 400 with the decoder message, and nothing is stored', async () => {
      const script = `
import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
try:
    v1.create_namespaced_config_map("default", {"metadata": {"name": "py"}, "data": {"a": {"b": 1}}})
except ApiException as e:
    print(json.dumps({"status": e.status, "message": json.loads(e.body)["message"]}))
`;
      const result = await run('/usr/bin/python3', ['-c', script, kubeconfig]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        status: 400,
        message: cannot(
          'ConfigMap',
          'json: cannot unmarshal object into Go struct field ConfigMap.data of type string',
        ),
      });
      expect(server.get({ kind: 'ConfigMap', namespace: 'default', name: 'py' })).toBeUndefined();
    });
  });
});

/** A watch stream (admin certificate): the `TYPE name` of each event, in order. */
function openWatch(server: StartedFakeApiServer, path: string) {
  const events: string[] = [];
  let buffered = '';
  let stream: IncomingMessage | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const req = request(
      new URL(path, server.url),
      { ca: server.caCert, ...adminCredentials(server.kubeconfig) },
      (res) => {
        stream = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const event = JSON.parse(buffered.slice(0, newline)) as {
              type: string;
              object: { metadata: { name: string } };
            };
            events.push(`${event.type} ${event.object.metadata.name}`);
            buffered = buffered.slice(newline + 1);
          }
        });
        resolve();
      },
    );
    req.on('error', reject);
    req.end();
  });
  return {
    ready,
    async names(count: number): Promise<string[]> {
      const deadline = Date.now() + 5000;
      while (events.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return events.slice(0, count);
    },
    close: () => stream?.destroy(),
  };
}
