import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

const CRONTAB_CRD = new URL('./fixtures/crd-openapi/crontab-crd.json', import.meta.url);

const BAD_CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: bad
  namespace: default
data:
  a: b
bogus: 1
`;

describe('/openapi/v3 and /openapi/v2 over HTTP', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });

  it('lists every served group version with its SHA-512 hash, and only those', async () => {
    const index = await asAdmin({ path: '/openapi/v3' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('application/json');
    expect(index.headers.etag).toMatch(/^"[0-9A-F]{128}"$/);
    const paths = index.json().paths as Record<string, { serverRelativeURL: string }>;
    expect(paths['apis/apps/v1']!.serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/,
    );
    expect(Object.keys(paths)).toEqual([...Object.keys(paths)].sort());
    expect(paths).toHaveProperty(['api']);
    expect(paths).toHaveProperty(['apis/apps']);
    expect(paths).toHaveProperty(['version']);
    expect(paths).not.toHaveProperty(['apis/resource.k8s.io/v1beta1']);
    const again = await asAdmin({
      path: '/openapi/v3',
      headers: { 'if-none-match': String(index.headers.etag) },
    });
    expect(again.status).toBe(304);
  });

  it('serves a group version with its schemas, immutable under its hash, and redirects a stale hash', async () => {
    const url = (await asAdmin({ path: '/openapi/v3' })).json().paths['apis/apps/v1'].serverRelativeURL;
    const hash = new URL(url, server.url).searchParams.get('hash');
    const document = await asAdmin({ path: url, headers: { accept: 'application/json' } });
    expect(document.status).toBe(200);
    expect(document.headers['cache-control']).toBe('public, immutable');
    expect(document.headers.expires).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} UTC$/);
    expect(document.headers.etag).toBe(`"${hash}"`);
    expect(document.headers.vary).toBe('Accept');
    const schemas = document.json().components.schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment'].description).toBe(
      'Deployment enables declarative updates for Pods and ReplicaSets.',
    );
    const unhashed = await asAdmin({ path: '/openapi/v3/apis/apps/v1' });
    expect(unhashed.headers['cache-control']).toBe('no-cache, private');
    expect(unhashed.text).toBe(document.text);
    const stale = await asAdmin({ path: '/openapi/v3/apis/apps/v1?hash=0123' });
    expect(stale.status).toBe(301);
    expect(stale.headers.location).toBe(url);
    const conditional = await asAdmin({ path: url, headers: { 'if-none-match': `"${hash}"` } });
    expect(conditional.status).toBe(304);
    expect(conditional.text).toBe('');
    expect((await asAdmin({ path: '/openapi/v3/apis/resource.k8s.io/v1beta1' })).status).toBe(404);
  });

  it('publishes a CRD version as apiextensions-apiserver does, and drops it with the CRD', async () => {
    const crd = JSON.parse(await readFile(CRONTAB_CRD, 'utf8'));
    expect(
      (
        await asAdmin({
          method: 'POST',
          path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
          body: crd,
        })
      ).status,
    ).toBe(201);
    const paths = (await asAdmin({ path: '/openapi/v3' })).json().paths;
    const document = (await asAdmin({ path: paths['apis/stable.example.com/v1'].serverRelativeURL })).json();
    const cronTab = document.components.schemas['com.example.stable.v1.CronTab'];
    expect(cronTab['x-kubernetes-group-version-kind']).toEqual([
      { group: 'stable.example.com', kind: 'CronTab', version: 'v1' },
    ]);
    expect(cronTab.properties.metadata).toEqual({
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    });
    expect(cronTab.properties.spec.properties.cronSpec.description).toBe('A cron expression.');
    const v2 = (await asAdmin({ path: '/openapi/v2', headers: { accept: 'application/json' } })).json();
    expect(v2.definitions['com.example.stable.v1.CronTab'].properties.spec.properties.image).toEqual({
      type: 'string',
    });
    expect(v2.paths).toHaveProperty(['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}']);

    // A changed schema changes the document and its hash.
    const stored = (
      await asAdmin({
        path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com',
      })
    ).json();
    stored.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.cronSpec.description = 'When.';
    const updated = await asAdmin({
      method: 'PUT',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com',
      body: stored,
    });
    expect(updated.status).toBe(200);
    const after = (await asAdmin({ path: '/openapi/v3' })).json().paths;
    expect(after['apis/stable.example.com/v1'].serverRelativeURL).not.toBe(
      paths['apis/stable.example.com/v1'].serverRelativeURL,
    );
    const changed = (await asAdmin({ path: after['apis/stable.example.com/v1'].serverRelativeURL })).json();
    expect(
      changed.components.schemas['com.example.stable.v1.CronTab'].properties.spec.properties.cronSpec,
    ).toEqual({
      description: 'When.',
      type: 'string',
      pattern: '^\\S+( \\S+){4}$',
    });

    await asAdmin({
      method: 'DELETE',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com',
    });
    await expect
      .poll(async () => Object.keys((await asAdmin({ path: '/openapi/v3' })).json().paths))
      .not.toContain('apis/stable.example.com/v1');
  });

  it('serves /openapi/v2 as JSON or protobuf with one ETag, and 406 otherwise', async () => {
    const json = await asAdmin({ path: '/openapi/v2', headers: { accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(json.json().definitions['io.k8s.api.core.v1.Pod'].description).toMatch(/^Pod is a collection/);
    const protobuf = await asAdmin({
      path: '/openapi/v2',
      headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    expect(protobuf.headers['content-type']).toBe(
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    expect(protobuf.headers.etag).toBe(json.headers.etag);
    const notModified = await asAdmin({
      path: '/openapi/v2',
      headers: { accept: 'application/json', 'if-none-match': String(json.headers.etag) },
    });
    expect(notModified.status).toBe(304);
    expect((await asAdmin({ path: '/openapi/v2', headers: { accept: 'text/html' } })).status).toBe(406);
  });
});

for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} explain and validation`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), `fake-apiserver-openapi-${minor}-`));
        server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
      });
      afterAll(() => server?.close());
      const kubectlRun = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);

      it('explains pods with upstream descriptions', async () => {
        const result = await kubectlRun('explain', 'pods');
        expect(result.stderr).toBe('');
        expect(result.stdout).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n/);
        expect(result.stdout).toContain('Pod is a collection of containers that can run on a host.');
        expect(result.stdout).toMatch(/spec\t<PodSpec>/);
      });

      it('explains deployment.spec recursively', async () => {
        const result = await kubectlRun('explain', 'deployment.spec', '--recursive');
        expect(result.stderr).toBe('');
        expect(result.stdout).toMatch(/FIELD: spec <DeploymentSpec>/);
        expect(result.stdout).toMatch(/^ {2}replicas\t<integer>$/m);
        expect(result.stdout).toMatch(/^ {4}spec\t<PodSpec>$/m);
        expect(result.stdout).toMatch(/^ {6}containers\t<\[\]Container> -required-$/m);
      });

      it('explains the version --api-version names', async () => {
        const v1 = await kubectlRun('explain', 'hpa.spec', '--api-version=autoscaling/v1');
        expect(v1.stdout).toMatch(/VERSION:\s+v1\n/);
        expect(v1.stdout).toContain('targetCPUUtilizationPercentage');
        const v2 = await kubectlRun('explain', 'hpa.spec', '--api-version=autoscaling/v2');
        expect(v2.stdout).toMatch(/VERSION:\s+v2\n/);
        expect(v2.stdout).toContain('metrics\t<[]MetricSpec>');
      });

      it("explains a CRD's fields once it is created", async () => {
        const created = await kubectlRun('create', '-f', CRONTAB_CRD.pathname);
        expect(created.stderr).toBe('');
        await expect
          .poll(async () => (await kubectlRun('explain', 'crontabs.spec')).stdout, { timeout: 10_000 })
          .toContain('A cron expression.');
        const spec = await kubectlRun('explain', 'crontabs.spec');
        expect(spec.stdout).toMatch(/GROUP:\s+stable\.example\.com\nKIND:\s+CronTab\nVERSION:\s+v1\n/);
        expect(spec.stdout).toMatch(/cronSpec\t<string> -required-/);
      });

      it('rejects an unknown field on create --validate=true through server-side strict validation', async () => {
        const file = join(dir, 'bad.yaml');
        await writeFile(file, BAD_CONFIGMAP);
        const result = await kubectlRun('create', '--validate=true', '-f', file, '-v=6');
        // Both versions find fieldValidation in the OpenAPI and leave validation to the server.
        expect(result.stderr).toContain(
          '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
        );
        expect(result.stderr).toContain(
          'Error from server (BadRequest): error when creating "' +
            file +
            '": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"',
        );
      });
    },
  );
}
