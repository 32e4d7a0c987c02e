// Upstream's RBAC test tables, row for row: each vector asserts our answer equals the answer the Go test
// expects.
//   plugin/pkg/auth/authorizer/rbac/rbac_test.go: TestAuthorizer, TestRuleMatches
//   pkg/apis/rbac/helpers_test.go: TestResourceMatches
//   pkg/registry/rbac/validation/rule_test.go: TestDefaultRuleResolver, TestAppliesTo
import { describe, expect, it } from 'vitest';
import { staticRbacSource, type StaticPolicy } from './static-source.js';
import type { UserInfo } from '../auth/user-info.js';
import {
  authorize,
  subjectMatches,
  visitRulesFor,
  type BindingObject,
  type RoleObject,
} from './authorizer.js';
import { resourceMatches, ruleAllows } from './rule-matching.js';
import type { AuthorizationAttributes, PolicyRule, Subject } from './types.js';

type Policy = StaticPolicy;
const staticSource = staticRbacSource;

/** rbac_test.go `newRule`: each argument split on commas, so "" is `[""]`. */
function newRule(verbs: string, apiGroups: string, resources: string, nonResourceURLs: string): PolicyRule {
  return {
    verbs: verbs.split(','),
    apiGroups: apiGroups.split(','),
    resources: resources.split(','),
    nonResourceURLs: nonResourceURLs.split(','),
  };
}

function subjects(list: string[]): Subject[] {
  return list.map((s) => {
    const i = s.indexOf(':');
    const kind = s.slice(0, i);
    return {
      kind,
      name: s.slice(i + 1),
      apiGroup: kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io',
    };
  });
}

function newClusterRole(name: string, ...rules: PolicyRule[]): RoleObject {
  return { metadata: { name }, rules };
}

function newClusterRoleBinding(roleName: string, ...subjectList: string[]): BindingObject {
  return {
    metadata: {},
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: subjects(subjectList),
  };
}

function newRoleBinding(
  namespace: string,
  roleName: string,
  kind: 'Role' | 'ClusterRole',
  ...list: string[]
) {
  return {
    metadata: { namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName },
    subjects: subjects(list),
  } satisfies BindingObject;
}

function attributes(
  fields: Partial<Omit<AuthorizationAttributes, 'user'>> & { user: UserInfo },
): AuthorizationAttributes {
  return {
    verb: '',
    isResourceRequest: false,
    path: '',
    namespace: '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    name: '',
    ...fields,
  };
}

/** rbac_test.go `defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup}`. */
function defaultAttributes(
  user: string,
  groups: string,
  verb: string,
  resource: string,
  subresource: string,
  namespace: string,
  apiGroup: string,
): AuthorizationAttributes {
  return attributes({
    user: { username: user, groups: groups.split(',') },
    verb,
    isResourceRequest: true,
    resource,
    subresource,
    namespace,
    apiGroup,
  });
}

/** `authorizer.AttributesRecord{User: &user.DefaultInfo{Name, Groups}, Verb, Path}`. */
function nonResourceRecord(user: { name?: string; groups?: string[] }, verb: string, path: string) {
  return attributes({ user: { username: user.name ?? '', groups: user.groups ?? [] }, verb, path });
}

describe('TestAuthorizer (rbac_test.go)', () => {
  const cases: {
    policy: Policy;
    shouldPass: AuthorizationAttributes[];
    shouldFail: AuthorizationAttributes[];
  }[] = [
    {
      policy: {
        clusterRoles: [newClusterRole('admin', newRule('*', '*', '*', '*'))],
        roleBindings: [newRoleBinding('ns1', 'admin', 'ClusterRole', 'User:admin', 'Group:admins')],
      },
      shouldPass: [
        defaultAttributes('admin', '', 'get', 'Pods', '', 'ns1', ''),
        defaultAttributes('admin', '', 'watch', 'Pods', '', 'ns1', ''),
        defaultAttributes('admin', 'group1', 'watch', 'Foobar', '', 'ns1', ''),
        defaultAttributes('joe', 'admins', 'watch', 'Foobar', '', 'ns1', ''),
        defaultAttributes('joe', 'group1,admins', 'watch', 'Foobar', '', 'ns1', ''),
      ],
      shouldFail: [
        defaultAttributes('admin', '', 'GET', 'Pods', '', 'ns2', ''),
        defaultAttributes('admin', '', 'GET', 'Nodes', '', '', ''),
        defaultAttributes('admin', 'admins', 'GET', 'Pods', '', 'ns2', ''),
        defaultAttributes('admin', 'admins', 'GET', 'Nodes', '', '', ''),
      ],
    },
    {
      // Non-resource-url tests
      policy: {
        clusterRoles: [
          newClusterRole('non-resource-url-getter', newRule('get', '', '', '/apis')),
          newClusterRole('non-resource-url', newRule('*', '', '', '/apis')),
          newClusterRole('non-resource-url-prefix', newRule('get', '', '', '/apis/*')),
        ],
        clusterRoleBindings: [
          newClusterRoleBinding('non-resource-url-getter', 'User:foo', 'Group:bar'),
          newClusterRoleBinding('non-resource-url', 'User:admin', 'Group:admin'),
          newClusterRoleBinding('non-resource-url-prefix', 'User:prefixed', 'Group:prefixed'),
        ],
      },
      shouldPass: [
        nonResourceRecord({ name: 'foo' }, 'get', '/apis'),
        nonResourceRecord({ groups: ['bar'] }, 'get', '/apis'),
        nonResourceRecord({ name: 'admin' }, 'get', '/apis'),
        nonResourceRecord({ groups: ['admin'] }, 'get', '/apis'),
        nonResourceRecord({ name: 'admin' }, 'watch', '/apis'),
        nonResourceRecord({ groups: ['admin'] }, 'watch', '/apis'),
        nonResourceRecord({ name: 'prefixed' }, 'get', '/apis/v1'),
        nonResourceRecord({ groups: ['prefixed'] }, 'get', '/apis/v1'),
        nonResourceRecord({ name: 'prefixed' }, 'get', '/apis/v1/foobar'),
        nonResourceRecord({ groups: ['prefixed'] }, 'get', '/apis/v1/foorbar'),
      ],
      shouldFail: [
        // wrong verb
        nonResourceRecord({ name: 'foo' }, 'watch', '/apis'),
        nonResourceRecord({ groups: ['bar'] }, 'watch', '/apis'),
        // wrong path
        nonResourceRecord({ name: 'foo' }, 'get', '/api/v1'),
        nonResourceRecord({ groups: ['bar'] }, 'get', '/api/v1'),
        nonResourceRecord({ name: 'admin' }, 'get', '/api/v1'),
        nonResourceRecord({ groups: ['admin'] }, 'get', '/api/v1'),
        // not covered by prefix
        nonResourceRecord({ name: 'prefixed' }, 'get', '/api/v1'),
        nonResourceRecord({ groups: ['prefixed'] }, 'get', '/api/v1'),
      ],
    },
    {
      // test subresource resolution
      policy: {
        clusterRoles: [newClusterRole('admin', newRule('*', '*', 'pods', '*'))],
        roleBindings: [newRoleBinding('ns1', 'admin', 'ClusterRole', 'User:admin', 'Group:admins')],
      },
      shouldPass: [defaultAttributes('admin', '', 'get', 'pods', '', 'ns1', '')],
      shouldFail: [defaultAttributes('admin', '', 'get', 'pods', 'status', 'ns1', '')],
    },
    {
      // test subresource resolution
      policy: {
        clusterRoles: [
          newClusterRole('admin', newRule('*', '*', 'pods/status', '*'), newRule('*', '*', '*/scale', '*')),
        ],
        roleBindings: [newRoleBinding('ns1', 'admin', 'ClusterRole', 'User:admin', 'Group:admins')],
      },
      shouldPass: [
        defaultAttributes('admin', '', 'get', 'pods', 'status', 'ns1', ''),
        defaultAttributes('admin', '', 'get', 'pods', 'scale', 'ns1', ''),
        defaultAttributes('admin', '', 'get', 'deployments', 'scale', 'ns1', ''),
        defaultAttributes('admin', '', 'get', 'anything', 'scale', 'ns1', ''),
      ],
      shouldFail: [defaultAttributes('admin', '', 'get', 'pods', '', 'ns1', '')],
    },
  ];

  cases.forEach(({ policy, shouldPass, shouldFail }, i) => {
    const source = staticSource(policy);
    it.each(shouldPass.map((a) => [JSON.stringify(a), a] as const))(`case ${i}: allows %s`, (_label, a) => {
      expect(authorize(source, a).allowed).toBe(true);
    });
    it.each(shouldFail.map((a) => [JSON.stringify(a), a] as const))(`case ${i}: denies %s`, (_label, a) => {
      expect(authorize(source, a).allowed).toBe(false);
    });
  });
});

describe('TestRuleMatches (rbac_test.go)', () => {
  const nobody: UserInfo = { username: '', groups: [] };
  const resourceRequest = (verb: string, group: string, resource: string, subresource = '') =>
    attributes({ user: nobody, isResourceRequest: true, verb, apiGroup: group, resource, subresource });
  const nonresourceRequest = (verb: string, url: string) => attributes({ user: nobody, verb, path: url });
  const rule = (verbs: string[], fields: Omit<PolicyRule, 'verbs'>): PolicyRule => ({ verbs, ...fields });

  const tests: { name: string; rule: PolicyRule; requests: [AuthorizationAttributes, boolean][] }[] = [
    {
      name: 'star verb, exact match other',
      rule: rule(['*'], { apiGroups: ['group1'], resources: ['resource1'] }),
      requests: [
        [resourceRequest('verb1', 'group1', 'resource1'), true],
        [resourceRequest('verb1', 'group2', 'resource1'), false],
        [resourceRequest('verb1', 'group1', 'resource2'), false],
        [resourceRequest('verb1', 'group2', 'resource2'), false],
        [resourceRequest('verb2', 'group1', 'resource1'), true],
        [resourceRequest('verb2', 'group2', 'resource1'), false],
        [resourceRequest('verb2', 'group1', 'resource2'), false],
        [resourceRequest('verb2', 'group2', 'resource2'), false],
      ],
    },
    {
      name: 'star group, exact match other',
      rule: rule(['verb1'], { apiGroups: ['*'], resources: ['resource1'] }),
      requests: [
        [resourceRequest('verb1', 'group1', 'resource1'), true],
        [resourceRequest('verb1', 'group2', 'resource1'), true],
        [resourceRequest('verb1', 'group1', 'resource2'), false],
        [resourceRequest('verb1', 'group2', 'resource2'), false],
        [resourceRequest('verb2', 'group1', 'resource1'), false],
        [resourceRequest('verb2', 'group2', 'resource1'), false],
        [resourceRequest('verb2', 'group1', 'resource2'), false],
        [resourceRequest('verb2', 'group2', 'resource2'), false],
      ],
    },
    {
      name: 'star resource, exact match other',
      rule: rule(['verb1'], { apiGroups: ['group1'], resources: ['*'] }),
      requests: [
        [resourceRequest('verb1', 'group1', 'resource1'), true],
        [resourceRequest('verb1', 'group2', 'resource1'), false],
        [resourceRequest('verb1', 'group1', 'resource2'), true],
        [resourceRequest('verb1', 'group2', 'resource2'), false],
        [resourceRequest('verb2', 'group1', 'resource1'), false],
        [resourceRequest('verb2', 'group2', 'resource1'), false],
        [resourceRequest('verb2', 'group1', 'resource2'), false],
        [resourceRequest('verb2', 'group2', 'resource2'), false],
      ],
    },
    {
      name: 'tuple expansion',
      rule: rule(['verb1', 'verb2'], {
        apiGroups: ['group1', 'group2'],
        resources: ['resource1', 'resource2'],
      }),
      requests: [
        [resourceRequest('verb1', 'group1', 'resource1'), true],
        [resourceRequest('verb1', 'group2', 'resource1'), true],
        [resourceRequest('verb1', 'group1', 'resource2'), true],
        [resourceRequest('verb1', 'group2', 'resource2'), true],
        [resourceRequest('verb2', 'group1', 'resource1'), true],
        [resourceRequest('verb2', 'group2', 'resource1'), true],
        [resourceRequest('verb2', 'group1', 'resource2'), true],
        [resourceRequest('verb2', 'group2', 'resource2'), true],
      ],
    },
    {
      name: 'subresource expansion',
      rule: rule(['*'], { apiGroups: ['*'], resources: ['resource1/subresource1'] }),
      requests: [
        [resourceRequest('verb1', 'group1', 'resource1', 'subresource1'), true],
        [resourceRequest('verb1', 'group2', 'resource1', 'subresource2'), false],
        [resourceRequest('verb1', 'group1', 'resource2', 'subresource1'), false],
        [resourceRequest('verb1', 'group2', 'resource2', 'subresource1'), false],
        [resourceRequest('verb2', 'group1', 'resource1', 'subresource1'), true],
        [resourceRequest('verb2', 'group2', 'resource1', 'subresource2'), false],
        [resourceRequest('verb2', 'group1', 'resource2', 'subresource1'), false],
        [resourceRequest('verb2', 'group2', 'resource2', 'subresource1'), false],
      ],
    },
    {
      name: 'star nonresource, exact match other',
      rule: rule(['verb1'], { nonResourceURLs: ['*'] }),
      requests: [
        [nonresourceRequest('verb1', '/foo'), true],
        [nonresourceRequest('verb1', '/foo/bar'), true],
        [nonresourceRequest('verb1', '/foo/baz'), true],
        [nonresourceRequest('verb1', '/foo/bar/one'), true],
        [nonresourceRequest('verb1', '/foo/baz/one'), true],
        [nonresourceRequest('verb2', '/foo'), false],
        [nonresourceRequest('verb2', '/foo/bar'), false],
        [nonresourceRequest('verb2', '/foo/baz'), false],
        [nonresourceRequest('verb2', '/foo/bar/one'), false],
        [nonresourceRequest('verb2', '/foo/baz/one'), false],
      ],
    },
    {
      name: 'star nonresource subpath',
      rule: rule(['verb1'], { nonResourceURLs: ['/foo/*'] }),
      requests: [
        [nonresourceRequest('verb1', '/foo'), false],
        [nonresourceRequest('verb1', '/foo/bar'), true],
        [nonresourceRequest('verb1', '/foo/baz'), true],
        [nonresourceRequest('verb1', '/foo/bar/one'), true],
        [nonresourceRequest('verb1', '/foo/baz/one'), true],
        [nonresourceRequest('verb1', '/notfoo'), false],
        [nonresourceRequest('verb1', '/notfoo/bar'), false],
        [nonresourceRequest('verb1', '/notfoo/baz'), false],
        [nonresourceRequest('verb1', '/notfoo/bar/one'), false],
        [nonresourceRequest('verb1', '/notfoo/baz/one'), false],
      ],
    },
    {
      name: 'star verb, exact nonresource',
      rule: rule(['*'], { nonResourceURLs: ['/foo', '/foo/bar/one'] }),
      requests: [
        [nonresourceRequest('verb1', '/foo'), true],
        [nonresourceRequest('verb1', '/foo/bar'), false],
        [nonresourceRequest('verb1', '/foo/baz'), false],
        [nonresourceRequest('verb1', '/foo/bar/one'), true],
        [nonresourceRequest('verb1', '/foo/baz/one'), false],
        [nonresourceRequest('verb2', '/foo'), true],
        [nonresourceRequest('verb2', '/foo/bar'), false],
        [nonresourceRequest('verb2', '/foo/baz'), false],
        [nonresourceRequest('verb2', '/foo/bar/one'), true],
        [nonresourceRequest('verb2', '/foo/baz/one'), false],
      ],
    },
  ];

  for (const tc of tests) {
    it.each(
      tc.requests.map(
        ([a, expected]) =>
          [a.verb, a.path || `${a.apiGroup}/${a.resource}/${a.subresource}`, a, expected] as const,
      ),
    )(`${tc.name}: %s %s`, (_verb, _what, a, expected) => {
      expect(ruleAllows(a, tc.rule)).toBe(expected);
    });
  }
});

describe('TestResourceMatches (pkg/apis/rbac/helpers_test.go)', () => {
  it.each([
    ['all matches 01', ['*'], 'foo', '', true],
    ['checks all rules', ["doesn't match", '*'], 'foo', '', true],
    ['matches exact rule', ['foo/bar'], 'foo/bar', 'bar', true],
    ['matches exact rule 02', ['foo/bar'], 'foo', '', false],
    ['matches subresource', ['*/scale'], 'foo/scale', 'scale', true],
    [
      "doesn't match partial subresource hit",
      ['foo/bar', '*/other'],
      'foo/other/segment',
      'other/segment',
      false,
    ],
    [
      'matches subresource with multiple slashes',
      ['*/other/segment'],
      'foo/other/segment',
      'other/segment',
      true,
    ],
    ["doesn't fail on empty", [''], 'foo/other/segment', 'other/segment', false],
    ["doesn't fail on slash", ['/'], 'foo/other/segment', 'other/segment', false],
    ["doesn't fail on missing subresource", ['*/'], 'foo/other/segment', 'other/segment', false],
    ["doesn't match on not star", ['*something/other/segment'], 'foo/other/segment', 'other/segment', false],
    [
      "doesn't match on something else",
      ['something/other/segment'],
      'foo/other/segment',
      'other/segment',
      false,
    ],
  ] as const)('%s', (_name, resources, combined, subresource, expected) => {
    expect(resourceMatches({ verbs: [], resources: [...resources] }, combined, subresource)).toBe(expected);
  });
});

describe('TestDefaultRuleResolver (rule_test.go)', () => {
  const ruleReadPods: PolicyRule = { verbs: ['GET', 'WATCH'], apiGroups: ['v1'], resources: ['pods'] };
  const ruleReadServices: PolicyRule = {
    verbs: ['GET', 'WATCH'],
    apiGroups: ['v1'],
    resources: ['services'],
  };
  const ruleWriteNodes: PolicyRule = {
    verbs: ['PUT', 'CREATE', 'UPDATE'],
    apiGroups: ['v1'],
    resources: ['nodes'],
  };
  const ruleAdmin: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  const staticRoles1 = staticSource({
    roles: [
      { metadata: { namespace: 'namespace1', name: 'readthings' }, rules: [ruleReadPods, ruleReadServices] },
    ],
    clusterRoles: [
      { metadata: { name: 'cluster-admin' }, rules: [ruleAdmin] },
      { metadata: { name: 'write-nodes' }, rules: [ruleWriteNodes] },
    ],
    roleBindings: [
      {
        metadata: { namespace: 'namespace1' },
        subjects: [
          { kind: 'User', name: 'foobar' },
          { kind: 'Group', name: 'group1' },
        ],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'readthings' },
      },
    ],
    clusterRoleBindings: [
      {
        subjects: [
          { kind: 'User', name: 'admin' },
          { kind: 'Group', name: 'admin' },
        ],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      },
    ],
  });
  it.each([
    [{ username: 'foobar', groups: [] }, 'namespace1', [ruleReadPods, ruleReadServices]],
    [{ username: 'foobar', groups: [] }, 'namespace2', []],
    // Same as above but without a namespace. Only cluster rules should apply.
    [{ username: 'foobar', groups: ['admin'] }, '', [ruleAdmin]],
    [{ username: '', groups: [] }, '', []],
  ] as [UserInfo, string, PolicyRule[]][])('case %#: %o in %j', (user, namespace, effectiveRules) => {
    const rules: PolicyRule[] = [];
    const errors = visitRulesFor(staticRoles1, user, namespace, ({ rule }) => {
      rules.push(rule);
      return false;
    });
    expect(errors).toEqual([]);
    const order = (list: PolicyRule[]) => list.map((r) => JSON.stringify(r)).sort();
    expect(order(rules)).toEqual(order(effectiveRules));
  });
});

describe('TestAppliesTo (rule_test.go)', () => {
  it.each([
    [
      'single subject that matches username',
      [{ kind: 'User', name: 'foobar' }],
      { username: 'foobar', groups: [] },
      '',
      true,
      0,
    ],
    [
      'multiple subjects, one that matches username',
      [
        { kind: 'User', name: 'barfoo' },
        { kind: 'User', name: 'foobar' },
      ],
      { username: 'foobar', groups: [] },
      '',
      true,
      1,
    ],
    [
      'multiple subjects, none that match username',
      [
        { kind: 'User', name: 'barfoo' },
        { kind: 'User', name: 'foobar' },
      ],
      { username: 'zimzam', groups: [] },
      '',
      false,
      0,
    ],
    [
      'multiple subjects, one that match group',
      [
        { kind: 'User', name: 'barfoo' },
        { kind: 'Group', name: 'foobar' },
      ],
      { username: 'zimzam', groups: ['foobar'] },
      '',
      true,
      1,
    ],
    [
      'multiple subjects, one that match group, should ignore namespace',
      [
        { kind: 'User', name: 'barfoo' },
        { kind: 'Group', name: 'foobar' },
      ],
      { username: 'zimzam', groups: ['foobar'] },
      'namespace1',
      true,
      1,
    ],
    [
      'multiple subjects with a service account that matches',
      [
        { kind: 'User', name: 'barfoo' },
        { kind: 'Group', name: 'foobar' },
        { kind: 'ServiceAccount', namespace: 'kube-system', name: 'default' },
      ],
      { username: 'system:serviceaccount:kube-system:default', groups: [] },
      'default',
      true,
      2,
    ],
    [
      "* user subject name doesn't match all users",
      [{ kind: 'User', name: '*' }],
      { username: 'foobar', groups: [] },
      'default',
      false,
      0,
    ],
    [
      'binding to all authenticated and unauthenticated subjects matches authenticated user',
      [
        { kind: 'Group', name: 'system:authenticated' },
        { kind: 'Group', name: 'system:unauthenticated' },
      ],
      { username: 'foobar', groups: ['system:authenticated'] },
      'default',
      true,
      0,
    ],
    [
      'binding to all authenticated and unauthenticated subjects matches anonymous user',
      [
        { kind: 'Group', name: 'system:authenticated' },
        { kind: 'Group', name: 'system:unauthenticated' },
      ],
      { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      'default',
      true,
      1,
    ],
  ] as [string, Subject[], UserInfo, string, boolean, number][])(
    '%s',
    (_name, list, user, namespace, applies, index) => {
      const found = list.findIndex((s) => subjectMatches(user, s, namespace));
      expect(found >= 0).toBe(applies);
      expect(Math.max(found, 0)).toBe(index);
    },
  );
});

describe('the denial reason aggregates resolution errors as utilerrors.NewAggregate', () => {
  const user: UserInfo = { username: 'jane', groups: [] };
  const binding = (name: string, role: string): BindingObject => ({
    metadata: { name, namespace: 'ns' },
    subjects: [{ kind: 'User', name: 'jane' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
  });
  const request = attributes({
    user,
    verb: 'get',
    isResourceRequest: true,
    resource: 'pods',
    namespace: 'ns',
  });

  it('prints one error as it is', () => {
    const source = staticSource({ roleBindings: [binding('a', 'gone')] });
    expect(authorize(source, request).reason).toBe('RBAC: role.rbac.authorization.k8s.io "gone" not found');
  });
  it('prints the same error twice once, without brackets', () => {
    const source = staticSource({ roleBindings: [binding('a', 'gone'), binding('b', 'gone')] });
    expect(authorize(source, request).reason).toBe('RBAC: role.rbac.authorization.k8s.io "gone" not found');
  });
  it('brackets distinct errors, each once', () => {
    const source = staticSource({
      roleBindings: [binding('a', 'gone'), binding('b', 'other'), binding('c', 'gone')],
    });
    expect(authorize(source, request).reason).toBe(
      'RBAC: [role.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "other" not found]',
    );
  });
});
