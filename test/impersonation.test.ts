import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';

// `impersonator` may act as any user and service account, but only as the group `pod-readers`; that group
// may read pods in `default`. No one is granted `uids` or `userextras`.
const RBAC_OBJECTS: { path: string; body: unknown }[] = [
  {
    path: '/api/v1/namespaces/default/serviceaccounts',
    body: { metadata: { name: 'impersonator' } },
  },
  {
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    body: {
      metadata: { name: 'impersonator' },
      rules: [
        { apiGroups: [''], resources: ['users', 'serviceaccounts'], verbs: ['impersonate'] },
        { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['pod-readers'] },
      ],
    },
  },
  {
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    body: {
      metadata: { name: 'impersonator' },
      subjects: [{ kind: 'ServiceAccount', name: 'impersonator', namespace: 'default' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'impersonator' },
    },
  },
  {
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    body: {
      metadata: { name: 'pod-readers-group' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'pod-readers' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader-role' },
    },
  },
];

async function startWithImpersonationRbac(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const kubeconfig = join(dir, 'kubeconfig');
  const server = await startFakeApiServer({ kubeconfig, saDir: join(dir, 'sa') });
  const client = adminCredentials(server.kubeconfig);
  for (const { path, body } of RBAC_OBJECTS) {
    const created = await send(server.url, server.caCert, { method: 'POST', path, client, body });
    expect(created.status, created.text).toBe(201);
  }
  return { dir, kubeconfig, server };
}

function forbidden(message: string, details: Record<string, string>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Forbidden',
    details,
    code: 403,
  };
}

// Repeated headers (one line per value) as Node's https.request sends them for an array.
type Headers = Record<string, string | string[]>;
const asHeaders = (headers: Headers) => headers as Record<string, string>;

describe('impersonation over HTTPS', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    ({ server } = await startWithImpersonationRbac('fake-apiserver-impersonation-'));
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const asAdmin = (path: string, headers: Headers, method = 'GET', body?: unknown) =>
    send(server.url, server.caCert, { method, path, client: admin, headers: asHeaders(headers), body });
  const withToken = (
    serviceAccount: string,
    path: string,
    headers: Headers,
    method = 'GET',
    body?: unknown,
  ) =>
    send(server.url, server.caCert, {
      method,
      path,
      token: server.issueToken(serviceAccount),
      headers: asHeaders(headers),
      body,
    });
  const whoami = async (response: Promise<{ status: number; json: () => any; text: string }>) => {
    const result = await response;
    expect(result.status, result.text).toBe(201);
    return result.json().status.userInfo;
  };

  it('lets system:masters act as a service account, which RBAC then judges', async () => {
    const as = { 'Impersonate-User': 'system:serviceaccount:default:pod-reader' };
    const allowed = await asAdmin('/api/v1/namespaces/default/pods', as);
    expect(allowed.status).toBe(200);
    expect(allowed.json().items.map((p: any) => p.metadata.name)).toContain('helloworld');
    const denied = await asAdmin('/api/v1/namespaces/kube-system/pods', as);
    expect(denied.json()).toEqual(
      forbidden(
        'pods is forbidden: User "system:serviceaccount:default:pod-reader" cannot list resource "pods" in API group "" in the namespace "kube-system"',
        { kind: 'pods' },
      ),
    );
  });

  it('builds the impersonated user as upstream: service-account groups, uid, percent-decoded extras', async () => {
    const review = (headers: Headers) =>
      whoami(asAdmin('/apis/authentication.k8s.io/v1/selfsubjectreviews', headers, 'POST', {}));
    expect(await review({ 'Impersonate-User': 'system:serviceaccount:default:pod-reader' })).toStrictEqual({
      username: 'system:serviceaccount:default:pod-reader',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    expect(
      await review({
        'Impersonate-User': 'alice',
        'Impersonate-Group': ['devs', 'qa'],
        'Impersonate-Uid': '1234',
        'Impersonate-Extra-Example.com%2Fteam': ['blue', 'green'],
        'Impersonate-Extra-Scopes': 'read',
      }),
    ).toStrictEqual({
      username: 'alice',
      uid: '1234',
      groups: ['devs', 'qa', 'system:authenticated'],
      extra: { 'example.com/team': ['blue', 'green'], scopes: ['read'] },
    });
    expect(
      await review({ 'Impersonate-User': 'system:serviceaccount:dev:builder', 'Impersonate-Group': 'devs' }),
    ).toStrictEqual({
      username: 'system:serviceaccount:dev:builder',
      groups: ['devs', 'system:authenticated'],
    });
    // Without system:authenticated (not added next to system:unauthenticated), not even a review is allowed.
    const unauthenticated = await asAdmin(
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { 'Impersonate-User': 'bob', 'Impersonate-Group': 'system:unauthenticated' },
      'POST',
      {},
    );
    expect(unauthenticated.json().message).toBe(
      'selfsubjectreviews.authentication.k8s.io is forbidden: User "bob" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope',
    );
    const anonymous = await asAdmin('/api/v1/namespaces/default/pods', {
      'Impersonate-User': 'system:anonymous',
    });
    expect(anonymous.json().message).toBe(
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });

  it('answers 403 with the real message when the requester may not impersonate the user', async () => {
    const response = await withToken('default/default', '/api/v1/namespaces/default/pods', {
      'Impersonate-User': 'bob',
    });
    expect(response.status).toBe(403);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.json()).toEqual(
      forbidden(
        'users "bob" is forbidden: User "system:serviceaccount:default:default" cannot impersonate resource "users" in API group "" at the cluster scope',
        { name: 'bob', kind: 'users' },
      ),
    );
    const serviceAccount = await withToken('default/pod-reader', '/api', {
      'Impersonate-User': 'system:serviceaccount:kube-system:default',
    });
    expect(serviceAccount.json()).toEqual(
      forbidden(
        'serviceaccounts "default" is forbidden: User "system:serviceaccount:default:pod-reader" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"',
        { name: 'default', kind: 'serviceaccounts' },
      ),
    );
    const anonymous = await send(server.url, server.caCert, {
      path: '/api',
      headers: { 'Impersonate-User': 'bob' },
    });
    expect(anonymous.json().message).toBe(
      'users "bob" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('checks every group, extra and uid with the requester’s identity', async () => {
    const asAlice = (headers: Headers) =>
      withToken('default/impersonator', '/api/v1/namespaces/default/pods', {
        'Impersonate-User': 'alice',
        ...headers,
      });
    expect((await asAlice({})).json().message).toBe(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect((await asAlice({ 'Impersonate-Group': 'pod-readers' })).status).toBe(200);
    expect((await asAlice({ 'Impersonate-Group': ['pod-readers', 'system:masters'] })).json()).toEqual(
      forbidden(
        'groups "system:masters" is forbidden: User "system:serviceaccount:default:impersonator" cannot impersonate resource "groups" in API group "" at the cluster scope',
        { name: 'system:masters', kind: 'groups' },
      ),
    );
    expect((await asAlice({ 'Impersonate-Uid': '1234' })).json()).toEqual(
      forbidden(
        'uids.authentication.k8s.io "1234" is forbidden: User "system:serviceaccount:default:impersonator" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope',
        { name: '1234', group: 'authentication.k8s.io', kind: 'uids' },
      ),
    );
    expect((await asAlice({ 'Impersonate-Extra-Example.com%2fteam': 'blue' })).json()).toEqual(
      forbidden(
        'userextras.authentication.k8s.io "blue" is forbidden: User "system:serviceaccount:default:impersonator" cannot impersonate resource "userextras/example.com/team" in API group "authentication.k8s.io" at the cluster scope',
        { name: 'blue', group: 'authentication.k8s.io', kind: 'userextras' },
      ),
    );
  });

  it('answers groups, extras or a uid without a user with upstream’s plain-text 500, even for system:masters', async () => {
    const response = await asAdmin('/api/v1/pods?labelSelector=a&limit=1', {
      'Impersonate-Group': 'devs',
      'Impersonate-Uid': '1234',
    });
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toBe(
      'Internal Server Error: "/api/v1/pods?labelSelector=a&amp;limit=1": requested [{Group  devs    } {UID  1234  authentication.k8s.io/v1  }] without impersonating a user\n',
    );
  });

  it('authenticates before impersonating: a bad token is 401 whatever it asks to be', async () => {
    const response = await send(server.url, server.caCert, {
      path: '/api',
      token: 'not-a-token',
      headers: { 'Impersonate-Group': 'devs' },
    });
    expect(response.status).toBe(401);
  });
});

for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} --as`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      let kubeconfig: string;
      let cache = 0;

      beforeAll(async () => {
        ({ server, dir, kubeconfig } = await startWithImpersonationRbac(`fake-apiserver-as-${minor}-`));
      });
      afterAll(() => server?.close());

      const kubectlAsAdmin = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${cache++}`), ...args]);
      const kubectlAs = (serviceAccount: string, ...args: string[]) =>
        run(kubectl, [
          '--kubeconfig',
          '/dev/null',
          '--cache-dir',
          join(dir, `cache-${cache++}`),
          '--server',
          server.url,
          '--certificate-authority',
          join(dir, 'sa', 'ca.crt'),
          '--token',
          server.issueToken(serviceAccount),
          ...args,
        ]);

      it('gets pods as the impersonated service account, and is refused where it may not', async () => {
        const as = '--as=system:serviceaccount:default:pod-reader';
        const allowed = await kubectlAsAdmin(as, 'get', 'pods', '-n', 'default');
        expect(allowed.stderr).toBe('');
        expect(allowed.stdout).toMatch(/^helloworld\s+1\/1\s+Running/m);
        const denied = await kubectlAsAdmin(as, 'get', 'pods', '-n', 'kube-system');
        expect(denied.code).toBe(1);
        expect(denied.stderr).toBe(
          'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:pod-reader" cannot list resource "pods" in API group "" in the namespace "kube-system"\n',
        );
      });

      it('answers auth can-i for the impersonated service account', async () => {
        const no = await kubectlAsAdmin(
          'auth',
          'can-i',
          'list',
          'pods',
          '--as=system:serviceaccount:default:default',
          '-n',
          'default',
        );
        expect(no).toMatchObject({ code: 1, stdout: 'no\n' });
        const yes = await kubectlAsAdmin(
          'auth',
          'can-i',
          'list',
          'pods',
          '--as=system:serviceaccount:default:pod-reader',
          '-n',
          'default',
        );
        expect(yes).toMatchObject({ code: 0, stdout: 'yes\n' });
      });

      it('refuses a service account without impersonate rights with the real message', async () => {
        const raw = await kubectlAs(
          'default/default',
          '--as=bob',
          'get',
          '--raw',
          '/api/v1/namespaces/default/pods',
        );
        expect(raw.code).toBe(1);
        expect(raw.stderr).toBe(
          'Error from server (Forbidden): users "bob" is forbidden: User "system:serviceaccount:default:default" cannot impersonate resource "users" in API group "" at the cluster scope\n',
        );
        // Discovery is refused the same way; kubectl then reports it as a real cluster makes it do.
        const get = await kubectlAs('default/default', '--as=bob', 'get', 'pods');
        expect(get.code).toBe(1);
        expect(get.stderr).toMatch(/Error from server \(Forbidden\): unknown\n$/);
      });

      it('impersonates a group with --as-group when allowed, and only then', async () => {
        const allowed = await kubectlAs(
          'default/impersonator',
          '--as=alice',
          '--as-group=pod-readers',
          'get',
          'pods',
          '-n',
          'default',
        );
        expect(allowed.stderr).toBe('');
        expect(allowed.stdout).toMatch(/^helloworld\s+1\/1\s+Running/m);
        const asAdmin = await kubectlAsAdmin(
          '--as=alice',
          '--as-group=pod-readers',
          'get',
          'pods',
          '-n',
          'default',
        );
        expect(asAdmin.stdout).toMatch(/^helloworld\s+/m);
        const denied = await kubectlAs(
          'default/impersonator',
          '--as=alice',
          '--as-group=system:masters',
          'get',
          '--raw',
          '/api/v1/namespaces/default/pods',
        );
        expect(denied.stderr).toBe(
          'Error from server (Forbidden): groups "system:masters" is forbidden: User "system:serviceaccount:default:impersonator" cannot impersonate resource "groups" in API group "" at the cluster scope\n',
        );
      });

      // kubectl 1.27's whoami asks for authentication.k8s.io/v1beta1, which this server does not serve.
      if (minor >= 33)
        it('shows the impersonated user in auth whoami', async () => {
          const sa = await kubectlAsAdmin('auth', 'whoami', '--as=system:serviceaccount:default:pod-reader');
          expect(sa.stderr).toBe('');
          expect(sa.stdout).toMatch(/^Username\s+system:serviceaccount:default:pod-reader$/m);
          expect(sa.stdout).toMatch(
            /^Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]$/m,
          );
          const alice = await kubectlAs(
            'default/impersonator',
            'auth',
            'whoami',
            '--as=alice',
            '--as-group=pod-readers',
          );
          expect(alice.stdout).toMatch(/^Username\s+alice$/m);
          expect(alice.stdout).toMatch(/^Groups\s+\[pod-readers system:authenticated\]$/m);

          // client-go percent-encodes extra keys; kubectl has no flag for extras, the kubeconfig does.
          const config = parse(server.kubeconfig);
          Object.assign(config.users[0].user, {
            as: 'alice',
            'as-uid': '1234',
            'as-groups': ['devs'],
            'as-user-extra': { 'example.com/team': ['blue', 'green'] },
          });
          const withExtra = join(dir, 'kubeconfig-extra');
          await writeFile(withExtra, stringify(config));
          const extra = await run(kubectl, [
            '--kubeconfig',
            withExtra,
            '--cache-dir',
            join(dir, `cache-${cache++}`),
            'auth',
            'whoami',
            '-o',
            'json',
          ]);
          expect(JSON.parse(extra.stdout).status.userInfo).toStrictEqual({
            username: 'alice',
            uid: '1234',
            groups: ['devs', 'system:authenticated'],
            extra: { 'example.com/team': ['blue', 'green'] },
          });
        });
    },
  );
}
