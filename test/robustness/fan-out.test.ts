import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { configMapKind } from '../../src/registry/built-in-kinds.js';
import type { KubeObject } from '../../src/registry/resource-kind.js';
import { ObjectStore } from '../../src/store/object-store.js';
import { adminCredentials } from '../support/admin.js';
import type { TestResponse } from '../support/https-client.js';
import { sendRaw } from './support/raw-request.js';
import { openWatch, type OpenWatch } from './support/watch-stream.js';

// One listener or watcher that throws while a change is handed out neither fails the committed write nor
// keeps the change from the others. Faults go straight into the server's real store (captured as the
// server starts; nothing in it is replaced): a listener that throws, and an object its label selectors
// cannot evaluate.

const NS = 'default';
const COLLECTION = `/api/v1/namespaces/${NS}/configmaps`;

describe('watch fan-out', () => {
  let server: StartedFakeApiServer;
  let store: ObjectStore;
  let admin: { cert: string; key: string };
  const logged: string[] = [];
  const watches: OpenWatch[] = [];

  beforeAll(async () => {
    const subscribe = vi.spyOn(ObjectStore.prototype, 'subscribe');
    try {
      // Still: the test counts what every store listener sees, which a moving cluster would add to.
      server = await startFakeApiServer({ cluster: false, log: (message) => logged.push(message) });
      store = subscribe.mock.contexts[0] as ObjectStore;
    } finally {
      subscribe.mockRestore();
    }
    expect(store).toBeInstanceOf(ObjectStore);
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(async () => {
    for (const watch of watches) watch.stop();
    await server?.close();
  });

  const request = (method: string, path: string, body?: unknown): Promise<TestResponse> =>
    sendRaw(server.url, server.caCert, {
      method,
      path,
      client: admin,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  const watch = async (query: string): Promise<OpenWatch> => {
    const opened = await openWatch(server.url, server.caCert, `${COLLECTION}?watch=1&${query}`, admin);
    watches.push(opened);
    return opened;
  };
  const summary = (w: OpenWatch) => w.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`);
  const configMap = (name: string, labels: Record<string, string> | null, resourceVersion?: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, labels, ...(resourceVersion ? { resourceVersion } : {}) },
  });

  it('a store listener that throws: every write is answered with what it did, every watcher gets it', async () => {
    const unsubscribe = store.subscribe(() => {
      throw new Error('listener bug (injected by the test)');
    });
    try {
      // Opened after the throwing listener, so they come after it in the fan-out.
      const all = await watch(`resourceVersion=${store.resourceVersion}`);
      const selected = await watch(`resourceVersion=${store.resourceVersion}&labelSelector=app%3Dweb`);

      const created = await request('POST', COLLECTION, configMap('listener-a', { app: 'web' }));
      expect(created.status).toBe(201);
      const replaced = await request(
        'PUT',
        `${COLLECTION}/listener-a`,
        configMap('listener-a', { app: 'web', v: '2' }, created.json().metadata.resourceVersion),
      );
      expect(replaced.status).toBe(200);
      const deleted = await request('DELETE', `${COLLECTION}/listener-a`);
      expect(deleted.status).toBe(200);

      const expected = ['ADDED listener-a', 'MODIFIED listener-a', 'DELETED listener-a'];
      for (const w of [all, selected]) {
        await w.waitFor((events) => events.length >= 3);
        expect(summary(w)).toEqual(expected);
      }
      expect(logged.filter((line) => line.includes('listener bug'))).toEqual([
        expect.stringContaining('a store listener failed on ADDED configmaps default/listener-a'),
        expect.stringContaining('a store listener failed on MODIFIED configmaps default/listener-a'),
        expect.stringContaining('a store listener failed on DELETED configmaps default/listener-a'),
      ]);
      expect((await request('GET', '/version')).status).toBe(200);
    } finally {
      unsubscribe();
    }
  });

  it('a watch whose label selector throws on a stored object ends with an InternalError event; the write is answered 200 and the other watchers get it', async () => {
    // `metadata.labels: null`, put straight into the store, makes label matching throw (Object.hasOwn on
    // null). Should matching ever accept it, put here another stored object a selector cannot evaluate.
    const crafted = store.create(configMapKind, configMap('crafted', null) as unknown as KubeObject);
    const from = `resourceVersion=${store.resourceVersion}`;
    const selected = await watch(`${from}&labelSelector=app%3Dweb`);
    const all = await watch(from);
    const byName = await watch(`${from}&fieldSelector=metadata.name%3Dcrafted`);

    const relabelled = await request(
      'PUT',
      `${COLLECTION}/crafted`,
      configMap('crafted', { app: 'web' }, crafted.metadata!.resourceVersion),
    );
    expect(relabelled.status).toBe(200);
    expect(relabelled.json().metadata.labels).toEqual({ app: 'web' });

    await selected.ended;
    expect(selected.events).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Internal error occurred: Cannot convert undefined or null to object',
          reason: 'InternalError',
          details: { causes: [{ message: 'Cannot convert undefined or null to object' }] },
          code: 500,
        },
      },
    ]);
    for (const w of [all, byName]) {
      await w.waitFor((events) => events.length >= 1);
      expect(summary(w)).toEqual(['MODIFIED crafted']);
    }
    expect(logged).toContainEqual(
      expect.stringMatching(
        /^watch of configmaps in default for kubernetes-admin ended with an InternalError event: Cannot convert undefined or null to object/,
      ),
    );

    // The others go on: the next change reaches them, and a new selector watch is served.
    expect((await request('DELETE', `${COLLECTION}/crafted`)).status).toBe(200);
    for (const w of [all, byName]) {
      await w.waitFor((events) => events.length >= 2);
      expect(summary(w)).toEqual(['MODIFIED crafted', 'DELETED crafted']);
    }
    const again = await watch(`resourceVersion=${store.resourceVersion}&labelSelector=app%3Dweb`);
    expect((await request('POST', COLLECTION, configMap('after', { app: 'web' }))).status).toBe(201);
    await again.waitFor((events) => events.length >= 1);
    expect(summary(again)).toEqual(['ADDED after']);
  });
  it('a watch that cannot encode an event is closed and logged, as WatchServer does; other watches go on', async () => {
    const from = `resourceVersion=${store.resourceVersion}`;
    const failing = await watch(`${from}&fieldSelector=metadata.name%3Dunencodable`);
    const others = await watch(`${from}&fieldSelector=metadata.name%3Dencodable`);
    // JSON has no BigInt: only a value put straight into the store can be one.
    store.create(configMapKind, {
      ...configMap('unencodable', null),
      metadata: { name: 'unencodable', namespace: NS },
      data: { size: 1n },
    } as unknown as KubeObject);
    await failing.ended;
    expect(failing.events).toEqual([]);
    expect(logged).toContainEqual(
      expect.stringMatching(
        /^watch of configmaps in default for kubernetes-admin ended: unable to encode watch object: Do not know how to serialize a BigInt/,
      ),
    );
    expect((await request('POST', COLLECTION, configMap('encodable', { app: 'db' }))).status).toBe(201);
    await others.waitFor((events) => events.length >= 1);
    expect(summary(others)).toEqual(['ADDED encodable']);
    store.delete(configMapKind, NS, 'unencodable');
  });
});
