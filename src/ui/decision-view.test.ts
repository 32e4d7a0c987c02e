import { describe, expect, it } from 'vitest';
import { serviceAccountUser, type UserInfo } from '../auth/user-info.js';
import { KindRegistry } from '../registry/kind-registry.js';
import { builtInKinds } from '../registry/built-in-kinds.js';
import { authorize } from '../rbac/authorizer.js';
import { AuthorizationRecorder } from '../rbac/decision-log.js';
import type { AuthorizationDecisionRecord } from '../rbac/decision-types.js';
import { rbacSourceFromStore } from '../rbac/store-source.js';
import type { AuthorizationAttributes } from '../rbac/types.js';
import { ObjectStore } from '../store/object-store.js';
import { inspectorDecision } from './decision-view.js';

const registry = new KindRegistry(builtInKinds);
const app: UserInfo = {
  ...serviceAccountUser('default', 'app'),
  groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
};

function setUp() {
  const store = new ObjectStore();
  const create = (apiVersion: string, kind: string, body: Record<string, unknown>) =>
    store.create(registry.byApiVersionKind(apiVersion, kind)!, { apiVersion, kind, ...body });
  create('rbac.authorization.k8s.io/v1', 'Role', {
    metadata: { name: 'pod-reader', namespace: 'default' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
  });
  create('rbac.authorization.k8s.io/v1', 'RoleBinding', {
    metadata: { name: 'app-reads', namespace: 'default' },
    subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'default' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
  });
  const recorder = new AuthorizationRecorder({ store, clock: { now: () => new Date(0) }, log: () => {} });
  const decide = (attributes: Partial<AuthorizationAttributes>, user = app): void => {
    const full: AuthorizationAttributes = {
      user,
      verb: 'list',
      isResourceRequest: true,
      path: '/api/v1/namespaces/default/pods',
      namespace: 'default',
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'pods',
      subresource: '',
      name: '',
      ...attributes,
    };
    recorder.record('request', 'GET', full, authorize(rbacSourceFromStore({ store }), full));
  };
  return { recorder, decide };
}

describe('AuthorizationRecorder.subscribe and the inspector view of a decision', () => {
  it('hands each decision to subscribers once decided, a denial with its analysis, until unsubscribed', () => {
    const { recorder, decide } = setUp();
    const seen: AuthorizationDecisionRecord[] = [];
    const stop = recorder.subscribe((record) => seen.push(record));
    decide({});
    decide({ namespace: 'kube-system', path: '/api/v1/namespaces/kube-system/pods' });
    stop();
    decide({});
    expect(seen.map((r) => [r.seq, r.allowed])).toEqual([
      [1, true],
      [2, false],
    ]);

    expect(inspectorDecision(seen[0]!)).toMatchObject({
      seq: 1,
      time: '1970-01-01T00:00:00.000Z',
      user: 'system:serviceaccount:default:app',
      verb: 'list',
      resource: 'pods',
      namespace: 'default',
      name: '',
      allowed: true,
      reason: 'by RoleBinding "app-reads/default" → Role "pod-reader"',
    });
    const denied = inspectorDecision(seen[1]!);
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toBe(
      'closest: RoleBinding "app-reads/default" → Role "pod-reader": it is bound in namespace "default", not "kube-system"; needs a Role in "kube-system" with {apiGroups: [""], resources: [pods], verbs: [list]}',
    );
    expect(denied.explanation).toMatch(/^DENIED: system:serviceaccount:default:app cannot list pods/);
  });

  it('names system:masters for an admin, and leaves the resource empty for a path', () => {
    const { recorder, decide } = setUp();
    decide(
      {
        isResourceRequest: false,
        verb: 'get',
        path: '/healthz',
        namespace: '',
        resource: '',
        apiVersion: '',
      },
      { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
    );
    const [record] = recorder.decisions();
    expect(inspectorDecision(record!)).toMatchObject({
      path: '/healthz',
      resource: '',
      allowed: true,
      reason: 'member of system:masters: allowed before RBAC is asked',
    });
  });
});
