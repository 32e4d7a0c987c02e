import { describe, expect, it } from 'vitest';
import { serviceAccountUser, type UserInfo } from '../auth/user-info.js';
import { rbacKinds } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { ObjectStore } from '../store/object-store.js';
import { authorize, type BindingObject, type RoleObject } from './authorizer.js';
import { AuthorizationRecorder } from './decision-log.js';
import type { AuthorizationDecisionRecord, AuthorizationRequestAttributes } from './decision-types.js';
import { analyzeDenial, denialLine, explainDecision, type ExplainSource } from './explain.js';
import type { AuthorizationAttributes } from './types.js';

const APP = serviceAccountUser('default', 'app');
const SA_GROUPS = [...APP.groups, 'system:authenticated'];
const app: UserInfo = { ...APP, groups: SA_GROUPS };

function role(kind: 'Role' | 'ClusterRole', name: string, rules: unknown[], namespace?: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    rules,
  };
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleRef: { kind: string; name: string },
  subjects: unknown[],
  namespace?: string,
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}

const appSubject = { kind: 'ServiceAccount', name: 'app', namespace: 'default' };

function sourceOf(objects: KubeObject[]): ExplainSource {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    clusterRoleBindings: () => of('ClusterRoleBinding') as unknown as BindingObject[],
    roleBindings: (ns) =>
      of('RoleBinding').filter((o) => o.metadata?.namespace === ns) as unknown as BindingObject[],
    allRoleBindings: () => of('RoleBinding') as unknown as BindingObject[],
    clusterRole: (name) => of('ClusterRole').find((o) => o.metadata?.name === name) as RoleObject | undefined,
    role: (ns, name) =>
      of('Role').find((o) => o.metadata?.name === name && o.metadata?.namespace === ns) as
        RoleObject | undefined,
  };
}

function request(partial: Partial<AuthorizationRequestAttributes>): AuthorizationRequestAttributes {
  return {
    verb: 'get',
    resourceRequest: true,
    namespace: 'default',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    subresource: '',
    name: '',
    path: '/api/v1/namespaces/default/pods',
    ...partial,
  };
}

const podReader = role(
  'Role',
  'pod-reader',
  [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] },
  ],
  'default',
);
const podReaderBinding = binding(
  'RoleBinding',
  'app-reads',
  { kind: 'Role', name: 'pod-reader' },
  [appSubject],
  'default',
);

function misses(objects: KubeObject[], attributes: AuthorizationRequestAttributes, user = app) {
  return analyzeDenial(sourceOf(objects), user, attributes).closest.map((m) =>
    m.mismatches.map((x) => x.message),
  );
}

describe('analyzeDenial: the closest rules and what each lacked', () => {
  const objects = [podReader, podReaderBinding];

  it('names a missing verb', () => {
    expect(misses(objects, request({ verb: 'list' }))).toEqual([['verb "list" is not in [get, watch]']]);
  });

  it('names a wrong API group, and keeps rules about other resources out', () => {
    const denial = analyzeDenial(
      sourceOf(objects),
      app,
      request({ apiGroup: 'apps', resource: 'deployments', verb: 'update', name: 'web' }),
    );
    expect(denial.closest.map((m) => m.mismatches.map((x) => x.field))).toEqual([['resource']]);
    expect(denial.closest[0]!.mismatches[0]!.message).toBe(
      'it grants subresources of deployments ([deployments/scale]) but not deployments itself',
    );
    expect(misses(objects, request({ apiGroup: 'extensions', name: 'web' }))).toEqual([
      ['API group "extensions" is not in apiGroups [""]'],
    ]);
  });

  it('names a subresource the rule does not list', () => {
    expect(misses(objects, request({ subresource: 'log', name: 'web' }))).toEqual([
      ['it grants pods but not the subresource pods/log, which needs its own entry'],
    ]);
  });

  it('names a resourceName mismatch, and a list that can never match resourceNames', () => {
    expect(misses(objects, request({ resource: 'configmaps', name: 'other' }))).toEqual([
      ['name "other" is not in resourceNames [settings]'],
    ]);
    expect(misses(objects, request({ resource: 'configmaps', verb: 'list' }))).toEqual([
      [
        'it is limited to resourceNames [settings]; a list matches those only with fieldSelector=metadata.name=<name>',
      ],
    ]);
    expect(misses(objects, request({ resource: 'configmaps', verb: 'create' }))[0]).toEqual([
      'verb "create" is not in [get, list]',
      'it is limited to resourceNames [settings]; a create names no object, so it never matches',
    ]);
  });

  it('names a RoleBinding in another namespace, and one asked for a cluster-scoped request', () => {
    expect(misses(objects, request({ namespace: 'prod' }))).toEqual([
      ['it is bound in namespace "default", not "prod"'],
    ]);
    expect(misses(objects, request({ namespace: '', verb: 'watch' }))).toEqual([
      [
        'it is a RoleBinding (in "default"): a cluster-scoped or all-namespaces request needs a ClusterRoleBinding',
      ],
    ]);
  });

  it('names a missing role first', () => {
    const dangling = binding(
      'RoleBinding',
      'dangling',
      { kind: 'ClusterRole', name: 'pod-admin' },
      [appSubject],
      'default',
    );
    const denial = analyzeDenial(
      sourceOf([...objects, dangling]),
      app,
      request({ verb: 'delete', name: 'web' }),
    );
    expect(denial.closest[0]).toEqual({
      binding: { kind: 'RoleBinding', name: 'dangling', namespace: 'default' },
      role: { kind: 'ClusterRole', name: 'pod-admin' },
      mismatches: [{ field: 'role', message: 'clusterrole.rbac.authorization.k8s.io "pod-admin" not found' }],
    });
    expect(denial.closest[1]!.rule).toEqual({
      apiGroups: [''],
      resources: ['pods'],
      verbs: ['get', 'watch'],
    });
  });

  it('explains non-resource paths: a wrong path, and a RoleBinding that cannot grant them', () => {
    const metrics = role('ClusterRole', 'metrics', [{ nonResourceURLs: ['/metrics/*'], verbs: ['get'] }]);
    const bound = binding('ClusterRoleBinding', 'metrics', { kind: 'ClusterRole', name: 'metrics' }, [
      appSubject,
    ]);
    const inNamespace = binding(
      'RoleBinding',
      'metrics',
      { kind: 'ClusterRole', name: 'metrics' },
      [appSubject],
      'default',
    );
    const path = request({
      resourceRequest: false,
      namespace: '',
      resource: '',
      apiVersion: '',
      path: '/metrics',
    });
    expect(misses([metrics, bound], path)).toEqual([
      ['path "/metrics" is not in nonResourceURLs [/metrics/*]'],
    ]);
    expect(misses([metrics, inNamespace], { ...path, path: '/metrics/x', verb: 'post' })).toEqual([
      [
        'it is a RoleBinding (in "default"): only a ClusterRoleBinding grants non-resource URLs',
        'verb "post" is not in [get]',
      ],
    ]);
  });

  it('finds bindings whose subject nearly names the service account', () => {
    const reader = role('ClusterRole', 'reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    const otherNamespace = binding(
      'RoleBinding',
      'elsewhere',
      { kind: 'ClusterRole', name: 'reader' },
      [{ kind: 'ServiceAccount', name: 'app', namespace: 'prod' }],
      'default',
    );
    const noNamespace = binding('ClusterRoleBinding', 'no-ns', { kind: 'ClusterRole', name: 'reader' }, [
      { kind: 'ServiceAccount', name: 'app' },
    ]);
    const asUser = binding('ClusterRoleBinding', 'as-user', { kind: 'ClusterRole', name: 'reader' }, [
      { kind: 'User', name: 'app' },
    ]);
    expect(misses([reader, noNamespace, asUser, otherNamespace], request({ verb: 'list' }))).toEqual([
      ['its subject ServiceAccount "app" has no namespace, which never matches in a ClusterRoleBinding'],
      ['its subject is User "app"; the service account is ServiceAccount "app" (namespace "default")'],
      ['its subject is ServiceAccount "app" in namespace "prod", not "default"'],
    ]);
  });

  it('says what would allow it: resourceNames for a named get, none for create', () => {
    const source = sourceOf(objects);
    expect(analyzeDenial(source, app, request({ verb: 'delete', name: 'web' })).needs).toEqual({
      kind: 'Role',
      namespace: 'default',
      rule: { verbs: ['delete'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] },
    });
    expect(
      analyzeDenial(source, app, request({ verb: 'create', resource: 'configmaps' })).needs.rule,
    ).toEqual({
      verbs: ['create'],
      apiGroups: [''],
      resources: ['configmaps'],
    });
    expect(
      analyzeDenial(source, app, request({ verb: 'list', resource: 'nodes', namespace: '' })).needs,
    ).toEqual({
      kind: 'ClusterRole',
      rule: { verbs: ['list'], apiGroups: [''], resources: ['nodes'] },
    });
  });
});

describe('AuthorizationRecorder', () => {
  const clock = { now: () => new Date('2026-01-02T03:04:05Z') };
  const kinds = new Map(rbacKinds.map((k) => [k.kind, k]));

  function recorderWith(objects: KubeObject[], limit?: number) {
    const store = new ObjectStore({ clock });
    for (const o of objects) store.create(kinds.get(o.kind!)!, structuredClone(o));
    const lines: string[] = [];
    const recorder = new AuthorizationRecorder({ store, clock, log: (m) => lines.push(m), limit });
    const source = {
      clusterRoleBindings: () =>
        store.list({ kind: kinds.get('ClusterRoleBinding')! }).items as unknown as BindingObject[],
      roleBindings: (namespace: string) =>
        store.list({ kind: kinds.get('RoleBinding')!, namespace }).items as unknown as BindingObject[],
      clusterRole: (name: string) => store.get(kinds.get('ClusterRole')!, '', name) as RoleObject | undefined,
      role: (ns: string, name: string) => store.get(kinds.get('Role')!, ns, name) as RoleObject | undefined,
    };
    const decide = (user: UserInfo, a: AuthorizationRequestAttributes, method = 'GET') => {
      const attributes: AuthorizationAttributes = { ...a, isResourceRequest: a.resourceRequest, user };
      recorder.record('request', method, attributes, authorize(source, attributes));
    };
    return { recorder, lines, decide };
  }

  it('records an allow with the binding and rule, and explains it', () => {
    const { recorder, lines, decide } = recorderWith([podReader, podReaderBinding]);
    decide(app, request({ verb: 'get', name: 'web', path: '/api/v1/namespaces/default/pods/web' }));
    expect(lines).toEqual([]);
    const [decision] = recorder.decisions();
    expect(decision).toMatchObject({
      seq: 1,
      time: new Date('2026-01-02T03:04:05Z'),
      user: 'system:serviceaccount:default:app',
      check: 'request',
      method: 'GET',
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "app-reads/default" of Role "pod-reader" to ServiceAccount "app/default"',
      allowedBy: {
        kind: 'rbac',
        binding: { kind: 'RoleBinding', name: 'app-reads', namespace: 'default' },
        role: { kind: 'Role', name: 'pod-reader', namespace: 'default' },
        subject: appSubject,
        rule: { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch'] },
      },
    });
    expect(explainDecision(decision!)).toBe(
      [
        'ALLOWED: system:serviceaccount:default:app get pods "web" in namespace "default" (GET /api/v1/namespaces/default/pods/web)',
        '  by RoleBinding "app-reads/default" → Role "pod-reader", rule {apiGroups: [""], resources: [pods], verbs: [get, watch]}',
        '  (RBAC: allowed by RoleBinding "app-reads/default" of Role "pod-reader" to ServiceAccount "app/default")',
      ].join('\n'),
    );
  });

  it('says when system:masters allowed it', () => {
    const { recorder, decide } = recorderWith([]);
    decide(
      { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      request({ verb: 'list' }),
    );
    const [decision] = recorder.decisions();
    expect(decision!.allowedBy).toEqual({ kind: 'privilegedGroup', group: 'system:masters' });
    expect(explainDecision(decision!)).toContain('as a member of system:masters');
  });

  it('logs a denial in one line and explains it in a few', () => {
    const { recorder, lines, decide } = recorderWith([podReader, podReaderBinding]);
    decide(app, request({ verb: 'list' }));
    decide(app, request({ verb: 'list', resource: 'secrets', path: '/api/v1/namespaces/default/secrets' }));
    expect(lines).toEqual([
      'forbidden: system:serviceaccount:default:app cannot list pods in namespace "default" (GET /api/v1/namespaces/default/pods): closest: RoleBinding "app-reads/default" → Role "pod-reader": verb "list" is not in [get, watch]; needs a Role in "default" with {apiGroups: [""], resources: [pods], verbs: [list]}',
      'forbidden: system:serviceaccount:default:app cannot list secrets in namespace "default" (GET /api/v1/namespaces/default/secrets): no role bound to it grants secrets; needs a Role in "default" with {apiGroups: [""], resources: [secrets], verbs: [list]}',
    ]);
    const [pods, secrets] = recorder.decisions({ allowed: false });
    expect(denialLine(pods!)).toBe(lines[0]);
    expect(explainDecision(pods!)).toBe(
      [
        'DENIED: system:serviceaccount:default:app cannot list pods in namespace "default" (GET /api/v1/namespaces/default/pods)',
        '  closest rules that did not match:',
        '  - RoleBinding "app-reads/default" → Role "pod-reader", rule {apiGroups: [""], resources: [pods], verbs: [get, watch]}',
        '      verb "list" is not in [get, watch]',
        '  bound to it: RoleBinding "app-reads/default" → Role "pod-reader"',
        '  needs: a Role in "default" with {apiGroups: [""], resources: [pods], verbs: [list]}',
      ].join('\n'),
    );
    expect(explainDecision(secrets!)).toContain('  no role bound to it grants secrets\n');
  });

  it('filters, keeps the last decisions only, and counts every distinct request for the report', () => {
    const { recorder, decide } = recorderWith([podReader, podReaderBinding], 4);
    const other = serviceAccountUser('default', 'other');
    for (let i = 0; i < 6; i++) decide(app, request({ verb: 'watch' }));
    decide(other, request({ verb: 'list' }));
    decide(app, request({ verb: 'list' }));
    const kept = recorder.decisions();
    expect(kept.map((d) => d.seq)).toEqual([5, 6, 7, 8]);
    expect(recorder.decisions({ user: other.username }).map((d) => d.seq)).toEqual([7]);
    expect(recorder.decisions({ allowed: false, user: app.username }).map((d) => d.seq)).toEqual([8]);
    expect(recorder.decisions({ after: 7 }).map((d) => d.seq)).toEqual([8]);
    expect(recorder.decisions({ check: 'impersonation' })).toEqual([]);
    expect(recorder.requestsOf(app.username).map((r) => [r.attributes.verb, r.count, r.denied])).toEqual([
      ['watch', 6, 0],
      ['list', 1, 1],
    ]);
    expect(recorder.users()).toEqual([app.username, other.username]);
  });

  it('hands out the same frozen record for one decision', () => {
    const { recorder, decide } = recorderWith([]);
    decide(app, request({}));
    const first = recorder.decisions()[0] as AuthorizationDecisionRecord;
    expect(recorder.decisions()[0]).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
