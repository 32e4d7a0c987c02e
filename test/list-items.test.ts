import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

// Found by the differential harness (npm run oracle, oracle/report.md): kube-apiserver 1.33 writes a built-in
// kind's list items without apiVersion and kind (typed Go items lose their TypeMeta in the list), in a LIST and in
// what a DELETE of a collection answers; a custom resource's items, unstructured, keep theirs.
describe('list items as kube-apiserver writes them', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });

  it('has no apiVersion or kind in the items of a built-in list, nor of a deleted collection', async () => {
    for (const name of ['one', 'two']) {
      const created = await asAdmin({
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        body: { metadata: { name, labels: { list: 'items' } } },
      });
      expect(created.status).toBe(201);
      expect(created.json()).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    }
    const listed = await asAdmin({
      path: '/api/v1/namespaces/default/configmaps?labelSelector=list%3Ditems',
    });
    expect(listed.json()).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMapList' });
    expect(
      listed.json().items.map((i: Record<string, unknown>) => [i.apiVersion, i.kind, Object.keys(i)[0]]),
    ).toEqual([
      [undefined, undefined, 'metadata'],
      [undefined, undefined, 'metadata'],
    ]);
    const deleted = await asAdmin({
      method: 'DELETE',
      path: '/api/v1/namespaces/default/configmaps?labelSelector=list%3Ditems',
    });
    expect(deleted.json().kind).toBe('ConfigMapList');
    expect(deleted.json().items.map((i: Record<string, unknown>) => i.kind)).toEqual([undefined, undefined]);
  });

  it('keeps them in the items of a custom resource list', async () => {
    const crd = await asAdmin({
      method: 'POST',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gadgets.example.com' },
        spec: {
          group: 'example.com',
          names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      },
    });
    expect(crd.status).toBe(201);
    const created = await asAdmin({
      method: 'POST',
      path: '/apis/example.com/v1/namespaces/default/gadgets',
      body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } },
    });
    expect(created.status).toBe(201);
    const listed = await asAdmin({ path: '/apis/example.com/v1/namespaces/default/gadgets' });
    expect(listed.json().items.map((i: Record<string, unknown>) => [i.apiVersion, i.kind])).toEqual([
      ['example.com/v1', 'Gadget'],
    ]);
  });

  it('is what kubectl reads back', async () => {
    const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
    const dir = `${process.env.TMPDIR ?? '/tmp'}/list-items-${process.pid}.kubeconfig`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(dir, server.kubeconfig);
    const result = await run(kubectl, [
      '--kubeconfig',
      dir,
      'get',
      'namespaces',
      '-o',
      'jsonpath={.items[*].kind}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Namespace Namespace Namespace Namespace'); // kubectl restores the kind
  });
});
