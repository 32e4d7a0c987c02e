import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, existsSync, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

const BASE = '/apis/apiregistration.k8s.io/v1/apiservices';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gizmos.toys.example.com' },
  spec: {
    group: 'toys.example.com',
    scope: 'Namespaced',
    names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
    versions: ['v1beta1', 'v1'].map((name) => ({
      name,
      served: true,
      storage: name === 'v1',
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    })),
  },
};

const metricsApiService = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: 'v1beta1.metrics.k8s.io' },
  spec: {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    service: { namespace: 'kube-system', name: 'metrics-server' },
    groupPriorityMinimum: 100,
    versionPriority: 100,
    insecureSkipTLSVerify: true,
    ...extra,
  },
});

type Json = Record<string, any>;

describe('APIServices (apiregistration.k8s.io/v1) as kube-aggregator serves them', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let dir: string;
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-apiservices-'));
    await writeFile(join(dir, 'kubeconfig'), server.kubeconfig);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('has a Local APIService per served group version, with upstream priorities, available at once', async () => {
    const list = (await asAdmin({ path: BASE })).json();
    const names = list.items.map((a: Json) => a.metadata.name);
    expect(names).toContain('v1.');
    expect(names).toContain('v1.apps');
    expect(names).toContain('v2.autoscaling');
    expect(names).not.toContain('v1.apiregistration.k8s.io');
    const apps = list.items.find((a: Json) => a.metadata.name === 'v1.apps');
    expect(apps.metadata.labels).toEqual({ 'kube-aggregator.kubernetes.io/automanaged': 'onstart' });
    expect(apps.spec).toEqual({
      group: 'apps',
      version: 'v1',
      groupPriorityMinimum: 17800,
      versionPriority: 15,
    });
    expect(apps.status.conditions).toEqual([
      {
        type: 'Available',
        status: 'True',
        lastTransitionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        reason: 'Local',
        message: 'Local APIServices are always available',
      },
    ]);
    const core = list.items.find((a: Json) => a.metadata.name === 'v1.');
    // APIServiceSpec.Group is omitempty: the core group's empty name is not written.
    expect(core.spec).toEqual({ version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
  });

  it('lists apiregistration.k8s.io first in /apis, legacy and aggregated', async () => {
    const legacy = (await asAdmin({ path: '/apis' })).json();
    expect(legacy.groups[0]).toMatchObject({
      name: 'apiregistration.k8s.io',
      preferredVersion: { groupVersion: 'apiregistration.k8s.io/v1' },
    });
    const aggregated = (
      await asAdmin({
        path: '/apis',
        headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
      })
    ).json();
    expect(aggregated.items[0].metadata.name).toBe('apiregistration.k8s.io');
    expect(aggregated.items[0].versions[0].resources).toEqual([
      {
        resource: 'apiservices',
        responseKind: { group: '', version: '', kind: 'APIService' },
        scope: 'Cluster',
        singularResource: 'apiservice',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        categories: ['api-extensions'],
        subresources: [
          {
            subresource: 'status',
            responseKind: { group: '', version: '', kind: 'APIService' },
            verbs: ['get', 'patch', 'update'],
          },
        ],
      },
    ]);
  });

  it("registers a CRD's group versions as the CRD registration controller does, and drops them with it", async () => {
    await server.apply(CRD);
    await settle();
    const v1 = (await asAdmin({ path: `${BASE}/v1.toys.example.com` })).json();
    expect(v1.metadata.labels).toEqual({ 'kube-aggregator.kubernetes.io/automanaged': 'true' });
    expect(v1.spec).toEqual({
      group: 'toys.example.com',
      version: 'v1',
      groupPriorityMinimum: 1000,
      versionPriority: 100,
    });
    expect(v1.status.conditions[0]).toMatchObject({ status: 'True', reason: 'Local' });
    expect((await asAdmin({ path: `${BASE}/v1beta1.toys.example.com` })).status).toBe(200);
    server.delete({ kind: 'CustomResourceDefinition', name: 'gizmos.toys.example.com' });
    await settle();
    expect((await asAdmin({ path: `${BASE}/v1.toys.example.com` })).status).toBe(404);
    expect((await asAdmin({ path: `${BASE}/v1beta1.toys.example.com` })).status).toBe(404);
  });

  it('stores an APIService backed by a Service, its port defaulted, and says why it is not available', async () => {
    const created = await asAdmin({ method: 'POST', path: BASE, body: metricsApiService() });
    expect(created.status).toBe(201);
    expect(created.json().spec.service).toEqual({
      namespace: 'kube-system',
      name: 'metrics-server',
      port: 443,
    });
    expect(created.json().status).toEqual({});
    await settle();
    const condition = async () =>
      (await asAdmin({ path: `${BASE}/v1beta1.metrics.k8s.io` })).json().status.conditions[0];
    expect(await condition()).toMatchObject({
      type: 'Available',
      status: 'False',
      reason: 'ServiceNotFound',
      message: 'service/metrics-server in "kube-system" is not present',
    });
    await server.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system' },
      spec: { ports: [{ name: 'https', port: 443, targetPort: 10250 }] },
    });
    await settle();
    expect(await condition()).toMatchObject({ status: 'False', reason: 'EndpointsNotFound' });
    await server.apply({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'metrics-server', namespace: 'kube-system' },
      subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ name: 'other', port: 10250 }] }],
    });
    await settle();
    expect(await condition()).toMatchObject({
      status: 'False',
      reason: 'MissingEndpoints',
      message:
        'endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"',
    });
    await server.apply({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'metrics-server', namespace: 'kube-system' },
      subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ name: 'https', port: 10250 }] }],
    });
    await settle();
    expect(await condition()).toMatchObject({ status: 'False', reason: 'FailedDiscoveryCheck' });
  });

  it('validates as ValidateAPIService, and refuses a stale update with a Conflict', async () => {
    const bad = await asAdmin({
      method: 'POST',
      path: BASE,
      body: {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1.wrong.example.com' },
        spec: {
          group: 'right.example.com',
          version: 'v1',
          groupPriorityMinimum: 0,
          versionPriority: 2000,
          caBundle: 'AAAA',
        },
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.json().message).toBe(
      'APIService.apiregistration.k8s.io "v1.wrong.example.com" is invalid: [metadata.name: Invalid value: "v1.wrong.example.com": must be `spec.version+"."+spec.group`: "v1.right.example.com", spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000, spec.versionPriority: Invalid value: 2000: must be positive and less than 1000, spec.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle]',
    );
    const current = (await asAdmin({ path: `${BASE}/v1beta1.metrics.k8s.io` })).json();
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' } };
    const conflict = await asAdmin({ method: 'PUT', path: `${BASE}/v1beta1.metrics.k8s.io`, body: stale });
    expect(conflict.status).toBe(409);
    expect(conflict.json().message).toBe(
      'Operation cannot be fulfilled on apiservices.apiregistration.k8s.io "v1beta1.metrics.k8s.io": the object has been modified; please apply your changes to the latest version and try again',
    );
    const exists = await asAdmin({ method: 'POST', path: BASE, body: metricsApiService() });
    expect(exists.status).toBe(409);
    expect(exists.json().reason).toBe('AlreadyExists');
  });

  describe.runIf(clientAvailable('kubectl', () => existsSync(kubectlBinary(33))))('kubectl', () => {
    it('prints NAME SERVICE AVAILABLE AGE as a cluster does', async () => {
      const out = await run(kubectlBinary(33), [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--cache-dir',
        join(dir, 'cache'),
        'get',
        'apiservices',
      ]);
      expect(out.code).toBe(0);
      const lines = out.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^NAME\s+SERVICE\s+AVAILABLE\s+AGE$/);
      expect(lines[1]).toMatch(/^v1\.\s+Local\s+True\s+\d+s$/);
      expect(out.stdout).toMatch(/^v1\.apps\s+Local\s+True\s+\d+s$/m);
      expect(out.stdout).toMatch(
        /^v1beta1\.metrics\.k8s\.io\s+kube-system\/metrics-server\s+False \(FailedDiscoveryCheck\)\s+\d+s$/m,
      );
      const resources = await run(kubectlBinary(33), [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--cache-dir',
        join(dir, 'cache2'),
        'api-resources',
        '--api-group',
        'apiregistration.k8s.io',
      ]);
      expect(resources.stdout).toMatch(/^apiservices\s+apiregistration\.k8s\.io\/v1\s+false\s+APIService$/m);
      const explain = await run(kubectlBinary(33), [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--cache-dir',
        join(dir, 'cache2'),
        'explain',
        'apiservice.spec.groupPriorityMinimum',
      ]);
      expect(explain.stdout).toContain(
        'GroupPriorityMinimum is the priority this group should have at least.',
      );
    });
  });
});
