import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';

// Found by the differential harness (npm run oracle): kube-apiserver 1.33.4 lists the review resources with
// their singular names.
describe('discovery of the review resources', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  it('gives each review its singular name', async () => {
    const names = async (gv: string) => {
      const res = await send(server.url, server.caCert, { client: admin, path: `/apis/${gv}` });
      return res
        .json()
        .resources.map((r: { name: string; singularName: string }) => [r.name, r.singularName]);
    };
    expect(await names('authentication.k8s.io/v1')).toEqual([
      ['selfsubjectreviews', 'selfsubjectreview'],
      ['tokenreviews', 'tokenreview'],
    ]);
    expect(await names('authorization.k8s.io/v1')).toEqual([
      ['localsubjectaccessreviews', 'localsubjectaccessreview'],
      ['selfsubjectaccessreviews', 'selfsubjectaccessreview'],
      ['selfsubjectrulesreviews', 'selfsubjectrulesreview'],
      ['subjectaccessreviews', 'subjectaccessreview'],
    ]);
  });
});
