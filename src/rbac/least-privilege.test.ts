import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { RecordedRequest } from './decision-log.js';
import type { AuthorizationRequestAttributes } from './decision-types.js';
import {
  buildLeastPrivilege,
  compareVerbs,
  nonResourceRules,
  renderRbacReport,
  resourceRules,
} from './least-privilege.js';

const SA = 'system:serviceaccount:default:app';
const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'];

function attrs(
  verb: string,
  resource: string,
  more: Partial<AuthorizationRequestAttributes> = {},
): AuthorizationRequestAttributes {
  const [base, subresource = ''] = resource.split('/');
  return {
    verb,
    resourceRequest: true,
    namespace: 'default',
    apiGroup: '',
    apiVersion: 'v1',
    resource: base!,
    subresource,
    name: '',
    path: '',
    ...more,
  };
}

function path(verb: string, url: string): AuthorizationRequestAttributes {
  return {
    ...attrs(verb, ''),
    resourceRequest: false,
    namespace: '',
    resource: '',
    apiVersion: '',
    path: url,
  };
}

const recorded = (a: AuthorizationRequestAttributes, count = 1, denied = 1): RecordedRequest => ({
  attributes: a,
  groups: SA_GROUPS,
  count,
  denied,
});

describe('resourceRules', () => {
  it('merges verbs per resource, keeps subresources apart, and sorts', () => {
    expect(
      resourceRules([
        attrs('watch', 'pods'),
        attrs('list', 'pods'),
        attrs('list', 'pods'),
        attrs('get', 'pods/log', { name: 'web' }),
        attrs('create', 'configmaps', { name: '' }),
        attrs('list', 'deployments', { apiGroup: 'apps' }),
      ]),
    ).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], resourceNames: ['web'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    ]);
  });

  it('uses resourceNames only when every request for the verb named an object', () => {
    expect(
      resourceRules([
        attrs('get', 'configmaps', { name: 'b' }),
        attrs('get', 'configmaps', { name: 'a' }),
        attrs('update', 'configmaps', { name: 'a' }),
        attrs('update', 'configmaps', { name: 'b' }),
        attrs('delete', 'configmaps', { name: 'a' }),
        attrs('list', 'secrets', { name: 'token' }),
        attrs('list', 'secrets'),
        attrs('watch', 'secrets', { name: 'token' }),
      ]),
    ).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['delete'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'], verbs: ['get', 'update'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['token'], verbs: ['watch'] },
    ]);
  });

  it('never limits create or deletecollection to names, and can leave names out', () => {
    expect(
      resourceRules([
        attrs('create', 'pods', { name: 'x' }),
        attrs('deletecollection', 'pods', { name: 'y' }),
      ]),
    ).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'deletecollection'] }]);
    expect(resourceRules([attrs('get', 'pods', { name: 'web' })], false)).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    ]);
  });

  it('shares a rule between resources of one group with the same verbs and names, never across groups', () => {
    expect(
      resourceRules([
        attrs('get', 'pods', { name: 'web' }),
        attrs('get', 'pods/log', { name: 'web' }),
        attrs('list', 'services'),
        attrs('list', 'deployments', { apiGroup: 'apps' }),
      ]),
    ).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/log'], resourceNames: ['web'], verbs: ['get'] },
      { apiGroups: [''], resources: ['services'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    ]);
  });

  it('gives the same rules whatever the order of the requests', () => {
    const requests = [
      attrs('get', 'pods', { name: 'b' }),
      attrs('watch', 'pods'),
      attrs('get', 'pods', { name: 'a' }),
      attrs('patch', 'pods/status', { name: 'a' }),
      attrs('list', 'leases', { apiGroup: 'coordination.k8s.io' }),
      attrs('update', 'leases', { apiGroup: 'coordination.k8s.io', name: 'lock' }),
    ];
    const expected = resourceRules(requests);
    for (let i = 0; i < 10; i++) {
      const shuffled = [...requests].sort(() => Math.random() - 0.5);
      expect(resourceRules(shuffled)).toEqual(expected);
    }
  });

  it('orders verbs as Kubernetes does, then alphabetically', () => {
    expect(['impersonate', 'delete', 'bind', 'get', 'watch', 'create'].sort(compareVerbs)).toEqual([
      'get',
      'watch',
      'create',
      'delete',
      'bind',
      'impersonate',
    ]);
  });
});

describe('nonResourceRules', () => {
  it('groups paths by their verbs', () => {
    expect(
      nonResourceRules([path('get', '/metrics'), path('get', '/debug/pprof'), path('post', '/debug/pprof')]),
    ).toEqual([
      { nonResourceURLs: ['/debug/pprof'], verbs: ['get', 'post'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
  });
});

describe('buildLeastPrivilege', () => {
  const requests = [
    recorded(attrs('list', 'pods')),
    recorded(attrs('list', 'pods', { namespace: 'kube-system' })),
    recorded(attrs('list', 'pods', { namespace: '' })),
    recorded(attrs('get', 'namespaces', { namespace: '', name: 'prod' })),
    recorded(path('get', '/metrics')),
    recorded(path('get', '/healthz'), 3, 0),
    recorded(path('get', '/apis'), 1, 0),
    recorded(
      attrs('create', 'selfsubjectaccessreviews', { namespace: '', apiGroup: 'authorization.k8s.io' }),
      1,
      0,
    ),
  ];

  it('puts namespaced requests in a Role per namespace, the rest in a ClusterRole, each bound to the user', () => {
    const plan = buildLeastPrivilege(requests, { user: SA });
    expect(plan.objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'ClusterRole /default:app',
      'ClusterRoleBinding /default:app',
      'Role default/app',
      'RoleBinding default/app',
      'Role kube-system/default:app',
      'RoleBinding kube-system/default:app',
    ]);
    expect(plan.objects[0]!.rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], resourceNames: ['prod'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    expect(plan.objects[1]).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'default:app' },
      subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'default' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'default:app' },
    });
    expect(plan.objects[4]!.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
  });

  it("leaves out what every cluster's default roles grant, unless asked", () => {
    const plan = buildLeastPrivilege(requests, { user: SA });
    expect(plan.defaultGranted).toEqual([
      'create selfsubjectaccessreviews.authorization.k8s.io',
      'get /apis',
      'get /healthz',
    ]);
    expect({ distinct: plan.distinct, total: plan.total, denied: plan.denied }).toEqual({
      distinct: 8,
      total: 10,
      denied: 5,
    });
    const all = buildLeastPrivilege(requests, { user: SA, includeDefaultGranted: true });
    expect(all.defaultGranted).toEqual([]);
    expect(all.objects[0]!.rules).toContainEqual({
      nonResourceURLs: ['/apis', '/healthz', '/metrics'],
      verbs: ['get'],
    });
  });

  it('binds a user as a User, and takes a given name', () => {
    const plan = buildLeastPrivilege([recorded(attrs('get', 'pods', { name: 'x' }))], {
      user: 'jane@example.com',
    });
    expect(plan.objects[1]).toMatchObject({
      metadata: { name: 'jane@example.com', namespace: 'default' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane@example.com' }],
    });
    const named = buildLeastPrivilege(requests, { user: SA, name: 'my-app' });
    expect(new Set(named.objects.map((o) => o.metadata.name))).toEqual(new Set(['my-app']));
  });
});

describe('renderRbacReport', () => {
  it('writes a commented multi-document YAML stream in the docs’ rule style', () => {
    const plan = buildLeastPrivilege(
      [
        recorded(attrs('get', 'pods', { name: 'web' })),
        recorded(attrs('get', 'pods/log', { name: 'web' })),
        recorded(path('get', '/healthz'), 2, 0),
      ],
      { user: SA },
    );
    const text = renderRbacReport(plan, SA);
    expect(text)
      .toBe(`# Least-privilege RBAC for system:serviceaccount:default:app, generated by fake-apiserver
# from the requests it made (3 distinct requests, 4 in all, 2 denied then).
# Left out, as every cluster's default roles grant them:
#   get /healthz
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app
  namespace: default
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    resourceNames: ["web"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app
  namespace: default
subjects:
  - kind: ServiceAccount
    name: app
    namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app
`);
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual(plan.objects);
  });

  it('says so when nothing is needed', () => {
    const text = renderRbacReport(buildLeastPrivilege([], { user: SA }), SA);
    expect(text).toBe(
      '# Least-privilege RBAC for system:serviceaccount:default:app, generated by fake-apiserver\n' +
        '# from the requests it made: none.\n# Nothing else is needed.\n',
    );
  });
});
