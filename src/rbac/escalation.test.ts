import { describe, expect, it } from 'vitest';
import { staticRbacSource, type StaticPolicy } from './static-source.js';
import type { UserInfo } from '../auth/user-info.js';
import { ApiError } from '../errors/status.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { RbacSource } from './authorizer.js';
import {
  checkRbacWrite,
  confirmNoEscalation,
  isOnlyMutatingGCFields,
  type Authorizer,
  type RbacWrite,
} from './escalation.js';
import type { PolicyRule } from './types.js';

type Policy = StaticPolicy;
const staticSource = staticRbacSource;

const RBAC = 'rbac.authorization.k8s.io';

function thrown(fn: () => void): ApiError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  return undefined;
}

// TestEscalation of pkg/registry/rbac/{role,clusterrole}/policybased/storage_test.go:
// a superuser skips the check without asking the authorizer; steve is allowed `escalate` by the
// authorizer; alice holds `*` on everything through a ClusterRoleBinding; bob has nothing.
describe.each([
  ['roles', 'myns'],
  ['clusterroles', ''],
])('TestEscalation (%s policybased storage_test.go)', (resource, namespace) => {
  const source = staticSource({
    clusterRoles: [
      { metadata: { name: 'alice-role' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    ],
    clusterRoleBindings: [
      {
        roleRef: { name: 'alice-role', apiGroup: RBAC, kind: 'ClusterRole' },
        subjects: [{ name: 'alice', kind: 'User', apiGroup: RBAC }],
      },
    ],
  });
  const role: KubeObject = {
    metadata: { name: 'myrole', namespace },
    rules: [{ apiGroups: [''], verbs: ['get'], resources: ['pods'] }],
  };
  const users: [string, UserInfo, boolean, boolean][] = [
    ['superuser', { username: 'superuser', groups: ['system:masters'] }, true, false],
    ['bob', { username: 'bob', groups: [] }, false, true],
    ['steve', { username: 'steve', groups: [] }, true, true],
    ['alice', { username: 'alice', groups: [] }, true, true],
  ];

  it.each(users)('%s', (_name, user, expectAllowed, expectAuthz) => {
    let authzCalled = 0;
    const authorizer: Authorizer = (attributes) => {
      authzCalled++;
      return { allowed: attributes.user.username === 'steve', reason: '' };
    };
    const env = { source, authorizer };
    const create: RbacWrite = {
      user,
      request: { apiGroup: RBAC, resource, namespace, name: '' },
      object: role,
    };
    expect(thrown(() => checkRbacWrite(env, create))?.reason).toBe(expectAllowed ? undefined : 'Forbidden');
    expect(authzCalled > 0).toBe(expectAuthz);

    authzCalled = 0;
    const update: RbacWrite = {
      user,
      request: { apiGroup: RBAC, resource, namespace, name: 'myrole' },
      object: role,
      old: {},
    };
    expect(thrown(() => checkRbacWrite(env, update))?.reason).toBe(expectAllowed ? undefined : 'Forbidden');
    expect(authzCalled > 0).toBe(expectAuthz);
  });
});

describe('ConfirmNoEscalation message', () => {
  const sa: UserInfo = {
    username: 'system:serviceaccount:dev:developer',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'],
  };

  it('lists the compacted missing rules, sorted, one per line', () => {
    const message = confirmNoEscalation(staticSource({}), sa, 'dev', [
      { apiGroups: ['extensions'], resources: ['pods', 'jobs'], verbs: ['get', 'list'] },
    ]);
    // As a real cluster printed it (a controller's log of the same request).
    expect(message).toBe(
      'user "system:serviceaccount:dev:developer" (groups=["system:serviceaccounts" "system:serviceaccounts:dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["extensions"], Resources:["jobs"], Verbs:["get" "list"]}\n' +
        '{APIGroups:["extensions"], Resources:["pods"], Verbs:["get" "list"]}',
    );
  });

  it('keeps resource names and non-resource URLs apart, and leaves out what is held', () => {
    const source = staticSource({
      clusterRoles: [
        {
          metadata: { name: 'some' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
        },
      ],
      clusterRoleBindings: [
        {
          roleRef: { kind: 'ClusterRole', name: 'some' },
          subjects: [{ kind: 'Group', name: 'system:authenticated' }],
        },
      ],
    });
    const message = confirmNoEscalation(source, sa, 'dev', [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'], verbs: ['get', 'update'] },
      { nonResourceURLs: ['/healthz', '/metrics'], verbs: ['get'] },
    ]);
    expect(message?.split('\n').slice(1)).toEqual([
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["a"], Verbs:["update"]}',
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["b"], Verbs:["update"]}',
      '{NonResourceURLs:["/healthz"], Verbs:["get"]}',
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    ]);
  });

  it('appends resolution errors as the registry names them', () => {
    const source = staticSource({
      roleBindings: [
        {
          metadata: { name: 'a', namespace: 'dev' },
          roleRef: { kind: 'Role', name: 'gone' },
          subjects: [{ kind: 'User', name: 'u' }],
        },
        {
          metadata: { name: 'b', namespace: 'dev' },
          roleRef: { kind: 'ClusterRole', name: 'lost' },
          subjects: [{ kind: 'User', name: 'u' }],
        },
      ],
    });
    const user = { username: 'u', groups: ['system:authenticated'] };
    const rules: PolicyRule[] = [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }];
    expect(confirmNoEscalation(source, user, 'dev', rules)).toBe(
      'user "u" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: [[roles.rbac.authorization.k8s.io "gone" not found, clusterroles.rbac.authorization.k8s.io "lost" not found]]',
    );
    expect(confirmNoEscalation(source, user, 'other', rules)).toBe(
      'user "u" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
  });

  it('is satisfied by rules held in the namespace', () => {
    const source = staticSource({
      roles: [
        {
          metadata: { name: 'r', namespace: 'dev' },
          rules: [{ apiGroups: ['', 'apps'], resources: ['*'], verbs: ['*'] }],
        },
      ],
      roleBindings: [
        {
          metadata: { name: 'b', namespace: 'dev' },
          roleRef: { kind: 'Role', name: 'r' },
          subjects: [{ kind: 'ServiceAccount', name: 'developer' }],
        },
      ],
    });
    const rules: PolicyRule[] = [
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] },
    ];
    expect(confirmNoEscalation(source, sa, 'dev', rules)).toBeUndefined();
    expect(confirmNoEscalation(source, sa, 'prod', rules)).toBeDefined();
    expect(confirmNoEscalation(source, sa, '', rules)).toBeDefined();
  });
});

describe('role writes', () => {
  const user: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
  const policy: Policy = {
    clusterRoles: [
      {
        metadata: { name: 'role-writer' },
        rules: [
          { apiGroups: [RBAC], resources: ['roles', 'clusterroles'], verbs: ['create', 'update', 'patch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
        ],
      },
      {
        metadata: { name: 'escalate-named' },
        rules: [{ apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'], resourceNames: ['open'] }],
      },
    ],
    clusterRoleBindings: [
      { roleRef: { kind: 'ClusterRole', name: 'role-writer' }, subjects: [{ kind: 'User', name: 'alice' }] },
    ],
    roleBindings: [
      {
        metadata: { name: 'esc', namespace: 'ns' },
        roleRef: { kind: 'ClusterRole', name: 'escalate-named' },
        subjects: [{ kind: 'User', name: 'alice' }],
      },
    ],
  };
  const source = staticSource(policy);
  const write = (name: string, rules: PolicyRule[], extra: Partial<RbacWrite> = {}): RbacWrite => ({
    user,
    request: { apiGroup: RBAC, resource: 'roles', namespace: 'ns', name: extra.old ? name : '' },
    object: { metadata: { name, namespace: 'ns' }, rules },
    ...extra,
  });
  const secrets: PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];

  it('answers NewForbidden with the qualified resource, the name and the missing rules', () => {
    const error = thrown(() => checkRbacWrite({ source }, write('x', secrets)));
    expect(error?.code).toBe(403);
    expect(error?.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'roles.rbac.authorization.k8s.io "x" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
      reason: 'Forbidden',
      details: { name: 'x', group: RBAC, kind: 'roles' },
      code: 403,
    });
  });

  it('leaves the name out while generateName is unresolved', () => {
    const error = thrown(() => checkRbacWrite({ source }, write('', secrets)));
    expect(error?.message).toMatch(/^roles\.rbac\.authorization\.k8s\.io is forbidden: user "alice"/);
    expect(error?.details).toEqual({ group: RBAC, kind: 'roles' });
  });

  it('allows rules the user holds', () => {
    expect(
      thrown(() =>
        checkRbacWrite({ source }, write('x', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }])),
      ),
    ).toBeUndefined();
  });

  it('takes escalate on a named role for updates only: a create request has no name', () => {
    expect(thrown(() => checkRbacWrite({ source }, write('open', secrets)))?.code).toBe(403);
    const old: KubeObject = { metadata: { name: 'open', namespace: 'ns' }, rules: [] };
    expect(thrown(() => checkRbacWrite({ source }, write('open', secrets, { old })))).toBeUndefined();
    const other: KubeObject = { metadata: { name: 'closed', namespace: 'ns' }, rules: [] };
    expect(thrown(() => checkRbacWrite({ source }, write('closed', secrets, { old: other })))?.code).toBe(
      403,
    );
  });

  it('lets an update through that changes only garbage-collector fields', () => {
    const old: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'closed', namespace: 'ns', resourceVersion: '7', finalizers: ['x'] },
      rules: secrets,
    };
    const gcOnly: KubeObject = {
      metadata: {
        name: 'closed',
        namespace: 'ns',
        resourceVersion: '7',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u' }],
        finalizers: [],
      },
      rules: secrets,
    };
    expect(isOnlyMutatingGCFields(gcOnly, old)).toBe(true);
    expect(
      thrown(() => checkRbacWrite({ source }, write('closed', secrets, { object: gcOnly, old }))),
    ).toBeUndefined();
    const relabelled = structuredClone(gcOnly);
    relabelled.metadata!.labels = { a: 'b' };
    expect(isOnlyMutatingGCFields(relabelled, old)).toBe(false);
    expect(
      thrown(() => checkRbacWrite({ source }, write('closed', secrets, { object: relabelled, old })))?.code,
    ).toBe(403);
  });

  it('lets system:masters through without looking', () => {
    const admin = { username: 'root', groups: ['system:masters', 'system:authenticated'] };
    expect(
      thrown(() => checkRbacWrite({ source: staticSource({}) }, { ...write('x', secrets), user: admin })),
    ).toBeUndefined();
  });

  it('checks ClusterRoles against cluster-wide rules only', () => {
    const clusterWrite: RbacWrite = {
      user,
      request: { apiGroup: RBAC, resource: 'clusterroles', namespace: '', name: '' },
      object: {
        metadata: { name: 'c' },
        rules: [{ apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'] }],
      },
    };
    const error = thrown(() => checkRbacWrite({ source }, clusterWrite));
    expect(error?.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "c" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["rbac.authorization.k8s.io"], Resources:["roles"], Verbs:["escalate"]}',
    );
  });
});

describe('aggregated ClusterRoles', () => {
  const user: UserInfo = { username: 'alice', groups: [] };
  const aggregationRule = { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate': 'true' } }] };
  const write = (source: RbacSource, object: KubeObject, old?: KubeObject) =>
    thrown(() =>
      checkRbacWrite(
        { source },
        {
          user,
          request: { apiGroup: RBAC, resource: 'clusterroles', namespace: '', name: old ? 'agg' : '' },
          object,
          ...(old ? { old } : {}),
        },
      ),
    );
  const holding = (rules: PolicyRule[]) =>
    staticSource({
      clusterRoles: [{ metadata: { name: 'held' }, rules }],
      clusterRoleBindings: [
        { roleRef: { kind: 'ClusterRole', name: 'held' }, subjects: [{ kind: 'User', name: 'alice' }] },
      ],
    });
  const everything: PolicyRule[] = [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ];

  it('needs cluster-admin privileges to set an aggregationRule, whatever the rules', () => {
    const error = write(holding([{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'create'] }]), {
      metadata: { name: 'agg' },
      aggregationRule,
      rules: [],
    });
    expect(error?.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
    expect(error?.details).toEqual({ name: 'agg', group: RBAC, kind: 'clusterroles' });
    // Holding everything: checked as rules, with escalate denied so the check is not skipped.
    const noEscalate: Authorizer = () => ({ allowed: false, reason: '' });
    const object = { metadata: { name: 'agg' }, aggregationRule, rules: [] };
    const request = { apiGroup: RBAC, resource: 'clusterroles', namespace: '', name: '' };
    expect(
      thrown(() =>
        checkRbacWrite({ source: holding(everything), authorizer: noEscalate }, { user, request, object }),
      ),
    ).toBeUndefined();
  });

  it('checks the submitted rules first, then the aggregationRule', () => {
    const error = write(holding([]), {
      metadata: { name: 'agg' },
      aggregationRule,
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    });
    expect(error?.message).toMatch(
      /is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\]/,
    );
  });

  it('needs them too to remove an aggregationRule, and not for an empty selector list', () => {
    const old: KubeObject = { metadata: { name: 'agg' }, aggregationRule, rules: [] };
    expect(write(holding([]), { metadata: { name: 'agg' }, rules: [] }, old)?.message).toMatch(
      /aggregationRule$/,
    );
    expect(
      write(holding([]), {
        metadata: { name: 'agg' },
        aggregationRule: { clusterRoleSelectors: [] },
        rules: [],
      }),
    ).toBeUndefined();
  });
});

describe('binding writes (BindingAuthorized, then the referenced role must be covered)', () => {
  const user: UserInfo = { username: 'binder', groups: ['system:authenticated'] };
  const policy: Policy = {
    roles: [
      {
        metadata: { name: 'secrets', namespace: 'ns' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
      },
    ],
    clusterRoles: [
      {
        metadata: { name: 'view-pods' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
      {
        metadata: { name: 'bind-secrets' },
        rules: [{ apiGroups: [RBAC], resources: ['roles'], verbs: ['bind'], resourceNames: ['secrets'] }],
      },
    ],
    clusterRoleBindings: [
      { roleRef: { kind: 'ClusterRole', name: 'view-pods' }, subjects: [{ kind: 'User', name: 'binder' }] },
    ],
    roleBindings: [
      {
        metadata: { name: 'b', namespace: 'granted' },
        roleRef: { kind: 'ClusterRole', name: 'bind-secrets' },
        subjects: [{ kind: 'User', name: 'binder' }],
      },
    ],
  };
  const source = staticSource(policy);
  const binding = (
    namespace: string,
    roleRef: Record<string, string>,
    resource = 'rolebindings',
  ): RbacWrite => ({
    user,
    request: { apiGroup: RBAC, resource, namespace, name: '' },
    object: { metadata: { name: 'rb', namespace }, roleRef, subjects: [{ kind: 'User', name: 'someone' }] },
  });

  it('allows binding a role whose rules the user holds', () => {
    expect(
      thrown(() => checkRbacWrite({ source }, binding('ns', { kind: 'ClusterRole', name: 'view-pods' }))),
    ).toBeUndefined();
    expect(
      thrown(() =>
        checkRbacWrite(
          { source },
          binding('', { kind: 'ClusterRole', name: 'view-pods' }, 'clusterrolebindings'),
        ),
      ),
    ).toBeUndefined();
  });

  it('refuses a role with more, naming the binding', () => {
    const error = thrown(() => checkRbacWrite({ source }, binding('ns', { kind: 'Role', name: 'secrets' })));
    expect(error?.message).toBe(
      'rolebindings.rbac.authorization.k8s.io "rb" is forbidden: user "binder" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
    expect(error?.details).toEqual({ name: 'rb', group: RBAC, kind: 'rolebindings' });
  });

  it('allows it with bind on that role name in that namespace (the role need not exist then)', () => {
    const policyWithRole = staticSource({
      ...policy,
      roles: [
        {
          metadata: { name: 'secrets', namespace: 'granted' },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
        },
      ],
    });
    expect(
      thrown(() =>
        checkRbacWrite({ source: policyWithRole }, binding('granted', { kind: 'Role', name: 'secrets' })),
      ),
    ).toBeUndefined();
    expect(
      thrown(() => checkRbacWrite({ source }, binding('granted', { kind: 'Role', name: 'secrets' }))),
    ).toBeUndefined();
  });

  it('answers a missing role with the storage NotFound', () => {
    const error = thrown(() => checkRbacWrite({ source }, binding('ns', { kind: 'Role', name: 'nope' })));
    expect(error?.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'roles.rbac.authorization.k8s.io "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: RBAC, kind: 'roles' },
      code: 404,
    });
    const cluster = thrown(() =>
      checkRbacWrite({ source }, binding('', { kind: 'ClusterRole', name: 'nope' }, 'clusterrolebindings')),
    );
    expect(cluster?.message).toBe('clusterroles.rbac.authorization.k8s.io "nope" not found');
  });

  it('answers an unknown roleRef kind as storage does: a plain error, so a 500 without a reason', () => {
    const error = thrown(() => checkRbacWrite({ source }, binding('ns', { kind: 'Group', name: 'x' })));
    expect(error?.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'unsupported role reference kind: "Group"',
      code: 500,
    });
  });

  it('asks bind with the defaulted roleRef apiGroup, in the binding namespace, by name', () => {
    const seen: unknown[] = [];
    const authorizer: Authorizer = (a) => {
      seen.push({
        verb: a.verb,
        apiGroup: a.apiGroup,
        resource: a.resource,
        name: a.name,
        namespace: a.namespace,
      });
      return { allowed: true, reason: '' };
    };
    checkRbacWrite({ source, authorizer }, binding('ns', { kind: 'ClusterRole', name: 'admin' }));
    checkRbacWrite(
      { source, authorizer },
      binding('', { kind: 'ClusterRole', name: 'admin' }, 'clusterrolebindings'),
    );
    expect(seen).toEqual([
      { verb: 'bind', apiGroup: RBAC, resource: 'clusterroles', name: 'admin', namespace: 'ns' },
      { verb: 'bind', apiGroup: RBAC, resource: 'clusterroles', name: 'admin', namespace: '' },
    ]);
  });
});
