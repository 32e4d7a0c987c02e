import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send, type TestRequest } from './support/https-client.js';

describe('resources over the wire', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let defaultToken: string;

  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    defaultToken = server.issueToken('default/default');
  });
  afterAll(() => server?.close());

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const podNames = (list: { items: { metadata: { name: string } }[] }) =>
    list.items.map((p) => p.metadata.name);

  it('authorizes before routing: 403 for a forbidden unknown resource, 404 once allowed', async () => {
    const path = '/apis/apps/v1/namespaces/default/widgets';
    const forbidden = await send(server.url, server.caCert, { path, token: defaultToken });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json().message).toBe(
      'widgets.apps is forbidden: User "system:serviceaccount:default:default" cannot list resource "widgets" in API group "apps" in the namespace "default"',
    );
    expect(forbidden.json().details).toEqual({ group: 'apps', kind: 'widgets' });
    const missing = await asAdmin({ path });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  });

  it('answers a missing pod with the real NotFound', async () => {
    const response = await asAdmin({ path: '/api/v1/namespaces/default/pods/nope' });
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
    });
  });

  it('filters with label and field selectors, and rejects bad ones as the apiserver does', async () => {
    const byLabel = await asAdmin({ path: '/api/v1/pods?labelSelector=app%20in%20(helloworld,web)' });
    expect(podNames(byLabel.json()).sort()).toEqual(['helloworld', 'web-7d4b9c6f5-x2kqp']);
    const byPhase = await asAdmin({ path: '/api/v1/pods?fieldSelector=status.phase%3DSucceeded' });
    expect(podNames(byPhase.json())).toEqual(['db-migrate-5xq2w']);
    const byNode = await asAdmin({
      path: '/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dkind-control-plane,metadata.name!%3Dhelloworld',
    });
    expect(podNames(byNode.json())).toEqual(['web-7d4b9c6f5-x2kqp']);
    const byName = await asAdmin({
      path: '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dhelloworld',
    });
    expect(byName.json().kind).toBe('PodList');
    expect(podNames(byName.json())).toEqual(['helloworld']);
    const allByName = await asAdmin({ path: '/api/v1/pods?fieldSelector=metadata.name%3Ddb-migrate-5xq2w' });
    expect(podNames(allByName.json())).toEqual(['db-migrate-5xq2w']);
    const unsupported = await asAdmin({ path: '/api/v1/pods?fieldSelector=spec.foo%3Dbar' });
    expect(unsupported.status).toBe(400);
    expect(unsupported.json().message).toBe('field label not supported: spec.foo');
    const generic = await asAdmin({ path: '/api/v1/configmaps?fieldSelector=data.x%3Dy' });
    expect(generic.json().message).toBe(
      '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    const badLabel = await asAdmin({ path: '/api/v1/pods?labelSelector=app%20in%20a' });
    expect(badLabel.status).toBe(400);
    expect(badLabel.json().message).toBe("unable to parse requirement: found 'a' expected: '('");
  });

  it('creates with defaults and generateName, refuses bad names and missing namespaces', async () => {
    const created = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body: { metadata: { generateName: 'job-' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    expect(created.status).toBe(201);
    const pod = created.json();
    expect(pod.metadata.name).toMatch(/^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(pod.status.phase).toBe('Pending');
    expect(pod.kind).toBe('Pod');

    const invalid = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json().reason).toBe('Invalid');
    expect(invalid.json().details.causes[0].field).toBe('metadata.name');

    const noNamespace = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/ghost/configmaps',
      body: { metadata: { name: 'x' } },
    });
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.json().message).toBe('namespaces "ghost" not found');

    const mismatch = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'x', namespace: 'kube-system' } },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json().message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );

    const malformed = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: '{"metadata":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json().reason).toBe('BadRequest');

    const wrongType = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: 'x',
      contentType: 'text/plain',
    });
    expect(wrongType.status).toBe(415);
  });

  it('patches with JSON patch, merge patch and strategic merge patch; 409 on a stale resourceVersion', async () => {
    const path = '/api/v1/namespaces/default/configmaps/settings';
    await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });
    const merge = await asAdmin({
      method: 'PATCH',
      path,
      body: { data: { b: '2', a: null } },
      contentType: 'application/merge-patch+json',
    });
    expect(merge.json().data).toEqual({ b: '2' });
    const jsonPatch = await asAdmin({
      method: 'PATCH',
      path,
      body: [{ op: 'add', path: '/data/c', value: '3' }],
      contentType: 'application/json-patch+json',
    });
    expect(jsonPatch.json().data).toEqual({ b: '2', c: '3' });
    const failedTest = await asAdmin({
      method: 'PATCH',
      path,
      body: [{ op: 'test', path: '/data/c', value: 'nope' }],
      contentType: 'application/json-patch+json',
    });
    expect(failedTest.status).toBe(422);
    const stale = await asAdmin({
      method: 'PUT',
      path,
      body: {
        metadata: { name: 'settings', resourceVersion: merge.json().metadata.resourceVersion },
        data: {},
      },
    });
    expect(stale.status).toBe(409);
    expect(stale.json().message).toBe(
      'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    );

    const smp = await asAdmin({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/pods/helloworld',
      body: {
        metadata: { labels: { tier: 'web' } },
        spec: { containers: [{ name: 'helloworld', image: 'gvelrajan/helloworld:v3.0' }] },
      },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(smp.status).toBe(200);
    expect(smp.json().spec.containers).toHaveLength(1);
    expect(smp.json().spec.containers[0]).toMatchObject({
      image: 'gvelrajan/helloworld:v3.0',
      ports: [{ containerPort: 80 }],
    });
    expect(smp.json().metadata.labels).toEqual({ app: 'helloworld', tier: 'web' });
    const ssa = await asAdmin({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/pods/helloworld?fieldManager=me',
      body: {},
      contentType: 'application/apply-patch+yaml',
    });
    // Server-side apply is served (test/server-side-apply.test.ts); an empty configuration is 400 upstream too.
    expect(ssa.status).toBe(400);
    expect(ssa.json().message).toBe(`Object 'Kind' is missing in '{}'`);
  });

  it('paginates from a consistent snapshot', async () => {
    const first = (await asAdmin({ path: '/api/v1/namespaces/default/serviceaccounts?limit=1' })).json();
    expect(first.items).toHaveLength(1);
    expect(first.metadata.remainingItemCount).toBe(1);
    await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/serviceaccounts',
      body: { metadata: { name: 'zz-late' } },
    });
    const rest = (
      await asAdmin({
        path: `/api/v1/namespaces/default/serviceaccounts?limit=5&continue=${first.metadata.continue}`,
      })
    ).json();
    expect(rest.items.map((i: any) => i.metadata.name)).toEqual(['pod-reader']);
    expect(rest.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const bad = await asAdmin({
      path: '/api/v1/namespaces/default/serviceaccounts?limit=1&continue=garbage',
    });
    expect(bad.status).toBe(400);
  });

  it('serves pods as a Table for kubectl', async () => {
    const table = await asAdmin({
      path: '/api/v1/namespaces/kube-system/pods',
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const body = table.json();
    expect(body.kind).toBe('Table');
    expect(body.columnDefinitions.map((c: any) => c.name).slice(0, 5)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(body.rows[0].cells.slice(0, 4)).toEqual(['db-migrate-5xq2w', '0/1', 'Completed', '0']);
  });

  it('deletes pods returning the object, config maps returning a Status', async () => {
    await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'gone' } },
    });
    const cm = await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/gone' });
    expect(cm.json()).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'gone', kind: 'configmaps' },
    });
    const pod = await asAdmin({
      method: 'DELETE',
      path: '/api/v1/namespaces/default/pods/web-7d4b9c6f5-x2kqp',
      body: { propagationPolicy: 'Background' },
    });
    // A pod on a node is deleted gracefully: Terminating until its kubelet has stopped it.
    expect(pod.json()).toMatchObject({
      kind: 'Pod',
      metadata: { name: 'web-7d4b9c6f5-x2kqp', deletionGracePeriodSeconds: 30 },
    });
    await vi.waitFor(async () =>
      expect((await asAdmin({ path: '/api/v1/namespaces/default/pods/web-7d4b9c6f5-x2kqp' })).status).toBe(
        404,
      ),
    );
  });

  it('applies RBAC changes to the very next request', async () => {
    const path = '/api/v1/namespaces/kube-system/pods';
    expect((await send(server.url, server.caCert, { path, token: defaultToken })).status).toBe(403);
    await asAdmin({
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        metadata: { name: 'default-views-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-viewer' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
      },
    });
    const missingRole = await send(server.url, server.caCert, { path, token: defaultToken });
    expect(missingRole.json().message).toBe(
      'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "kube-system": RBAC: clusterrole.rbac.authorization.k8s.io "pod-viewer" not found',
    );
    await asAdmin({
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      body: {
        metadata: { name: 'pod-viewer' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    });
    expect((await send(server.url, server.caCert, { path, token: defaultToken })).status).toBe(200);
  });

  it('serves the health, version and OpenAPI endpoints kubectl reads', async () => {
    const verbose = await send(server.url, server.caCert, { path: '/readyz?verbose' });
    expect(verbose.text).toMatch(/\[\+\]ping ok\n[\s\S]*readyz check passed\n$/);
    expect((await send(server.url, server.caCert, { path: '/version' })).json()).toMatchObject({
      major: '1',
      minor: '33',
    });
    const openapi = await asAdmin({ path: '/openapi/v3' });
    expect(openapi.json().paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=/);
  });

  it('gives a new namespace its default service account and kube-root-ca.crt, as the controllers do', async () => {
    const created = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: 'team-a' } },
    });
    expect(created.status).toBe(201);
    expect(created.json().status.phase).toBe('Active');
    const sa = await asAdmin({ path: '/api/v1/namespaces/team-a/serviceaccounts/default' });
    expect(sa.status).toBe(200);
    const rootCa = await asAdmin({ path: '/api/v1/namespaces/team-a/configmaps/kube-root-ca.crt' });
    expect(rootCa.json().data['ca.crt']).toBe(server.caCert);
    const token = server.issueToken('team-a/default');
    const review = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      token,
      body: { spec: { resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } } },
    });
    expect(review.status).toBe(201);
    expect(review.json()).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      status: { allowed: false },
    });
  });

  it("merges a Secret's write-only stringData into data on create, replace and patch", async () => {
    const path = '/api/v1/namespaces/default/secrets';
    const created = await asAdmin({
      method: 'POST',
      path,
      body: { metadata: { name: 'creds' }, stringData: { user: 'a' } },
    });
    expect(created.json()).toMatchObject({
      type: 'Opaque',
      data: { user: Buffer.from('a').toString('base64') },
    });
    expect(created.json().stringData).toBeUndefined();
    const replaced = await asAdmin({
      method: 'PUT',
      path: `${path}/creds`,
      body: { metadata: { name: 'creds' }, data: created.json().data, stringData: { password: 'b' } },
    });
    expect(replaced.json().data).toEqual({ user: 'YQ==', password: 'Yg==' });
    const patched = await asAdmin({
      method: 'PATCH',
      path: `${path}/creds`,
      body: { stringData: { user: 'c' } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.json().data).toEqual({ user: 'Yw==', password: 'Yg==' });
    expect(patched.json().stringData).toBeUndefined();
  });
});
