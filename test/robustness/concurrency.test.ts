import { ApiException, CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import type { TestResponse } from '../support/https-client.js';
import { sendRaw } from './support/raw-request.js';
import { openWatch } from './support/watch-stream.js';

// Concurrent writers lose nothing: optimistic concurrency picks exactly one winner per resourceVersion,
// creates of one name pick one, retry loops add up, and watchers see every acknowledged change once, in
// order. Each request below goes out at once over its own connection (up to the agent's 64 sockets).

const N = 50;
const NS = 'default';

/** The real messages: staging/src/k8s.io/apiserver/pkg/storage/errors.go and apimachinery errors.go. */
const conflictMessage = (name: string) =>
  `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`;
const alreadyExistsMessage = (name: string) => `configmaps "${name}" already exists`;

describe('concurrent writers', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const request = (method: string, path: string, body?: unknown): Promise<TestResponse> =>
    sendRaw(server.url, server.caCert, {
      method,
      path,
      client: admin,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  const collection = `/api/v1/namespaces/${NS}/configmaps`;
  const configMap = (name: string, data: Record<string, string>, resourceVersion?: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, ...(resourceVersion ? { resourceVersion } : {}) },
    data,
  });
  const countBy = (responses: TestResponse[]) =>
    responses.reduce<Record<number, number>>(
      (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
      {},
    );

  it(`${N} updates at one resourceVersion: exactly one 200, the rest 409 Conflict`, async () => {
    const created = await request('POST', collection, configMap('race-update', { writer: 'none' }));
    expect(created.status).toBe(201);
    const version = created.json().metadata.resourceVersion as string;
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        request('PUT', `${collection}/race-update`, configMap('race-update', { writer: String(i) }, version)),
      ),
    );
    expect(countBy(responses)).toEqual({ 200: 1, 409: N - 1 });
    for (const response of responses.filter((r) => r.status === 409)) {
      expect(response.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: conflictMessage('race-update'),
        reason: 'Conflict',
        details: { name: 'race-update', kind: 'configmaps' },
        code: 409,
      });
    }
    const winner = responses.find((r) => r.status === 200)!.json();
    const stored = (await request('GET', `${collection}/race-update`)).json();
    expect(stored.data).toEqual(winner.data);
    expect(stored.metadata.resourceVersion).toBe(winner.metadata.resourceVersion);
    expect(Number(stored.metadata.resourceVersion)).toBeGreaterThan(Number(version));
  });

  it(`${N} creates of one name: one 201, the rest 409 AlreadyExists`, async () => {
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        request('POST', collection, configMap('race-create', { writer: String(i) })),
      ),
    );
    expect(countBy(responses)).toEqual({ 201: 1, 409: N - 1 });
    for (const response of responses.filter((r) => r.status === 409)) {
      expect(response.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: alreadyExistsMessage('race-create'),
        reason: 'AlreadyExists',
        details: { name: 'race-create', kind: 'configmaps' },
        code: 409,
      });
    }
    const winner = responses.find((r) => r.status === 201)!.json();
    const stored = (await request('GET', `${collection}/race-create`)).json();
    expect(stored.metadata.uid).toBe(winner.metadata.uid);
    expect(stored.data).toEqual(winner.data);
  });

  it('writers incrementing one counter with retry-on-conflict lose no increment', async () => {
    const writers = 10;
    const increments = 10;
    expect((await request('POST', collection, configMap('counter', { value: '0' }))).status).toBe(201);
    let conflicts = 0;
    const increment = async (): Promise<void> => {
      for (;;) {
        const current = (await request('GET', `${collection}/counter`)).json();
        const next = configMap('counter', { value: String(Number(current.data.value) + 1) });
        const put = await request('PUT', `${collection}/counter`, {
          ...next,
          metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion },
        });
        if (put.status === 200) return;
        expect(put.status, put.text).toBe(409);
        expect(put.json().message).toBe(conflictMessage('counter'));
        conflicts++;
      }
    };
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < increments; i++) await increment();
      }),
    );
    const final = (await request('GET', `${collection}/counter`)).json();
    expect(final.data.value).toBe(String(writers * increments));
    expect(conflicts, 'the writers never raced: the test proves nothing').toBeGreaterThan(0);
  });

  it('under concurrent writes, every watcher sees every acknowledged change once, in order', async () => {
    const namespace = 'watched';
    expect((await request('POST', '/api/v1/namespaces', { metadata: { name: namespace } })).status).toBe(201);
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const start = (await request('GET', path)).json().metadata.resourceVersion as string;
    const watchers = await Promise.all(
      Array.from({ length: 5 }, () =>
        openWatch(server.url, server.caCert, `${path}?watch=1&resourceVersion=${start}`, admin),
      ),
    );
    const names = Array.from({ length: 30 }, (_, i) => `w-${i}`);
    const inNamespace = (name: string, data: Record<string, string>) => ({
      ...configMap(name, data),
      metadata: { name, namespace },
    });
    // Three waves, each fully concurrent: creates, then updates, then deletes.
    const created = await Promise.all(
      names.map((name) => request('POST', path, inNamespace(name, { v: '1' }))),
    );
    const updated = await Promise.all(
      names.map((name) => request('PUT', `${path}/${name}`, inNamespace(name, { v: '2' }))),
    );
    const deleted = await Promise.all(names.map((name) => request('DELETE', `${path}/${name}`)));
    for (const wave of [created, updated, deleted]) expect(wave.every((r) => r.status < 300)).toBe(true);
    const acknowledged = [...created, ...updated]
      .map((r) => Number(r.json().metadata.resourceVersion))
      .sort((a, b) => a - b);

    const total = names.length * 3;
    for (const watcher of watchers) {
      await watcher.waitFor((events) => events.length >= total);
      // A moment for any duplicate or stray event to arrive too.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const events = watcher.events;
      expect(events).toHaveLength(total);
      const versions = events.map((e) => Number(e.object.metadata!.resourceVersion));
      expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
      expect(
        events.filter((e) => e.type !== 'DELETED').map((e) => Number(e.object.metadata!.resourceVersion)),
      ).toEqual(acknowledged);
      for (const type of ['ADDED', 'MODIFIED', 'DELETED']) {
        const seen = events.filter((e) => e.type === type).map((e) => e.object.metadata!.name);
        expect(seen.sort(), type).toEqual([...names].sort());
      }
      // Per object, the order of its own life: ADDED, then MODIFIED with v=2, then DELETED.
      for (const name of names) {
        const own = events.filter((e) => e.object.metadata!.name === name);
        expect(own.map((e) => `${e.type}:${e.object.data?.v}`)).toEqual([
          'ADDED:1',
          'MODIFIED:2',
          'DELETED:2',
        ]);
      }
      watcher.stop();
    }
    expect(new Set(watchers.map((w) => JSON.stringify(w.events))).size).toBe(1);
  });

  it('@kubernetes/client-node: concurrent replaces at one resourceVersion get one success and ApiException 409s', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const base = await api.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: 'client-race' }, data: { writer: 'none' } },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        api.replaceNamespacedConfigMap({
          name: 'client-race',
          namespace: NS,
          body: {
            metadata: { name: 'client-race', resourceVersion: base.metadata!.resourceVersion! },
            data: { writer: String(i) },
          },
        }),
      ),
    );
    const fulfilled = results.filter(
      (r): r is PromiseFulfilledResult<V1ConfigMap> => r.status === 'fulfilled',
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(9);
    for (const { reason } of rejected) {
      expect(reason).toBeInstanceOf(ApiException);
      expect((reason as ApiException<unknown>).code).toBe(409);
      expect(JSON.parse(String((reason as ApiException<string>).body)).message).toBe(
        conflictMessage('client-race'),
      );
    }
    const stored = await api.readNamespacedConfigMap({ name: 'client-race', namespace: NS });
    expect(stored.data).toEqual(fulfilled[0]!.value.data);
  });
});
