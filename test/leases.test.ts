import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';

/** A protobuf varint. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = BigInt(value); ; v >>= 7n) {
    if (v < 0x80n) return Buffer.from([...bytes, Number(v)]);
    bytes.push(Number(v & 0x7fn) | 0x80);
  }
}

/** A protobuf field: a varint (wire type 0) for a number, length-delimited (wire type 2) otherwise. */
function pb(no: number, value: number | string | Buffer): Buffer {
  if (typeof value === 'number') return Buffer.concat([varint(no << 3), varint(value)]);
  const bytes = Buffer.from(value);
  return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
}

/** The `k8s\0` envelope of client-go's typed clients: `runtime.Unknown{typeMeta, raw}`. */
function protobufBody(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([pb(1, apiVersion), pb(2, kind)]);
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), pb(1, typeMeta), pb(2, raw)]);
}

describe('coordination.k8s.io/v1 leases', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const lease = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name },
    spec,
  });

  it('is served in discovery as kube-apiserver 1.33 lists it', async () => {
    const groups = (await asAdmin({ path: '/apis' })).json().groups;
    // List items carry no kind/apiVersion of their own, as discovery/root.go writes them.
    expect(groups).toContainEqual({
      name: 'coordination.k8s.io',
      versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
    });
    const resources = (await asAdmin({ path: '/apis/coordination.k8s.io/v1' })).json();
    expect(resources).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'coordination.k8s.io/v1',
      resources: [
        {
          name: 'leases',
          singularName: 'lease',
          namespaced: true,
          kind: 'Lease',
          verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
          storageVersionHash: 'gqkMMb/YqFM=',
        },
      ],
    });
  });

  it('creates, reads, renews with optimistic concurrency, and deletes with a Status', async () => {
    const created = await asAdmin({
      method: 'POST',
      path: LEASES,
      body: lease('crud', {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: '2025-01-02T05:04:05.123456+02:00',
        renewTime: '2025-01-02T03:04:05.123456Z',
        leaseTransitions: 0,
      }),
    });
    expect(created.status).toBe(201);
    // Stored as MicroTime.MarshalJSON writes it: UTC, six fractional digits.
    expect(created.json().spec).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2025-01-02T03:04:05.123456Z',
      renewTime: '2025-01-02T03:04:05.123456Z',
      leaseTransitions: 0,
    });
    const first = (await asAdmin({ path: `${LEASES}/crud` })).json();
    expect(first.metadata).toMatchObject({ name: 'crud', namespace: 'default' });

    const renewed = await asAdmin({
      method: 'PUT',
      path: `${LEASES}/crud`,
      body: { ...first, spec: { ...first.spec, renewTime: '2025-01-02T03:04:15.000000Z' } },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.json().spec.renewTime).toBe('2025-01-02T03:04:15.000000Z');

    // A second candidate that read the lease before the renewal loses the race.
    const stale = await asAdmin({
      method: 'PUT',
      path: `${LEASES}/crud`,
      body: { ...first, spec: { ...first.spec, holderIdentity: 'b' } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json()).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "crud": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'crud', group: 'coordination.k8s.io', kind: 'leases' },
    });

    const patched = await asAdmin({
      method: 'PATCH',
      path: `${LEASES}/crud`,
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { holderIdentity: 'b', leaseTransitions: 1 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json().spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });

    const deleted = await asAdmin({ method: 'DELETE', path: `${LEASES}/crud` });
    expect(deleted.status).toBe(200);
    expect(deleted.json()).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'crud', group: 'coordination.k8s.io', kind: 'leases' },
    });
    expect((await asAdmin({ path: `${LEASES}/crud` })).json().message).toBe(
      'leases.coordination.k8s.io "crud" not found',
    );
  });

  it('refuses times that are not RFC3339Micro and negative counters, as the decoder and validation do', async () => {
    const millis = await asAdmin({
      method: 'POST',
      path: LEASES,
      body: lease('millis', { renewTime: '2025-01-02T03:04:05.123Z' }),
    });
    expect(millis.status).toBe(400);
    expect(millis.json().message).toBe(
      'Lease in version "v1" cannot be handled as a Lease: parsing time "2025-01-02T03:04:05.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"',
    );
    const invalid = await asAdmin({
      method: 'POST',
      path: LEASES,
      body: lease('zero', { leaseDurationSeconds: 0, leaseTransitions: -1 }),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json()).toMatchObject({
      reason: 'Invalid',
      message:
        'Lease.coordination.k8s.io "zero" is invalid: [spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0, spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]',
      details: { name: 'zero', group: 'coordination.k8s.io', kind: 'Lease' },
    });
  });

  it('streams ADDED, MODIFIED and DELETED to a watch from a resourceVersion', async () => {
    const list = (await asAdmin({ path: LEASES })).json();
    expect(list.kind).toBe('LeaseList');
    const watching = asAdmin({
      path: `${LEASES}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`,
    });
    const created = await asAdmin({
      method: 'POST',
      path: LEASES,
      body: lease('watched', { holderIdentity: 'a' }),
    });
    await asAdmin({
      method: 'PUT',
      path: `${LEASES}/watched`,
      body: { ...created.json(), spec: { holderIdentity: 'b' } },
    });
    await asAdmin({ method: 'DELETE', path: `${LEASES}/watched` });
    const events = (await watching).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => [e.type, e.object.kind, e.object.spec.holderIdentity])).toEqual([
      ['ADDED', 'Lease', 'a'],
      ['MODIFIED', 'Lease', 'b'],
      ['DELETED', 'Lease', 'b'],
    ]);
  });

  it('is granted by edit (and so admin) as upstream since 1.25, not by view', async () => {
    const token = server.issueToken('default/default');
    const bind = (role: string) =>
      asAdmin({
        method: 'POST',
        path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
        body: {
          metadata: { name: `default-${role}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
          subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
        },
      });
    expect((await bind('view')).status).toBe(201);
    const forbidden = await send(server.url, server.caCert, { path: LEASES, token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json().message).toBe(
      'leases.coordination.k8s.io is forbidden: User "system:serviceaccount:default:default" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace "default"',
    );
    expect((await bind('edit')).status).toBe(201);
    const created = await send(server.url, server.caCert, {
      method: 'POST',
      path: LEASES,
      token,
      body: lease('by-editor', { holderIdentity: 'editor' }),
    });
    expect(created.status).toBe(201);
  });

  it('decodes a protobuf Lease as client-go 1.32+ LeaseLock sends it (MicroTime truncated to microseconds)', async () => {
    const timestamp = Buffer.concat([pb(1, 1735787045), pb(2, 123456789)]); // 2025-01-02T03:04:05.123456789Z
    const spec = Buffer.concat([pb(1, 'shop-a'), pb(2, 15), pb(3, timestamp), pb(4, timestamp), pb(5, 0)]);
    // ObjectMeta: name, namespace, and the empty creationTimestamp gogo always writes.
    const metadata = Buffer.concat([pb(1, 'pb-lease'), pb(3, 'default'), pb(8, Buffer.alloc(0))]);
    const response = await asAdmin({
      method: 'POST',
      path: LEASES,
      contentType: 'application/vnd.kubernetes.protobuf',
      headers: { accept: 'application/vnd.kubernetes.protobuf,application/json' },
      body: protobufBody('coordination.k8s.io/v1', 'Lease', Buffer.concat([pb(1, metadata), pb(2, spec)])),
    });
    expect(response.status).toBe(201);
    expect(response.json().spec).toEqual({
      holderIdentity: 'shop-a',
      leaseDurationSeconds: 15,
      acquireTime: '2025-01-02T03:04:05.123456Z',
      renewTime: '2025-01-02T03:04:05.123456Z',
      leaseTransitions: 0,
    });
  });
});

const kubectl = kubectlBinary(33);
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))('kubectl 1.33 and leases', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-leases-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig });
  });
  afterAll(() => server?.close());

  const kubectlAsAdmin = (...args: string[]) =>
    run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);

  it('creates a lease from a manifest and prints NAME, HOLDER and AGE', async () => {
    const manifest = join(dir, 'lease.yaml');
    await writeFile(
      manifest,
      `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: my-controller
  namespace: default
spec:
  holderIdentity: my-controller-7d4b9c6f5-x2kqp_0b1c
  leaseDurationSeconds: 15
  renewTime: "2025-01-02T03:04:05.000000Z"
`,
    );
    const created = await kubectlAsAdmin('create', '-f', manifest);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('lease.coordination.k8s.io/my-controller created\n');

    const table = await kubectlAsAdmin('get', 'leases', '-n', 'default');
    expect(table.stderr).toBe('');
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
    expect(lines[1]).toMatch(/^my-controller\s+my-controller-7d4b9c6f5-x2kqp_0b1c\s+\d+s$/);

    const resources = await kubectlAsAdmin('api-resources', '--api-group=coordination.k8s.io');
    expect(resources.stdout).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);

    const renewed = await kubectlAsAdmin(
      'patch',
      'lease',
      'my-controller',
      '-p',
      '{"spec":{"renewTime":"2025-01-02T03:04:20.000000Z"}}',
    );
    expect(renewed.stdout).toBe('lease.coordination.k8s.io/my-controller patched\n');
    const live = JSON.parse((await kubectlAsAdmin('get', 'lease', 'my-controller', '-o', 'json')).stdout);
    expect(live.spec.renewTime).toBe('2025-01-02T03:04:20.000000Z');
  });
});
