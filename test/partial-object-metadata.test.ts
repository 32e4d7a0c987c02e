import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';
import { openWatch } from './robustness/support/watch-stream.js';

// Accept: application/json;as=PartialObjectMetadata(List);g=meta.k8s.io;v=v1, as client-go's metadata client
// and kube-rs's get_metadata, list_metadata and metadata_watcher send it (kube-rs with no fallback clause):
// objects reduced to their metadata, as handlers/response.go transforms them. kube-rs's metadata_watcher
// against the server: examples/rust/examples.test.ts.
const ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

describe('PartialObjectMetadata and PartialObjectMetadataList', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  const base = '/api/v1/namespaces/default/configmaps';
  const get = (path: string, accept: string) =>
    send(server.url, server.caCert, { path, client: admin, headers: { accept } });

  beforeAll(async () => {
    server = await startFakeApiServer({ fixtures: [] });
    admin = adminCredentials(server.kubeconfig);
    for (const name of ['a', 'b']) {
      await server.apply([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: 'default', labels: { set: 'pom' } },
          data: { key: name },
        },
      ]);
    }
  });
  afterAll(() => server?.close());

  it('answers a GET with the whole metadata and nothing else', async () => {
    const full = (await get(`${base}/a`, 'application/json')).json();
    const response = await get(`${base}/a`, ONE);
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: full.metadata,
    });
    const beta = await get(`${base}/a`, ONE.replace('v=v1', 'v=v1beta1'));
    expect(beta.json()).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1beta1' });
  });

  it('answers a LIST with a PartialObjectMetadataList, its pages included', async () => {
    const response = await get(`${base}?labelSelector=set%3Dpom`, LIST);
    expect(response.status).toBe(200);
    const list = response.json();
    expect(Object.keys(list)).toEqual(['kind', 'apiVersion', 'metadata', 'items']);
    expect(list).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' });
    expect(
      list.items.map((item: { kind: string; apiVersion: string; metadata: { name: string } }) => item),
    ).toEqual([
      {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: expect.objectContaining({ name: 'a' }),
      },
      {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: expect.objectContaining({ name: 'b' }),
      },
    ]);
    const page = (await get(`${base}?limit=1`, LIST)).json();
    const plain = (await get(`${base}?limit=1`, 'application/json')).json();
    expect(page.metadata).toEqual(plain.metadata); // resourceVersion, continue, remainingItemCount
    expect(page.metadata.continue).toEqual(expect.any(String));
    expect(page.items).toHaveLength(1);
  });

  it('takes the first acceptable clause of Accept', async () => {
    const table = 'application/json;as=Table;g=meta.k8s.io;v=v1';
    expect((await get(base, `${table},${LIST}`)).json().kind).toBe('Table');
    expect((await get(base, `${LIST},${table}`)).json().kind).toBe('PartialObjectMetadataList');
    // Another version of meta.k8s.io is no conversion it offers: the next clause is taken.
    expect((await get(base, `${LIST.replace('v=v1', 'v=v2')},application/json`)).json().kind).toBe(
      'ConfigMapList',
    );
  });

  it('refuses a list asked for as PartialObjectMetadata, and an object as a list, with 406', async () => {
    const list = await get(base, ONE);
    expect(list.status).toBe(406);
    expect(list.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotAcceptable',
      code: 406,
      message:
        'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)',
    });
    const one = await get(`${base}/a`, LIST);
    expect(one.status).toBe(406);
    expect(one.json().message).toBe(
      'you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)',
    );
  });

  it('sends each watch event, bookmarks included, as PartialObjectMetadata', async () => {
    const stream = await openWatch(
      server.url,
      server.caCert,
      `${base}?watch=1&labelSelector=set%3Dpom&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      admin,
      { accept: ONE },
    );
    try {
      await stream.waitFor((events) => events.length >= 3);
      await server.apply([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c', namespace: 'default', labels: { set: 'pom' } },
          data: { key: 'c' },
        },
      ]);
      await stream.waitFor((events) => events.length >= 4);
      expect(
        stream.events.map((event) => [event.type, event.object.kind, event.object.metadata?.name]),
      ).toEqual([
        ['ADDED', 'PartialObjectMetadata', 'a'],
        ['ADDED', 'PartialObjectMetadata', 'b'],
        ['BOOKMARK', 'PartialObjectMetadata', undefined],
        ['ADDED', 'PartialObjectMetadata', 'c'],
      ]);
      expect(stream.events.every((event) => event.object.data === undefined)).toBe(true);
      expect(stream.events[2]!.object).toEqual({
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: {
          resourceVersion: expect.any(String),
          creationTimestamp: null,
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      });
    } finally {
      stream.stop();
    }
  });
});
