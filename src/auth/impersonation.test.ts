import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AuthorizationAttributes, AuthorizationDecision } from '../rbac/types.js';
import {
  buildImpersonationRequests,
  ImpersonationForbidden,
  ImpersonationHeaderError,
  impersonationAttributes,
  removeImpersonationHeaders,
  resolveImpersonation,
  splitServiceAccountUsername,
  unescapeExtraKey,
  type DistinctHeaders,
} from './impersonation.js';
import type { UserInfo } from './user-info.js';

const ALLOW: AuthorizationDecision = { allowed: true, reason: '' };

// The authorizer of upstream's impersonation_test.go, rule for rule.
function upstreamTestAuthorizer(a: AuthorizationAttributes): AuthorizationDecision {
  const groups = a.user.groups;
  const deny = { allowed: false, reason: 'deny by default' };
  if (a.user.username === 'system:admin') return ALLOW;
  if (a.user.username === 'deny-me') return { allowed: false, reason: 'denied' };
  if (a.verb !== 'impersonate') return deny;
  const is = (index: number, group: string) => groups[index] === group;
  if (is(0, 'wheel') && a.resource === 'users') return ALLOW;
  if (is(0, 'sa-impersonater') && a.resource === 'serviceaccounts') return ALLOW;
  if (is(0, 'regular-impersonater') && a.resource === 'users') return ALLOW;
  if (is(1, 'group-impersonater') && a.resource === 'groups') return ALLOW;
  if (is(1, 'extra-setter-scopes') && a.resource === 'userextras' && a.subresource === 'scopes') return ALLOW;
  if (is(1, 'escaped-scopes') || is(1, 'almost-escaped-scopes')) return ALLOW;
  if (
    is(1, 'extra-setter-particular-scopes') &&
    a.resource === 'userextras' &&
    a.subresource === 'scopes' &&
    a.name === 'scope-a' &&
    a.apiGroup === 'authentication.k8s.io'
  )
    return ALLOW;
  if (
    is(1, 'extra-setter-project') &&
    a.resource === 'userextras' &&
    a.subresource === 'project' &&
    a.apiGroup === 'authentication.k8s.io'
  )
    return ALLOW;
  if (is(0, 'everything-impersonater')) {
    if (a.resource === 'users' && a.apiGroup === '') return ALLOW;
    if (a.resource === 'uids' && a.name === 'some-uid' && a.apiGroup === 'authentication.k8s.io')
      return ALLOW;
    if (a.resource === 'groups' && a.apiGroup === '') return ALLOW;
    if (a.resource === 'userextras' && a.subresource === 'scopes' && a.apiGroup === 'authentication.k8s.io')
      return ALLOW;
  }
  return deny;
}

interface Case {
  name: string;
  user: UserInfo;
  impersonationUser?: string;
  impersonationGroups?: string[];
  impersonationUserExtras?: Record<string, string[]>;
  impersonationUid?: string;
  expected: UserInfo | 403 | 500;
}

// TestImpersonationFilter's table (kubernetes v1.33.0), with our UserInfo omitting an empty extra and uid.
const CASES: Case[] = [
  {
    name: 'not-impersonating',
    user: { username: 'tester', groups: [] },
    expected: { username: 'tester', groups: [] },
  },
  {
    name: 'impersonating-error',
    user: { username: 'tester', groups: [] },
    impersonationUser: 'anyone',
    expected: 403,
  },
  {
    name: 'impersonating-group-without-user',
    user: { username: 'tester', groups: [] },
    impersonationGroups: ['some-group'],
    expected: 500,
  },
  {
    name: 'impersonating-extra-without-user',
    user: { username: 'tester', groups: [] },
    impersonationUserExtras: { scopes: ['scope-a'] },
    expected: 500,
  },
  {
    name: 'impersonating-uid-without-user',
    user: { username: 'tester', groups: [] },
    impersonationUid: 'some-uid',
    expected: 500,
  },
  {
    name: 'disallowed-group',
    user: { username: 'dev', groups: ['wheel'] },
    impersonationUser: 'system:admin',
    impersonationGroups: ['some-group'],
    expected: 403,
  },
  {
    name: 'allowed-group',
    user: { username: 'dev', groups: ['wheel', 'group-impersonater'] },
    impersonationUser: 'system:admin',
    impersonationGroups: ['some-group'],
    expected: { username: 'system:admin', groups: ['some-group', 'system:authenticated'] },
  },
  {
    name: 'disallowed-userextra-1',
    user: { username: 'dev', groups: ['wheel'] },
    impersonationUser: 'system:admin',
    impersonationGroups: ['some-group'],
    impersonationUserExtras: { scopes: ['scope-a'] },
    expected: 403,
  },
  {
    name: 'disallowed-userextra-2',
    user: { username: 'dev', groups: ['wheel', 'extra-setter-project'] },
    impersonationUser: 'system:admin',
    impersonationGroups: ['some-group'],
    impersonationUserExtras: { scopes: ['scope-a'] },
    expected: 403,
  },
  {
    name: 'disallowed-userextra-3',
    user: { username: 'dev', groups: ['wheel', 'extra-setter-particular-scopes'] },
    impersonationUser: 'system:admin',
    impersonationGroups: ['some-group'],
    impersonationUserExtras: { scopes: ['scope-a', 'scope-b'] },
    expected: 403,
  },
  {
    name: 'allowed-userextras',
    user: { username: 'dev', groups: ['wheel', 'extra-setter-scopes'] },
    impersonationUser: 'system:admin',
    impersonationUserExtras: { scopes: ['scope-a', 'scope-b'] },
    expected: {
      username: 'system:admin',
      groups: ['system:authenticated'],
      extra: { scopes: ['scope-a', 'scope-b'] },
    },
  },
  {
    name: 'percent-escaped-userextras',
    user: { username: 'dev', groups: ['wheel', 'escaped-scopes'] },
    impersonationUser: 'system:admin',
    impersonationUserExtras: { 'example.com%2fescaped%e1%9b%84scopes': ['scope-a', 'scope-b'] },
    expected: {
      username: 'system:admin',
      groups: ['system:authenticated'],
      extra: { 'example.com/escapedᛄscopes': ['scope-a', 'scope-b'] },
    },
  },
  {
    name: 'almost-percent-escaped-userextras',
    user: { username: 'dev', groups: ['wheel', 'almost-escaped-scopes'] },
    impersonationUser: 'system:admin',
    impersonationUserExtras: { 'almost%zzpercent%xxencoded': ['scope-a', 'scope-b'] },
    expected: {
      username: 'system:admin',
      groups: ['system:authenticated'],
      extra: { 'almost%zzpercent%xxencoded': ['scope-a', 'scope-b'] },
    },
  },
  {
    name: 'allowed-users-impersonation',
    user: { username: 'dev', groups: ['regular-impersonater'] },
    impersonationUser: 'tester',
    expected: { username: 'tester', groups: ['system:authenticated'] },
  },
  {
    name: 'disallowed-impersonating',
    user: { username: 'dev', groups: ['sa-impersonater'] },
    impersonationUser: 'tester',
    expected: 403,
  },
  {
    name: 'allowed-sa-impersonating',
    user: { username: 'dev', groups: ['sa-impersonater'], extra: {} },
    impersonationUser: 'system:serviceaccount:foo:default',
    expected: {
      username: 'system:serviceaccount:foo:default',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:foo', 'system:authenticated'],
    },
  },
  {
    name: 'anonymous-username-prevents-adding-authenticated-group',
    user: { username: 'system:admin', groups: [] },
    impersonationUser: 'system:anonymous',
    expected: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
  },
  {
    name: 'unauthenticated-group-prevents-adding-authenticated-group',
    user: { username: 'system:admin', groups: [] },
    impersonationUser: 'unknown',
    impersonationGroups: ['system:unauthenticated'],
    expected: { username: 'unknown', groups: ['system:unauthenticated'] },
  },
  {
    name: 'unauthenticated-group-prevents-double-adding-authenticated-group',
    user: { username: 'system:admin', groups: [] },
    impersonationUser: 'unknown',
    impersonationGroups: ['system:authenticated'],
    expected: { username: 'unknown', groups: ['system:authenticated'] },
  },
  {
    name: 'specified-authenticated-group-prevents-double-adding-authenticated-group',
    user: { username: 'dev', groups: ['wheel', 'group-impersonater'] },
    impersonationUser: 'system:admin',
    impersonationGroups: ['some-group', 'system:authenticated'],
    expected: { username: 'system:admin', groups: ['some-group', 'system:authenticated'] },
  },
  {
    name: 'anonymous-user-prevents-double-adding-unauthenticated-group',
    user: { username: 'system:admin', groups: [] },
    impersonationUser: 'system:anonymous',
    impersonationGroups: ['system:unauthenticated'],
    expected: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
  },
  {
    name: 'allowed-user-impersonation-with-uid',
    user: { username: 'dev', groups: ['everything-impersonater'] },
    impersonationUser: 'tester',
    impersonationUid: 'some-uid',
    expected: { username: 'tester', uid: 'some-uid', groups: ['system:authenticated'] },
  },
  {
    name: 'disallowed-user-impersonation-with-uid',
    user: { username: 'dev', groups: ['everything-impersonater'] },
    impersonationUser: 'tester',
    impersonationUid: 'disallowed-uid',
    expected: 403,
  },
  {
    name: 'allowed-impersonation-with-all-headers',
    user: { username: 'dev', groups: ['everything-impersonater'] },
    impersonationUser: 'tester',
    impersonationUid: 'some-uid',
    impersonationGroups: ['system:authenticated'],
    impersonationUserExtras: { scopes: ['scope-a', 'scope-b'] },
    expected: {
      username: 'tester',
      uid: 'some-uid',
      groups: ['system:authenticated'],
      extra: { scopes: ['scope-a', 'scope-b'] },
    },
  },
];

function headersOf(c: Case): DistinctHeaders {
  const headers: Record<string, string[]> = {};
  if (c.impersonationUser) headers['impersonate-user'] = [c.impersonationUser];
  if (c.impersonationGroups) headers['impersonate-group'] = c.impersonationGroups;
  for (const [key, values] of Object.entries(c.impersonationUserExtras ?? {}))
    headers[`impersonate-extra-${key}`] = values;
  if (c.impersonationUid) headers['impersonate-uid'] = [c.impersonationUid];
  return headers;
}

describe('resolveImpersonation (upstream TestImpersonationFilter)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const resolve = () => resolveImpersonation(headersOf(c), c.user, upstreamTestAuthorizer);
      if (c.expected === 403) expect(resolve).toThrow(ImpersonationForbidden);
      else if (c.expected === 500) expect(resolve).toThrow(ImpersonationHeaderError);
      else expect(resolve()).toStrictEqual(c.expected);
    });
  }

  it('returns the requester itself when nothing is impersonated, even with an empty Impersonate-User', () => {
    const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
    expect(resolveImpersonation({ 'impersonate-user': [''] }, alice, () => ALLOW)).toBe(alice);
    expect(resolveImpersonation({ accept: ['*/*'] }, alice, () => ALLOW)).toBe(alice);
  });

  it('drops the requester’s uid and extra', () => {
    const requester: UserInfo = { username: 'a', uid: 'u', groups: [], extra: { k: ['v'] } };
    expect(resolveImpersonation({ 'impersonate-user': ['bob'] }, requester, () => ALLOW)).toStrictEqual({
      username: 'bob',
      groups: ['system:authenticated'],
    });
  });

  it('gives a service account only the requested groups when groups are given', () => {
    const user = resolveImpersonation(
      { 'impersonate-user': ['system:serviceaccount:dev:builder'], 'impersonate-group': ['devs'] },
      { username: 'admin', groups: [] },
      () => ALLOW,
    );
    expect(user).toStrictEqual({
      username: 'system:serviceaccount:dev:builder',
      groups: ['devs', 'system:authenticated'],
    });
  });

  it('asks the authorizer for each attribute in upstream order and stops at the first denial', () => {
    const asked: AuthorizationAttributes[] = [];
    const requester: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
    const headers: DistinctHeaders = {
      'impersonate-uid': ['1234'],
      'impersonate-extra-scopes': ['a', 'b'],
      'impersonate-group': ['devs', 'qa'],
      'impersonate-user': ['system:serviceaccount:dev:builder'],
    };
    resolveImpersonation(headers, requester, (a) => (asked.push(a), ALLOW));
    expect(asked.map((a) => [a.resource, a.subresource, a.apiGroup, a.namespace, a.name])).toEqual([
      ['serviceaccounts', '', '', 'dev', 'builder'],
      ['groups', '', '', '', 'devs'],
      ['groups', '', '', '', 'qa'],
      ['userextras', 'scopes', 'authentication.k8s.io', '', 'a'],
      ['userextras', 'scopes', 'authentication.k8s.io', '', 'b'],
      ['uids', '', 'authentication.k8s.io', '', '1234'],
    ]);
    expect(asked.every((a) => a.verb === 'impersonate' && a.isResourceRequest && a.user === requester)).toBe(
      true,
    );

    asked.length = 0;
    expect(() =>
      resolveImpersonation(headers, requester, (a) => {
        asked.push(a);
        return a.resource === 'groups' ? { allowed: false, reason: '' } : ALLOW;
      }),
    ).toThrow('groups "devs" is forbidden');
    expect(asked).toHaveLength(2);
  });
});

describe('the 403 of a denied impersonation', () => {
  const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
  const denied = (headers: DistinctHeaders, reason = ''): ImpersonationForbidden => {
    try {
      resolveImpersonation(headers, alice, () => ({ allowed: false, reason }));
    } catch (error) {
      if (error instanceof ImpersonationForbidden) return error;
      throw error;
    }
    throw new Error('not denied');
  };

  it('uses the real messages and details', () => {
    const user = denied({ 'impersonate-user': ['bob'] });
    expect(user.toStatus()).toStrictEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
      reason: 'Forbidden',
      details: { name: 'bob', kind: 'users' },
      code: 403,
    });
    expect(denied({ 'impersonate-user': ['system:serviceaccount:dev:builder'] }).message).toBe(
      'serviceaccounts "builder" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "dev"',
    );
    const uid = denied({ 'impersonate-user': ['bob'], 'impersonate-uid': ['1234'] }, 'x');
    expect(uid.message).toBe(
      'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope: x',
    );
  });

  it('names the resource, group and subresource of uids and extras', () => {
    const requester: UserInfo = { username: 'alice', groups: [] };
    const onlyDeny =
      (resource: string) =>
      (a: AuthorizationAttributes): AuthorizationDecision =>
        a.resource === resource ? { allowed: false, reason: '' } : ALLOW;
    const catchStatus = (headers: DistinctHeaders, resource: string) => {
      try {
        resolveImpersonation(headers, requester, onlyDeny(resource));
      } catch (error) {
        return (error as ImpersonationForbidden).toStatus();
      }
      throw new Error('not denied');
    };
    expect(catchStatus({ 'impersonate-user': ['bob'], 'impersonate-uid': ['1234'] }, 'uids')).toMatchObject({
      message:
        'uids.authentication.k8s.io "1234" is forbidden: User "alice" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope',
      details: { name: '1234', group: 'authentication.k8s.io', kind: 'uids' },
    });
    expect(
      catchStatus(
        { 'impersonate-user': ['bob'], 'impersonate-extra-example.com%2fteam': ['<a&b>'] },
        'userextras',
      ),
    ).toMatchObject({
      message:
        'userextras.authentication.k8s.io "<a&b>" is forbidden: User "alice" cannot impersonate resource "userextras/example.com/team" in API group "authentication.k8s.io" at the cluster scope',
      details: { name: '<a&b>', group: 'authentication.k8s.io', kind: 'userextras' },
    });
    expect(catchStatus({ 'impersonate-user': ['bob'], 'impersonate-group': [''] }, 'groups')).toMatchObject({
      message:
        'groups is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope',
      details: { kind: 'groups' },
    });
  });
});

describe('buildImpersonationRequests', () => {
  it('turns headers into upstream’s object references', () => {
    expect(
      buildImpersonationRequests({
        'impersonate-user': ['system:serviceaccount:dev:builder', 'ignored'],
        'impersonate-group': ['devs', 'a, b'],
        'impersonate-extra-foo%2fbar': ['x'],
        'impersonate-uid': ['1234', 'ignored'],
      }),
    ).toEqual([
      { kind: 'ServiceAccount', namespace: 'dev', name: 'builder', apiVersion: '', fieldPath: '' },
      { kind: 'Group', namespace: '', name: 'devs', apiVersion: '', fieldPath: '' },
      { kind: 'Group', namespace: '', name: 'a, b', apiVersion: '', fieldPath: '' },
      {
        kind: 'UserExtra',
        namespace: '',
        name: 'x',
        apiVersion: 'authentication.k8s.io/v1',
        fieldPath: 'foo/bar',
      },
      { kind: 'UID', namespace: '', name: '1234', apiVersion: 'authentication.k8s.io/v1', fieldPath: '' },
    ]);
  });

  it('reads header bytes as UTF-8, as Go does', () => {
    const latin1 = Buffer.from('jöhn', 'utf8').toString('latin1');
    expect(buildImpersonationRequests({ 'impersonate-user': [latin1] })[0]!.name).toBe('jöhn');
  });

  it('rejects groups, extras or a uid without a user with upstream’s %v rendering', () => {
    expect(() => buildImpersonationRequests({ 'impersonate-group': ['devs'] })).toThrow(
      'requested [{Group  devs    }] without impersonating a user',
    );
    expect(() =>
      buildImpersonationRequests({
        'impersonate-user': [''],
        'impersonate-group': ['g'],
        'impersonate-extra-scopes': ['s'],
        'impersonate-uid': ['1'],
      }),
    ).toThrow(
      'requested [{Group  g    } {UserExtra  s  authentication.k8s.io/v1  scopes} {UID  1  authentication.k8s.io/v1  }] without impersonating a user',
    );
  });

  it('maps each kind to its resource', () => {
    const requester: UserInfo = { username: 'a', groups: [] };
    const [user] = buildImpersonationRequests({ 'impersonate-user': ['system:serviceaccount:Dev:x'] });
    expect(impersonationAttributes(requester, user!)).toMatchObject({
      resource: 'users',
      name: 'system:serviceaccount:Dev:x',
      namespace: '',
      apiGroup: '',
      apiVersion: '',
    });
    const [, extra] = buildImpersonationRequests({ 'impersonate-user': ['u'], 'impersonate-extra-k': ['v'] });
    expect(impersonationAttributes(requester, extra!)).toMatchObject({
      resource: 'userextras',
      subresource: 'k',
      name: 'v',
      apiGroup: 'authentication.k8s.io',
      apiVersion: 'v1',
    });
  });
});

describe('splitServiceAccountUsername', () => {
  it('accepts exactly system:serviceaccount:<label>:<subdomain>', () => {
    expect(splitServiceAccountUsername('system:serviceaccount:default:pod-reader')).toEqual({
      namespace: 'default',
      name: 'pod-reader',
    });
    expect(splitServiceAccountUsername('system:serviceaccount:ns:a.b-c')).toEqual({
      namespace: 'ns',
      name: 'a.b-c',
    });
    for (const invalid of [
      'system:serviceaccount:ns',
      'system:serviceaccount:ns:a:b',
      'system:serviceaccount::a',
      'system:serviceaccount:ns:',
      'system:serviceaccount:Ns:a',
      'system:serviceaccount:n.s:a',
      'system:serviceaccount:ns:A',
      `system:serviceaccount:${'a'.repeat(64)}:a`,
      `system:serviceaccount:ns:${'a'.repeat(254)}`,
      'system:serviceaccounts:ns:a',
    ]) {
      expect(splitServiceAccountUsername(invalid), invalid).toBeUndefined();
    }
  });
});

describe('unescapeExtraKey', () => {
  it('percent-decodes like url.PathUnescape and keeps malformed keys', () => {
    expect(unescapeExtraKey('example.com%2fescaped%e1%9b%84scopes')).toBe('example.com/escapedᛄscopes');
    expect(unescapeExtraKey('a+b%20c')).toBe('a+b c');
    expect(unescapeExtraKey('almost%zzpercent%xxencoded')).toBe('almost%zzpercent%xxencoded');
    expect(unescapeExtraKey('trailing%2')).toBe('trailing%2');
    expect(unescapeExtraKey('plain')).toBe('plain');
  });
});

describe('removeImpersonationHeaders', () => {
  it('deletes every impersonation header from a real request', async () => {
    const seen = await new Promise<IncomingMessage>((resolve, reject) => {
      const server = createServer((req, res) => {
        void req.headersDistinct;
        removeImpersonationHeaders(req);
        resolve(req);
        res.end();
        server.close();
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        const req = httpRequest({
          port,
          host: '127.0.0.1',
          agent: false,
          headers: [
            'Host',
            '127.0.0.1',
            'Connection',
            'close',
            'Impersonate-User',
            'bob',
            'Impersonate-Group',
            'a',
            'impersonate-group',
            'b',
            'Impersonate-Uid',
            '1',
            'Impersonate-Extra-Scopes',
            's',
            'X-Other',
            'kept',
          ] as unknown as Record<string, string>,
        });
        req.on('error', reject);
        req.on('response', (r) => r.resume());
        req.end();
      });
    });
    expect(Object.keys(seen.headers).filter((h) => h.startsWith('impersonate'))).toEqual([]);
    expect(Object.keys(seen.headersDistinct).filter((h) => h.startsWith('impersonate'))).toEqual([]);
    expect(seen.rawHeaders.filter((h) => /^impersonate/i.test(h))).toEqual([]);
    expect(seen.headers['x-other']).toBe('kept');
    expect(seen.rawHeaders).toContain('kept');
  });
});
