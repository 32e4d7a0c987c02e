import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import type { TestResponse } from '../support/https-client.js';
import { sendRaw } from './support/raw-request.js';

// A JSON patch's copies are capped as kube-apiserver caps them (json-patch's AccumulatedCopySizeLimit set to
// JSONPatchMaxCopyBytes, 3 MiB), so a small body of self-copies cannot freeze the server or take its memory:
// it gets upstream's answer at once, and the next request is served. What any patch makes may not be
// larger than a request may be.

const CONFIGMAP = '/api/v1/namespaces/default/configmaps/kube-root-ca.crt';
// handlers/patch.go answers any error of patchObj.Apply with NewGenericServerResponse(422, …): the
// AccumulatedCopySizeError's own text is not shown.
const GENERIC_422 = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server rejected our request due to an error in our request',
  reason: 'Invalid',
  details: {},
  code: 422,
};

/** The audit's bomb: a 1.5 KB value, then `copies` operations that each copy /data into itself. */
const bomb = (copies: number) => [
  { op: 'add', path: '/data/seed', value: 'x'.repeat(1500) },
  ...Array.from({ length: copies }, (_, i) => ({ op: 'copy', from: '/data', path: `/data/c${i}` })),
];

describe('JSON patch copies and patch results are bounded', () => {
  let server: StartedFakeApiServer;
  let client: { cert: string; key: string };

  beforeAll(async () => {
    server = await startFakeApiServer();
    client = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const patch = (operations: unknown, timeoutMs = 5000): Promise<TestResponse> =>
    sendRaw(server.url, server.caCert, {
      method: 'PATCH',
      path: CONFIGMAP,
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify(operations),
      client,
      timeoutMs,
    });
  const expectStillServing = async (): Promise<void> => {
    const next = await sendRaw(server.url, server.caCert, { method: 'GET', path: CONFIGMAP, client });
    expect(next.status).toBe(200);
    expect(Object.keys(next.json().data)).toEqual(['ca.crt']);
  };

  it.each([17, 19])('a %i-copy bomb gets the generic 422 at once', async (copies) => {
    const body = JSON.stringify(bomb(copies));
    expect(body.length).toBeLessThan(3000);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const answer = await patch(bomb(copies), 2000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(answer.status).toBe(422);
    expect(answer.json()).toEqual(GENERIC_422);
    // Unbounded, 17 copies took 715 MiB and 19 took 2.3 GiB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    await expectStillServing();
  });

  it('still copies within the limit', async () => {
    const answer = await patch([{ op: 'copy', from: '/data/ca.crt', path: '/data/copy' }]);
    expect(answer.status).toBe(200);
    expect(answer.json().data.copy).toBe(answer.json().data['ca.crt']);
    expect((await patch([{ op: 'remove', path: '/data/copy' }])).status).toBe(200);
    await expectStillServing();
  });

  it('refuses a result larger than a request may be, as etcd refuses such a write', async () => {
    // 1.6 MiB in the body and one copy of it (under the copy limit): 3.2 MiB, more than 3 MiB.
    const answer = await patch([
      { op: 'add', path: '/data/big', value: 'x'.repeat(1.6 * 1024 * 1024) },
      { op: 'copy', from: '/data/big', path: '/data/big2' },
    ]);
    expect(answer.status).toBe(500);
    expect(answer.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'etcdserver: request is too large',
      code: 500,
    });
    await expectStillServing();
  });
});
