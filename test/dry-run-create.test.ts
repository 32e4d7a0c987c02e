import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

// Found by the differential harness (npm run oracle): a dry-run create answers the object as the strategy left it
// (uid, creationTimestamp) without a resourceVersion, which only storage assigns (DryRunnableStorage.Create).
describe('dry-run create', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });

  it('answers without a resourceVersion, and stores nothing', async () => {
    const res = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps?dryRun=All',
      body: { metadata: { name: 'dry' }, data: { a: '1' } },
    });
    expect(res.status).toBe(201);
    expect(res.json().metadata).toMatchObject({ name: 'dry', namespace: 'default' });
    expect(res.json().metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json().metadata.creationTimestamp).toMatch(/Z$/);
    expect(res.json().metadata).not.toHaveProperty('resourceVersion');
    expect((await asAdmin({ path: '/api/v1/namespaces/default/configmaps/dry' })).status).toBe(404);
  });

  it('is what kubectl create --dry-run=server prints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-dry-run-'));
    await writeFile(join(dir, 'kubeconfig'), server.kubeconfig);
    const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
    const result = await run(kubectl, [
      ...['--kubeconfig', join(dir, 'kubeconfig'), 'create', 'configmap', 'dry2', '--from-literal=a=1'],
      ...['--dry-run=server', '-o', 'jsonpath={.metadata.name} rv={.metadata.resourceVersion}'],
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('dry2 rv=');
  });
});
