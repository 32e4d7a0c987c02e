import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';
import { openWatch } from './robustness/support/watch-stream.js';

describe('watch options: sendInitialEvents and bookmarks', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  const base = '/api/v1/namespaces/default/configmaps';
  const only = 'labelSelector=set%3Dwl';

  beforeAll(async () => {
    server = await startFakeApiServer({ fixtures: [] });
    admin = adminCredentials(server.kubeconfig);
    for (const name of ['a', 'b']) {
      await server.apply([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: 'default', labels: { set: 'wl' } },
        },
      ]);
    }
  });
  afterAll(() => server?.close());

  const watch = (query: string) =>
    openWatch(server.url, server.caCert, `${base}?watch=1&${only}&${query}`, admin);

  it('streams the current state, then a bookmark annotated k8s.io/initial-events-end, then changes', async () => {
    const stream = await watch(
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
    );
    await stream.waitFor((events) => events.length >= 3);
    const [first, second, bookmark] = stream.events;
    expect([first!.type, first!.object.metadata?.name, second!.type, second!.object.metadata?.name]).toEqual([
      'ADDED',
      'a',
      'ADDED',
      'b',
    ]);
    expect(bookmark).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: {
          resourceVersion: String(
            Math.max(...[first, second].map((e) => Number(e!.object.metadata?.resourceVersion))),
          ),
          creationTimestamp: null,
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      },
    });
    await server.apply([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'default', labels: { set: 'wl' } },
      },
    ]);
    await stream.waitFor((events) => events.length >= 4);
    expect(stream.events[3]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'c' } } });
    stream.stop();
  });

  it('with sendInitialEvents=false and no resourceVersion, starts from now without the current state', async () => {
    const stream = await watch(
      'sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
    );
    await server.apply([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'd', namespace: 'default', labels: { set: 'wl' } },
      },
    ]);
    await stream.waitFor((events) => events.length >= 1);
    expect(stream.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([['ADDED', 'd']]);
    stream.stop();
  });

  it('sends a bookmark with the latest resourceVersion shortly before the watch times out', async () => {
    const stream = await watch(
      'resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=3&fieldSelector=metadata.name%3Dnone',
    );
    await stream.ended;
    const bookmarks = stream.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks).toHaveLength(1);
    expect(bookmarks[0]!.object.metadata?.resourceVersion).toBe(
      String(
        (await send(server.url, server.caCert, { client: admin, path: base })).json().metadata
          .resourceVersion,
      ),
    );
  });

  it('rejects inconsistent options with the messages of ValidateListOptions', async () => {
    const cases: [string, string[]][] = [
      [
        'watch=1&sendInitialEvents=true',
        [
          'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        ],
      ],
      [
        'watch=1&resourceVersionMatch=NotOlderThan',
        [
          'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ],
      ],
      [
        'watch=1&sendInitialEvents=true&resourceVersionMatch=Exact',
        [
          'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
          'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"',
        ],
      ],
      ['sendInitialEvents=true', ['sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list']],
      [
        'resourceVersionMatch=Newest',
        [
          'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
          'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
        ],
      ],
    ];
    for (const [query, messages] of cases) {
      const response = await send(server.url, server.caCert, { client: admin, path: `${base}?${query}` });
      expect(response.status, query).toBe(422);
      expect(response.json().message, query).toBe(
        `ListOptions.meta.k8s.io "" is invalid: ${messages.length > 1 ? `[${messages.join(', ')}]` : messages[0]}`,
      );
    }
  });
});
