import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

// The manifests of "How to Access Kubernetes API from Inside a Pod" (Common RBAC Configurations), bound to
// service accounts, plus a single named ConfigMap and a RoleBinding of the aggregated `view` role.
const MANIFESTS = `apiVersion: v1
kind: ServiceAccount
metadata: { name: ns-reader, namespace: default }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: operator, namespace: default }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: one-config, namespace: default }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: viewer, namespace: default }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: namespace-reader
  namespace: default
rules:
- apiGroups: ["", "apps", "batch"]
  resources: ["*"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: ns-reader, namespace: default }
subjects: [{ kind: ServiceAccount, name: ns-reader, namespace: default }]
roleRef: { kind: Role, name: namespace-reader, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-pod-reader
rules:
- apiGroups: [""]
  resources: ["pods", "namespaces"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-pod-reader-binding
subjects:
- kind: ServiceAccount
  name: pod-reader
  namespace: default
roleRef:
  kind: ClusterRole
  name: cluster-pod-reader
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployment-manager
  namespace: default
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: operator, namespace: default }
subjects: [{ kind: ServiceAccount, name: operator, namespace: default }]
roleRef: { kind: Role, name: deployment-manager, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: settings-reader, namespace: default }
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["settings"]
  verbs: ["get", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: one-config, namespace: default }
subjects: [{ kind: ServiceAccount, name: one-config, namespace: default }]
roleRef: { kind: Role, name: settings-reader, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: viewer, namespace: default }
subjects: [{ kind: ServiceAccount, name: viewer, namespace: default }]
roleRef: { kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io }
`;

describe('RBAC as a cluster evaluates it', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-rbac-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig });
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const clusterRole = async (name: string) =>
    (await asAdmin({ path: `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}` })).json();
  const hasRule = (role: any, resource: string, verb: string) =>
    (role.rules ?? []).some((r: any) => r.resources?.includes(resource) && r.verbs?.includes(verb));

  it('aggregates view into edit into admin, and follows labelled roles as they change', async () => {
    const view = await clusterRole('view');
    expect(hasRule(view, 'pods', 'list')).toBe(true);
    expect(hasRule(view, 'secrets', 'get')).toBe(false);
    const edit = await clusterRole('edit');
    expect(hasRule(edit, 'pods', 'list')).toBe(true);
    expect(hasRule(edit, 'secrets', 'get')).toBe(true);
    expect(hasRule(await clusterRole('admin'), 'roles', 'create')).toBe(true);

    const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
    await asAdmin({
      method: 'POST',
      path,
      body: {
        metadata: { name: 'widgets-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
        rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }],
      },
    });
    expect(hasRule(await clusterRole('view'), 'widgets', 'get')).toBe(true);
    expect(hasRule(await clusterRole('admin'), 'widgets', 'get')).toBe(true);
    await asAdmin({ method: 'DELETE', path: `${path}/widgets-view` });
    expect(hasRule(await clusterRole('view'), 'widgets', 'get')).toBe(false);
    expect(hasRule(await clusterRole('admin'), 'widgets', 'get')).toBe(false);
  });

  it('answers SubjectAccessReview and LocalSubjectAccessReview for other users', async () => {
    const sar = await asAdmin({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        spec: {
          user: 'system:serviceaccount:default:pod-reader',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
          resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' },
        },
      },
    });
    expect(sar.status).toBe(201);
    expect(sar.json().status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "pod-reader-binding/default" of Role "pod-reader-role" to ServiceAccount "pod-reader/default"',
    });
    const noSubject = await asAdmin({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } },
    });
    expect(noSubject.status).toBe(422);
    expect(noSubject.json().message).toBe(
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
    const local = await asAdmin({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews',
      body: {
        spec: {
          user: 'jane',
          resourceAttributes: { namespace: 'kube-system', verb: 'get', resource: 'pods' },
        },
      },
    });
    expect(local.status).toBe(400);
    expect(local.json().message).toBe('spec.resourceAttributes.namespace must match namespace: default');
    const localOk = await asAdmin({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews',
      body: {
        spec: { user: 'jane', resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      },
    });
    expect(localOk.json().status).toEqual({ allowed: false });
  });

  const kubectl = kubectlBinary(33);
  describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
    'kubectl auth can-i on the docs manifests',
    () => {
      const canI = (as: string, ...args: string[]) =>
        run(kubectl, [
          ...['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')],
          ...['auth', 'can-i', `--as=system:serviceaccount:default:${as}`, ...args],
        ]);

      beforeAll(async () => {
        await writeFile(join(dir, 'rbac.yaml'), MANIFESTS);
        const applied = await run(kubectl, [
          '--kubeconfig',
          kubeconfig,
          '--cache-dir',
          join(dir, 'cache'),
          'apply',
          '-f',
          join(dir, 'rbac.yaml'),
        ]);
        expect(applied.stderr).toBe('');
      });

      const cases: [string, string[], 'yes' | 'no'][] = [
        ['pod-reader', ['list', 'pods', '-n', 'default'], 'yes'],
        ['pod-reader', ['get', 'pods/log', '-n', 'default'], 'yes'],
        ['pod-reader', ['delete', 'pods', '-n', 'default'], 'no'],
        ['pod-reader', ['list', 'pods', '-n', 'kube-system'], 'yes'],
        ['pod-reader', ['list', 'pods', '--all-namespaces'], 'yes'],
        ['pod-reader', ['list', 'namespaces'], 'yes'],
        ['ns-reader', ['list', 'secrets', '-n', 'default'], 'yes'],
        ['ns-reader', ['list', 'pods', '-n', 'kube-system'], 'no'],
        ['ns-reader', ['create', 'configmaps', '-n', 'default'], 'no'],
        ['operator', ['delete', 'pods', '-n', 'default'], 'yes'],
        ['operator', ['create', 'pods', '-n', 'default'], 'no'],
        ['one-config', ['get', 'configmaps/settings', '-n', 'default'], 'yes'],
        ['one-config', ['get', 'configmaps/other', '-n', 'default'], 'no'],
        ['one-config', ['list', 'configmaps', '-n', 'default'], 'no'],
        ['viewer', ['list', 'pods', '-n', 'default'], 'yes'],
        ['viewer', ['get', 'secrets', '-n', 'default'], 'no'],
        ['viewer', ['list', 'pods', '-n', 'kube-system'], 'no'],
        ['default', ['list', 'pods', '-n', 'default'], 'no'],
      ];
      for (const [as, args, answer] of cases) {
        it(`${as}: can-i ${args.join(' ')} → ${answer}`, async () => {
          const result = await canI(as, ...args);
          expect(result.stdout).toBe(`${answer}\n`);
          expect(result.code).toBe(answer === 'yes' ? 0 : 1);
        });
      }

      // kubectl resolves `deployments.apps` through discovery; this server does not serve apps/v1 yet, so ask
      // the authorizer directly, with the group set as kubectl sends it against a cluster that serves it.
      const review = async (as: string, verb: string, group: string, resource: string) =>
        (
          await asAdmin({
            method: 'POST',
            path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
            body: {
              spec: {
                user: `system:serviceaccount:default:${as}`,
                groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
                resourceAttributes: { namespace: 'default', verb, group, resource },
              },
            },
          })
        ).json().status.allowed;
      it('answers for the apps and batch groups of the manifests', async () => {
        expect(await review('ns-reader', 'list', 'apps', 'deployments')).toBe(true);
        expect(await review('ns-reader', 'watch', 'batch', 'jobs')).toBe(true);
        expect(await review('ns-reader', 'create', 'apps', 'deployments')).toBe(false);
        expect(await review('operator', 'create', 'apps', 'deployments')).toBe(true);
        expect(await review('operator', 'create', 'batch', 'jobs')).toBe(false);
      });

      it('lists the rules of a service account as kubectl prints them', async () => {
        const result = await canI('one-config', '--list', '-n', 'default');
        const lines = result.stdout.trim().split('\n');
        expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
        expect(result.stdout).toMatch(/^configmaps\s+\[\]\s+\[settings\]\s+\[get update\]$/m);
        expect(result.stdout).toMatch(
          /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m,
        );
        expect(result.stdout).toMatch(/^\s+\[\/version\]\s+\[\]\s+\[get\]$/m);
      });
    },
  );
});

describe('without the bootstrap policy', () => {
  it('allows nothing but what fixtures grant', async () => {
    await using server = await startFakeApiServer({ rbacBootstrap: false });
    const token = server.issueToken('default/pod-reader');
    expect((await send(server.url, server.caCert, { path: '/api', token })).status).toBe(403);
    expect((await send(server.url, server.caCert, { path: '/version' })).status).toBe(403);
    const pods = await send(server.url, server.caCert, { path: '/api/v1/namespaces/default/pods', token });
    expect(pods.status).toBe(200);
  });
});
