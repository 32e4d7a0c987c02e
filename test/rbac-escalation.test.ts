import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const SA_USER =
  'user "system:serviceaccount:esc:role-maker" (groups=["system:serviceaccounts" "system:serviceaccounts:esc" "system:authenticated"])';
const NOT_HELD = 'is attempting to grant RBAC permissions not currently held:';

describe('RBAC privilege-escalation prevention over the wire', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let token: string;

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const asSA = (req: TestRequest) => send(server.url, server.caCert, { token, ...req });
  const created = async (req: TestRequest) => {
    const response = await asAdmin({ method: 'POST', ...req });
    expect(response.status, response.text).toBe(201);
  };
  const role = (name: string, rules: unknown[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name },
    rules,
  });
  const binding = (name: string, roleRef: { kind: string; name: string }, subject = 'role-maker') => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects: [{ kind: 'ServiceAccount', name: subject, namespace: 'esc' }],
  });

  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    await created({ path: '/api/v1/namespaces', body: { metadata: { name: 'esc' } } });
    await created({
      path: '/api/v1/namespaces/esc/serviceaccounts',
      body: { metadata: { name: 'role-maker' } },
    });
    // May write roles and bindings in "esc" and read pods there: nothing else, no escalate, no bind.
    await created({
      path: `${RBAC}/namespaces/esc/roles`,
      body: role('rbac-writer', [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles', 'rolebindings'],
          verbs: ['create', 'get', 'update', 'patch'],
        },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      ]),
    });
    await created({
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('rbac-writer', { kind: 'Role', name: 'rbac-writer' }),
    });
    await created({
      path: `${RBAC}/clusterroles`,
      body: {
        metadata: { name: 'clusterrole-writer' },
        rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['create'] }],
      },
    });
    await created({
      path: `${RBAC}/clusterrolebindings`,
      body: {
        ...binding('role-maker-clusterroles', { kind: 'ClusterRole', name: 'clusterrole-writer' }),
        kind: 'ClusterRoleBinding',
      },
    });
    token = server.issueToken('esc/role-maker');
  });
  afterAll(() => server?.close());

  const secretsReader = role('secrets-reader', [
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] },
  ]);

  it('refuses a Role granting more than the caller holds, with the real message', async () => {
    const response = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/roles`,
      body: secretsReader,
    });
    expect(response.status).toBe(403);
    expect(response.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `roles.rbac.authorization.k8s.io "secrets-reader" is forbidden: ${SA_USER} ${NOT_HELD}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`,
      reason: 'Forbidden',
      details: { name: 'secrets-reader', group: 'rbac.authorization.k8s.io', kind: 'roles' },
      code: 403,
    });
    // What is held is checked where the role goes: admin in "default" covers secrets there, not in "esc";
    // a ClusterRole is checked against cluster-wide rules only.
    await created({
      path: `${RBAC}/namespaces/default/rolebindings`,
      body: binding('role-maker-admin', { kind: 'ClusterRole', name: 'admin' }),
    });
    const inDefault = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/default/roles`,
      body: secretsReader,
    });
    expect(inDefault.status, inDefault.text).toBe(201);
    expect(
      (await asSA({ method: 'POST', path: `${RBAC}/namespaces/esc/roles`, body: secretsReader })).status,
    ).toBe(403);
    const clusterWide = await asSA({
      method: 'POST',
      path: `${RBAC}/clusterroles`,
      body: {
        metadata: { name: 'pod-getter' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      },
    });
    expect(clusterWide.status).toBe(403);
    expect(clusterWide.json().message).toBe(
      `clusterroles.rbac.authorization.k8s.io "pod-getter" is forbidden: ${SA_USER} ${NOT_HELD}\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`,
    );
    await asAdmin({ method: 'DELETE', path: `${RBAC}/namespaces/default/rolebindings/role-maker-admin` });
  });

  it('creates a Role within the caller rights, and refuses widening it by update or patch', async () => {
    const podReader = role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    const ok = await asSA({ method: 'POST', path: `${RBAC}/namespaces/esc/roles`, body: podReader });
    expect(ok.status, ok.text).toBe(201);

    const current = ok.json();
    const widened = {
      ...current,
      rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] }],
    };
    const put = await asSA({ method: 'PUT', path: `${RBAC}/namespaces/esc/roles/pod-reader`, body: widened });
    expect(put.status).toBe(403);
    expect(put.json().message).toBe(
      `roles.rbac.authorization.k8s.io "pod-reader" is forbidden: ${SA_USER} ${NOT_HELD}\n` +
        '{APIGroups:[""], Resources:["pods"], Verbs:["create"]}\n' +
        '{APIGroups:[""], Resources:["pods/exec"], Verbs:["get" "create"]}',
    );
    const patch = await asSA({
      method: 'PATCH',
      path: `${RBAC}/namespaces/esc/roles/pod-reader`,
      contentType: 'application/json-patch+json',
      body: [
        { op: 'add', path: '/rules/0/resourceNames', value: ['web'] },
        { op: 'add', path: '/rules/-', value: { nonResourceURLs: ['/metrics'], verbs: ['get'] } },
      ],
    });
    expect(patch.status).toBe(403);
    expect(patch.json().message).toBe(
      `roles.rbac.authorization.k8s.io "pod-reader" is forbidden: ${SA_USER} ${NOT_HELD}\n{NonResourceURLs:["/metrics"], Verbs:["get"]}`,
    );
    const narrowed = await asSA({
      method: 'PATCH',
      path: `${RBAC}/namespaces/esc/roles/pod-reader`,
      contentType: 'application/merge-patch+json',
      body: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['web'] }] },
    });
    expect(narrowed.status, narrowed.text).toBe(200);
  });

  it('allows it with escalate; escalate restricted by name covers updates, never creates', async () => {
    await created({
      path: `${RBAC}/namespaces/esc/roles`,
      body: role('escalate-open', [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles'],
          verbs: ['escalate'],
          resourceNames: ['open'],
        },
      ]),
    });
    await created({
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('escalate-open', { kind: 'Role', name: 'escalate-open' }),
    });
    const open = role('open', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]);
    const create = await asSA({ method: 'POST', path: `${RBAC}/namespaces/esc/roles`, body: open });
    expect(create.status).toBe(403);
    await created({ path: `${RBAC}/namespaces/esc/roles`, body: role('open', []) });
    const update = await asSA({ method: 'PUT', path: `${RBAC}/namespaces/esc/roles/open`, body: open });
    expect(update.status, update.text).toBe(200);

    await created({
      path: `${RBAC}/namespaces/esc/roles`,
      body: role('escalate-any', [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] },
      ]),
    });
    await created({
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('escalate-any', { kind: 'Role', name: 'escalate-any' }),
    });
    const now = await asSA({ method: 'POST', path: `${RBAC}/namespaces/esc/roles`, body: secretsReader });
    expect(now.status, now.text).toBe(201);
  });

  it('refuses binding a role beyond the caller rights without bind, allows it with bind', async () => {
    // secrets-reader exists now (created with escalate above); the caller still cannot read secrets.
    const readSecrets = binding('read-secrets', { kind: 'Role', name: 'secrets-reader' }, 'default');
    const refused = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: readSecrets,
    });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({
      message: `rolebindings.rbac.authorization.k8s.io "read-secrets" is forbidden: ${SA_USER} ${NOT_HELD}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`,
      reason: 'Forbidden',
      details: { name: 'read-secrets', group: 'rbac.authorization.k8s.io', kind: 'rolebindings' },
    });

    const withinRights = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('read-pods', { kind: 'Role', name: 'pod-reader' }, 'default'),
    });
    expect(withinRights.status, withinRights.text).toBe(201);

    const missing = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('dangling', { kind: 'Role', name: 'nope' }, 'default'),
    });
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      message: 'roles.rbac.authorization.k8s.io "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'rbac.authorization.k8s.io', kind: 'roles' },
    });

    await created({
      path: `${RBAC}/namespaces/esc/roles`,
      body: role('bind-secrets-reader', [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles'],
          verbs: ['bind'],
          resourceNames: ['secrets-reader', 'nope'],
        },
      ]),
    });
    await created({
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('bind-secrets-reader', { kind: 'Role', name: 'bind-secrets-reader' }),
    });
    const allowed = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: readSecrets,
    });
    expect(allowed.status, allowed.text).toBe(201);
    // bind by name also allows a binding whose role does not exist yet.
    const dangling = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('dangling', { kind: 'Role', name: 'nope' }, 'default'),
    });
    expect(dangling.status, dangling.text).toBe(201);
    // ...and nothing else: the ClusterRole edit is still out of reach.
    const edit = await asSA({
      method: 'POST',
      path: `${RBAC}/namespaces/esc/rolebindings`,
      body: binding('edit', { kind: 'ClusterRole', name: 'edit' }, 'default'),
    });
    expect(edit.status).toBe(403);
    expect(edit.json().message).toContain(`${NOT_HELD}\n`);
  });

  it('needs cluster-admin privileges for an aggregationRule, and lets system:masters do anything', async () => {
    const aggregated = {
      metadata: { name: 'agg-view' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate': 'true' } }] },
    };
    const sa = await asSA({ method: 'POST', path: `${RBAC}/clusterroles`, body: aggregated });
    expect(sa.status).toBe(403);
    expect(sa.json().message).toBe(
      'clusterroles.rbac.authorization.k8s.io "agg-view" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
    const root = await asAdmin({ method: 'POST', path: `${RBAC}/clusterroles`, body: aggregated });
    expect(root.status, root.text).toBe(201);
  });
});

// test/integration/auth/rbac_test.go TestRBAC case 1: who may create the RoleBinding "pi" of the ClusterRole
// write-jobs (`*` on batch/*), as users with client certificates.
describe('TestRBAC binding rows (test/integration/auth/rbac_test.go)', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  const clients = new Map<string, { cert: string; key: string }>();

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const clusterRole = (name: string, rule: object) => ({ metadata: { name }, rules: [rule] });
  const clusterBinding = (name: string, role: string, users: string[]) => ({
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: users.map((user) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user })),
  });
  const writeJobsRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'pi' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'write-jobs' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'admin' }],
  };

  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    const post = async (path: string, body: unknown) => {
      const response = await asAdmin({ method: 'POST', path, body });
      expect(response.status, response.text).toBe(201);
    };
    for (const ns of ['job-namespace', 'forbidden-namespace'])
      await post('/api/v1/namespaces', { metadata: { name: ns } });
    await post(
      `${RBAC}/clusterroles`,
      clusterRole('write-jobs', { verbs: ['*'], apiGroups: ['batch'], resources: ['*'] }),
    );
    await post(
      `${RBAC}/clusterroles`,
      clusterRole('create-rolebindings', {
        verbs: ['create'],
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['rolebindings'],
      }),
    );
    await post(
      `${RBAC}/clusterroles`,
      clusterRole('bind-any-clusterrole', {
        verbs: ['bind'],
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
      }),
    );
    await post(`${RBAC}/clusterrolebindings`, clusterBinding('write-jobs', 'write-jobs', ['job-writer']));
    await post(
      `${RBAC}/clusterrolebindings`,
      clusterBinding('create-rolebindings', 'create-rolebindings', [
        'job-writer',
        'nonescalating-rolebinding-writer',
        'any-rolebinding-writer',
      ]),
    );
    await post(
      `${RBAC}/clusterrolebindings`,
      clusterBinding('bind-any-clusterrole', 'bind-any-clusterrole', ['any-rolebinding-writer']),
    );
    const ns = `${RBAC}/namespaces/job-namespace/rolebindings`;
    await post(ns, clusterBinding('write-jobs', 'write-jobs', ['job-writer-namespace']));
    await post(
      ns,
      clusterBinding('create-rolebindings', 'create-rolebindings', [
        'job-writer-namespace',
        'any-rolebinding-writer-namespace',
      ]),
    );
    await post(
      ns,
      clusterBinding('bind-any-clusterrole', 'bind-any-clusterrole', ['any-rolebinding-writer-namespace']),
    );
    for (const user of [
      'user-with-no-permissions',
      'any-rolebinding-writer-namespace',
      'job-writer-namespace',
      'job-writer',
      'nonescalating-rolebinding-writer',
      'any-rolebinding-writer',
    ]) {
      clients.set(user, adminCredentials(await server.kubeconfigFor(user)));
    }
  });
  afterAll(() => server?.close());

  const rows: [string, string, 'POST' | 'DELETE', number][] = [
    // cannot bind role anywhere
    ['user-with-no-permissions', 'job-namespace', 'POST', 403],
    // can only bind role in namespace where they have explicit bind permission
    ['any-rolebinding-writer-namespace', 'forbidden-namespace', 'POST', 403],
    // can only bind role in namespace where they have covering permissions
    ['job-writer-namespace', 'forbidden-namespace', 'POST', 403],
    ['job-writer-namespace', 'job-namespace', 'POST', 201],
    ['admin', 'job-namespace', 'DELETE', 200],
    // can bind role in any namespace where they have covering permissions
    ['job-writer', 'forbidden-namespace', 'POST', 201],
    ['admin', 'forbidden-namespace', 'DELETE', 200],
    // cannot bind role because they don't have covering permissions
    ['nonescalating-rolebinding-writer', 'job-namespace', 'POST', 403],
    // can bind role because they have explicit bind permission
    ['any-rolebinding-writer', 'job-namespace', 'POST', 201],
    ['admin', 'job-namespace', 'DELETE', 200],
    ['any-rolebinding-writer-namespace', 'job-namespace', 'POST', 201],
    ['admin', 'job-namespace', 'DELETE', 200],
  ];

  it('answers every row with the status upstream expects', async () => {
    const got: number[] = [];
    for (const [user, namespace, method] of rows) {
      const client = user === 'admin' ? admin : clients.get(user)!;
      const path = `${RBAC}/namespaces/${namespace}/rolebindings${method === 'DELETE' ? '/pi' : ''}`;
      const response = await send(server.url, server.caCert, {
        client,
        method,
        path,
        ...(method === 'POST' ? { body: writeJobsRoleBinding } : {}),
      });
      got.push(response.status);
    }
    expect(got).toEqual(rows.map((row) => row[3]));
  });

  it('refuses the non-escalating writer with the escalation message, not the authorizer one', async () => {
    const response = await send(server.url, server.caCert, {
      client: clients.get('nonescalating-rolebinding-writer')!,
      method: 'POST',
      path: `${RBAC}/namespaces/job-namespace/rolebindings`,
      body: writeJobsRoleBinding,
    });
    expect(response.json().message).toBe(
      'rolebindings.rbac.authorization.k8s.io "pi" is forbidden: user "nonescalating-rolebinding-writer" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["batch"], Resources:["*"], Verbs:["*"]}',
    );
  });
});

const kubectl = kubectlBinary(33);
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
  'kubectl 1.33 create role (protobuf)',
  () => {
    let server: StartedFakeApiServer;
    let dir: string;
    let kubeconfig: string;

    beforeAll(async () => {
      server = await startFakeApiServer();
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-escalation-'));
      const admin = adminCredentials(server.kubeconfig);
      const post = async (path: string, body: unknown) => {
        const response = await send(server.url, server.caCert, { client: admin, method: 'POST', path, body });
        expect(response.status, response.text).toBe(201);
      };
      await post(`${RBAC}/namespaces/default/roles`, {
        metadata: { name: 'role-writer' },
        rules: [
          { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        ],
      });
      await post(`${RBAC}/namespaces/default/rolebindings`, {
        metadata: { name: 'alice-role-writer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'role-writer' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      });
      kubeconfig = join(dir, 'alice.kubeconfig');
      await writeFile(kubeconfig, await server.kubeconfigFor('alice'));
    });
    afterAll(() => server?.close());

    const kubectlAsAlice = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);

    it('prints the Forbidden line for a role beyond the caller rights', async () => {
      const result = await kubectlAsAlice(
        'create',
        'role',
        'secret-reader',
        '--verb=get,list',
        '--resource=secrets',
        '-n',
        'default',
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'Error from server (Forbidden): roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}\n',
      );
    });

    it('creates a role within them', async () => {
      const result = await kubectlAsAlice(
        'create',
        'role',
        'pod-reader',
        '--verb=get',
        '--resource=pods',
        '-n',
        'default',
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('role.rbac.authorization.k8s.io/pod-reader created\n');
    });
  },
);
