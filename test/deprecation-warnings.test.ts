import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

const WARNING = '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"';

// Found by the differential harness (npm run oracle): kube-apiserver 1.33 warns on every action on core/v1
// Endpoints (deprecated in 1.33, k8s.io/api core/v1 lifecycle.go), errors included; kubectl prints it.
describe('deprecation warnings', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });

  it('warns on every action on core/v1 Endpoints, and not on EndpointSlices', async () => {
    const endpoints = {
      metadata: { name: 'warned' },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
    };
    const answers = [
      await asAdmin({ method: 'POST', path: '/api/v1/namespaces/default/endpoints', body: endpoints }),
      await asAdmin({ path: '/api/v1/namespaces/default/endpoints/warned' }),
      await asAdmin({ path: '/api/v1/namespaces/default/endpoints' }),
      await asAdmin({ path: '/api/v1/namespaces/default/endpoints/missing' }),
      await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/endpoints/warned' }),
    ];
    expect(answers.map((a) => [a.status, a.headers.warning])).toEqual([
      [201, WARNING],
      [200, WARNING],
      [200, WARNING],
      [404, WARNING],
      [200, WARNING],
    ]);
    const slices = await asAdmin({ path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices' });
    expect(slices.headers.warning).toBeUndefined();
  });

  it('is what kubectl prints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-deprecation-'));
    await writeFile(join(dir, 'kubeconfig'), server.kubeconfig);
    const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
    const result = await run(kubectl, [
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      'get',
      'endpoints',
      '-n',
      'default',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n',
    );
  });
});
