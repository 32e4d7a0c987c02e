import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApisApi, CoreApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import {
  clientAvailable,
  existsSync,
  kubectlBinary,
  pythonClientInstalled,
  run,
} from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

/** What client-go 1.30+ (kubectl 1.30 to 1.33) sends to `/api` and `/apis`. */
const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

const GADGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Cluster',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'], categories: ['all'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
      {
        name: 'v2',
        served: true,
        storage: false,
        subresources: {
          status: {},
          scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
        },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

type Json = Record<string, any>;

/**
 * The legacy `APIResourceList` client-go makes of one aggregated group version (`convertAPIResource`,
 * `convertAPISubresource`): what kubectl sees either way.
 */
function legacyFromAggregated(version: Json): Json[] {
  const out: Json[] = [];
  for (const r of version.resources ?? []) {
    out.push({
      name: r.resource,
      singularName: r.singularResource,
      namespaced: r.scope === 'Namespaced',
      kind: r.responseKind.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources ?? [])
      out.push({
        name: `${r.resource}/${s.subresource}`,
        namespaced: r.scope === 'Namespaced',
        kind: s.responseKind.kind,
        verbs: s.verbs,
      });
  }
  return out;
}

/** The fields of a legacy `APIResource` that the aggregated form carries too. */
function comparable(resources: Json[]): Json[] {
  return resources.map((r) => ({
    name: r.name,
    ...(r.name.includes('/') ? {} : { singularName: r.singularName }),
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
  }));
}

describe('aggregated discovery (apidiscovery.k8s.io/v2 and v2beta1)', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let dir: string;
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-aggregated-'));
    await writeFile(join(dir, 'kubeconfig'), server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const get = (path: string, accept: string, headers: Record<string, string> = {}) =>
    asAdmin({ path, headers: { accept, ...headers } });

  it('answers /apis with the v2 document, headers as kube-apiserver sets them, and a 304 for its ETag', async () => {
    const res = await get('/apis', KUBECTL_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(V2);
    expect(res.headers.vary).toBe('Accept');
    expect(res.headers['cache-control']).toBe('public');
    expect(res.headers.etag).toMatch(/^"[0-9A-F]{128}"$/);
    expect(res.text.endsWith('}\n')).toBe(true);
    const body = res.json();
    expect(body).toMatchObject({
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
    });
    const apps = body.items.find((g: Json) => g.metadata.name === 'apps');
    expect(apps.metadata).toEqual({ name: 'apps', creationTimestamp: null });
    expect(apps.versions.map((v: Json) => [v.version, v.freshness])).toEqual([['v1', 'Current']]);
    expect(apps.versions[0].resources.find((r: Json) => r.resource === 'deployments')).toEqual({
      resource: 'deployments',
      responseKind: { group: '', version: '', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        {
          subresource: 'scale',
          responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
          verbs: ['get', 'patch', 'update'],
        },
        {
          subresource: 'status',
          responseKind: { group: '', version: '', kind: 'Deployment' },
          verbs: ['get', 'patch', 'update'],
        },
      ],
    });
    // The preferred version first: autoscaling prefers v2, as its APIService priority says.
    const autoscaling = body.items.find((g: Json) => g.metadata.name === 'autoscaling');
    expect(autoscaling.versions.map((v: Json) => v.version)).toEqual(['v2', 'v1']);

    const again = await get('/apis', KUBECTL_ACCEPT, { 'if-none-match': String(res.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(res.headers.etag);
    expect(again.headers['content-type']).toBeUndefined();
    expect((await get('/apis', KUBECTL_ACCEPT, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('answers /api with the core group, unnamed, and its subresources with their own kinds', async () => {
    const res = await get('/api', KUBECTL_ACCEPT);
    expect(res.headers['content-type']).toBe(V2);
    const [core, ...rest] = res.json().items;
    expect(rest).toEqual([]);
    expect(core.metadata).toEqual({ creationTimestamp: null });
    expect(core.versions.map((v: Json) => v.version)).toEqual(['v1']);
    const serviceAccounts = core.versions[0].resources.find((r: Json) => r.resource === 'serviceaccounts');
    expect(serviceAccounts).toMatchObject({
      scope: 'Namespaced',
      shortNames: ['sa'],
      subresources: [
        {
          subresource: 'token',
          responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
          verbs: ['create'],
        },
      ],
    });
    const namespaces = core.versions[0].resources.find((r: Json) => r.resource === 'namespaces');
    expect(namespaces.scope).toBe('Cluster');
  });

  it('says the same as the legacy documents, group by group and resource by resource', async () => {
    const aggregated = [
      ...(await get('/api', V2)).json().items,
      ...(await get('/apis', V2)).json().items,
    ] as Json[];
    const legacyGroups = (await get('/apis', 'application/json')).json().groups as Json[];
    expect(aggregated.slice(1).map((g) => g.metadata.name)).toEqual(legacyGroups.map((g) => g.name));
    for (const group of legacyGroups) {
      const item = aggregated.find((g) => g.metadata.name === group.name)!;
      expect(item.versions.map((v: Json) => v.version)).toEqual(group.versions.map((v: Json) => v.version));
      expect(item.versions[0].version).toBe(group.preferredVersion.version);
    }
    for (const item of aggregated) {
      for (const version of item.versions) {
        const path = item.metadata.name ? `/apis/${item.metadata.name}/${version.version}` : '/api/v1';
        const legacy = (await get(path, 'application/json')).json();
        expect(legacyFromAggregated(version), path).toEqual(comparable(legacy.resources));
      }
    }
  });

  it('serves v2beta1 when asked for first, with the same items and ETag', async () => {
    const v2 = await get('/apis', V2);
    const beta = await get('/apis', `${V2BETA1},${V2},application/json`);
    expect(beta.headers['content-type']).toBe(V2BETA1);
    expect(beta.json().apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(beta.json().items).toEqual(v2.json().items);
    expect(beta.headers.etag).toBe(v2.headers.etag);
  });

  it('negotiates as the wrapper does: any aggregated clause wins, other forms get the legacy lists', async () => {
    const legacy = await get('/apis', 'application/json');
    expect(legacy.headers['content-type']).toBe('application/json');
    expect(legacy.json().kind).toBe('APIGroupList');
    expect(legacy.headers.etag).toBeUndefined();
    expect((await get('/api', 'application/json, */*')).json().kind).toBe('APIVersions');
    // The discovery restrictions refuse every clause but the aggregated ones, wherever they stand.
    expect((await get('/apis', `application/json,${V2}`)).headers['content-type']).toBe(V2);
    expect((await get('/apis', `application/json;q=0.9,${V2BETA1};q=0.5`)).headers['content-type']).toBe(
      V2BETA1,
    );
    expect(
      (await get('/apis', '*/*;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).headers['content-type'],
    ).toBe(V2);
    // Not served: the protobuf and YAML forms of the aggregated document (see the README).
    expect(
      (
        await get(
          '/apis',
          'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
        )
      ).json().kind,
    ).toBe('APIGroupList');
    expect(
      (await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList')).json()
        .kind,
    ).toBe('APIGroupList');
  });

  it('shows a CRD group at once, its versions kube-aware, and drops it when the CRD goes', async () => {
    const before = await get('/apis', V2);
    await server.apply(GADGET_CRD);
    const after = await get('/apis', V2);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const group = after.json().items.find((g: Json) => g.metadata.name === 'example.com');
    // The CRD registration controller's priorities (1000, 100 for every version): v2 before v1, whatever
    // the order of spec.versions, in the legacy list too.
    expect(group.versions.map((v: Json) => v.version)).toEqual(['v2', 'v1']);
    const legacy = (await get('/apis', 'application/json'))
      .json()
      .groups.find((g: Json) => g.name === 'example.com');
    expect(legacy.preferredVersion.version).toBe('v2');
    expect(group.versions[0]).toEqual({
      version: 'v2',
      resources: [
        {
          resource: 'gadgets',
          responseKind: { group: 'example.com', version: 'v2', kind: 'Gadget' },
          scope: 'Cluster',
          singularResource: 'gadget',
          verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
          shortNames: ['gd'],
          categories: ['all'],
          subresources: [
            {
              subresource: 'scale',
              responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
              verbs: ['get', 'patch', 'update'],
            },
            {
              subresource: 'status',
              responseKind: { group: 'example.com', version: 'v2', kind: 'Gadget' },
              verbs: ['get', 'patch', 'update'],
            },
          ],
        },
      ],
      freshness: 'Current',
    });
    server.delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: 'gadgets.example.com',
    });
    const gone = await get('/apis', V2);
    expect(gone.json().items.map((g: Json) => g.metadata.name)).not.toContain('example.com');
    expect(gone.headers.etag).toBe(before.headers.etag);
  });

  describe.runIf(clientAvailable('kubectl', () => existsSync(kubectlBinary(33))))('kubectl', () => {
    /** The paths of the GETs a `-v=6` (1.33: `verb="GET" url="…"`) or `-v=8` (1.27: `GET https://…`) log shows. */
    const gets = (stderr: string) =>
      [...stderr.matchAll(/GET"? (?:url=")?https?:\/\/[^/]+(\/[^?\s"]*)/g)].map((m) => m[1]).sort();
    const kubectl = (minor: number, cache: string, ...args: string[]) =>
      run(kubectlBinary(minor), [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--cache-dir',
        join(dir, cache),
        ...args,
      ]);

    it('kubectl 1.33 and 1.27 read the aggregated document and ask no group version', async () => {
      const v33 = await kubectl(33, 'cache-33', '-v=6', 'api-resources', '-o', 'wide');
      expect(v33.code).toBe(0);
      expect(gets(v33.stderr)).toEqual(['/api', '/apis']);
      const v27 = await kubectl(27, 'cache-27', '-v=8', 'api-resources', '-o', 'wide');
      expect(gets(v27.stderr)).toEqual(['/api', '/apis']);
      expect(v27.stderr).toContain(`Content-Type: ${V2BETA1}`);
      expect(v27.stdout).toBe(v33.stdout);
      expect(v33.stdout).toMatch(
        /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/m,
      );
    });

    it('prints what it prints from the legacy lists, asked through a proxy that wants only those', async () => {
      // kubectl has no switch for legacy discovery: a plain-HTTP proxy rewrites the Accept of /api and /apis
      // (and adds the credentials, which kubectl sends over TLS only).
      const target = new URL(server.url);
      const authorization = `Bearer ${server.issueToken('default/default')}`;
      const proxy = createServer((req, res) => {
        const headers = { ...req.headers, host: target.host, authorization };
        if (/^\/apis?(\?|$)/.test(req.url ?? '')) headers.accept = 'application/json';
        const upstream = httpsRequest(
          {
            hostname: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers,
            ca: server.caCert,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = proxy.address() as AddressInfo;
        await writeFile(
          join(dir, 'legacy-kubeconfig'),
          [
            'apiVersion: v1',
            'kind: Config',
            `clusters: [{name: proxy, cluster: {server: "http://127.0.0.1:${port}"}}]`,
            'contexts: [{name: proxy, context: {cluster: proxy}}]',
            'current-context: proxy',
          ].join('\n'),
        );
        const legacy = await run(kubectlBinary(33), [
          ...['--kubeconfig', join(dir, 'legacy-kubeconfig'), '--cache-dir', join(dir, 'cache-legacy')],
          ...['-v=6', 'api-resources', '-o', 'wide'],
        ]);
        expect(legacy.stderr).not.toMatch(/^E\d|^error|Error from server/m);
        expect(legacy.code).toBe(0);
        expect(gets(legacy.stderr)).toContain('/apis/apps/v1');
        expect(gets(legacy.stderr)).toContain('/api/v1');
        const aggregated = await kubectl(33, 'cache-33-again', 'api-resources', '-o', 'wide');
        expect(legacy.stdout).toBe(aggregated.stdout);
      } finally {
        proxy.close();
      }
    });

    it('lists a CRD created a moment ago, and forgets it once deleted', async () => {
      await server.apply(GADGET_CRD);
      const listed = await kubectl(
        33,
        'cache-crd-1',
        'api-resources',
        '--api-group',
        'example.com',
        '-o',
        'wide',
      );
      expect(listed.stdout).toMatch(
        /^gadgets\s+gd\s+example\.com\/v2\s+false\s+Gadget\s+delete,deletecollection,get,list,patch,create,update,watch\s+all$/m,
      );
      server.delete({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'gadgets.example.com',
      });
      const gone = await kubectl(33, 'cache-crd-2', 'api-resources', '--api-group', 'example.com');
      expect(gone.stdout).not.toContain('gadgets');
    });
  });

  it('leaves client-node on the legacy lists it asks for', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const core = await kc.makeApiClient(CoreApi).getAPIVersions();
    expect(core.versions).toEqual(['v1']);
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toContain('apps');
    expect(groups.groups[0]!.preferredVersion?.groupVersion).toBe('apiregistration.k8s.io/v1');
  });

  describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))('the Python client', () => {
    it('still gets the legacy lists', async () => {
      const script = `
import json, sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
print(json.dumps({"core": client.CoreApi().get_api_versions().versions,
  "groups": [g.name for g in client.ApisApi().get_api_versions().groups],
  "apps": [r.name for r in client.AppsV1Api().get_api_resources().resources]}))
`;
      await writeFile(join(dir, 'discovery.py'), script);
      const result = await run('/usr/bin/python3', [join(dir, 'discovery.py'), join(dir, 'kubeconfig')]);
      expect(result.stderr).toBe('');
      const out = JSON.parse(result.stdout);
      expect(out.core).toEqual(['v1']);
      expect(out.groups).toContain('apps');
      expect(out.apps).toContain('deployments/scale');
    });
  });
});
