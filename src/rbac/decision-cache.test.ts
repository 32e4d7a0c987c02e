import { describe, expect, it } from 'vitest';
import { rbacKinds } from '../registry/built-in-kinds.js';
import { ObjectStore } from '../store/object-store.js';
import { cachedAuthorizer } from './decision-cache.js';
import type { AuthorizationAttributes } from './types.js';

const [roleKind, roleBindingKind] = rbacKinds as [(typeof rbacKinds)[number], (typeof rbacKinds)[number]];

const request = (user: string, verb = 'get'): AuthorizationAttributes => ({
  user: { username: user, groups: ['system:authenticated'] },
  verb,
  isResourceRequest: true,
  path: '/api/v1/namespaces/default/pods/web',
  namespace: 'default',
  apiGroup: '',
  apiVersion: 'v1',
  resource: 'pods',
  subresource: '',
  name: 'web',
});

function storeWithRole(): ObjectStore {
  const store = new ObjectStore();
  store.create(roleKind, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader', namespace: 'default' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  });
  return store;
}

const binding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'alice-reads', namespace: 'default' },
  subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { kind: 'Role', name: 'reader', apiGroup: 'rbac.authorization.k8s.io' },
};

describe('cachedAuthorizer', () => {
  it('decides the same request once while RBAC stays the same', () => {
    const store = storeWithRole();
    store.create(roleBindingKind, binding);
    const decide = cachedAuthorizer(store);
    const first = decide(request('alice'));
    expect(first.allowed).toBe(true);
    expect(decide(request('alice'))).toBe(first);
    expect(decide(request('bob')).allowed).toBe(false);
    expect(decide(request('alice', 'delete')).allowed).toBe(false);
  });

  it('decides again once a binding appears, changes or goes', () => {
    const store = storeWithRole();
    const decide = cachedAuthorizer(store);
    expect(decide(request('alice')).allowed).toBe(false);
    const created = store.create(roleBindingKind, binding);
    expect(decide(request('alice')).allowed).toBe(true);
    store.update(roleBindingKind, {
      ...created,
      subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    expect(decide(request('alice')).allowed).toBe(false);
    expect(decide(request('bob')).allowed).toBe(true);
    store.delete(roleBindingKind, 'default', 'alice-reads');
    expect(decide(request('bob')).allowed).toBe(false);
  });

  it('decides again once a role changes', () => {
    const store = storeWithRole();
    store.create(roleBindingKind, binding);
    const decide = cachedAuthorizer(store);
    expect(decide(request('alice')).allowed).toBe(true);
    const role = store.get(roleKind, 'default', 'reader')!;
    store.update(roleKind, { ...role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] });
    expect(decide(request('alice')).allowed).toBe(false);
  });

  it('tells users apart by their groups', () => {
    const store = storeWithRole();
    store.create(roleBindingKind, {
      ...binding,
      subjects: [{ kind: 'Group', name: 'readers', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    const decide = cachedAuthorizer(store);
    expect(decide(request('carol')).allowed).toBe(false);
    expect(
      decide({
        ...request('carol'),
        user: { username: 'carol', groups: ['system:authenticated', 'readers'] },
      }).allowed,
    ).toBe(true);
  });
});
