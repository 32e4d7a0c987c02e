import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send, type TestRequest } from './support/https-client.js';

// Found by the differential harness (npm run oracle): kube-apiserver still serves the deprecated `/watch/` paths,
// a watch of the collection or of one object by name (ListResource with forceWatch and a metadata.name field
// selector, staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go); here they answered as a GET.
describe('the deprecated /watch/ paths', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    for (const name of ['watched', 'other']) {
      const created = await asAdmin({
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        body: { metadata: { name, labels: { legacy: 'watch' } } },
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const events = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('watches one object by name', async () => {
    const res = await asAdmin({
      path: '/api/v1/watch/namespaces/default/configmaps/watched?timeoutSeconds=1',
    });
    expect(res.status).toBe(200);
    expect(events(res.text).map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([
      ['ADDED', 'ConfigMap', 'watched'],
    ]);
  });

  it('watches a collection with its selectors', async () => {
    const res = await asAdmin({
      path: '/api/v1/watch/namespaces/default/configmaps?labelSelector=legacy%3Dwatch&timeoutSeconds=1',
    });
    expect(res.status).toBe(200);
    expect(events(res.text).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'other'],
      ['ADDED', 'watched'],
    ]);
  });
});
