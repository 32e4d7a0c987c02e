// Identities as a cluster has them: a service account, a Role and a RoleBinding made through the API, a token
// from TokenRequest; then what RBAC allows and denies (with its messages), TokenReview, impersonation,
// anonymous requests and bad credentials.

const NS = '/api/v1/namespaces/{ns}';
const json = (o) => o;

/** The steps that make service account `reader` able to read config maps in the scenario's namespace. */
function reader({ verbs = ['get', 'list', 'watch'], resources = ['configmaps'], extraRules = [] } = {}) {
  return [
    {
      method: 'POST',
      path: `${NS}/serviceaccounts`,
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } },
      compare: 'none',
    },
    {
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles',
      body: json({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'reader' },
        rules: [{ apiGroups: [''], resources, verbs }, ...extraRules],
      }),
      compare: 'none',
    },
    {
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: '{ns}' }],
      },
      compare: 'none',
    },
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/reader/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
      capture: { tok: 'status.token' },
    },
  ];
}

const SA_USER = 'system:serviceaccount:{ns}:reader';

/** @returns {{ name: string, group: string, steps: object[] }[]} */
export function authScenarios() {
  const out = [];
  const add = (name, steps, group = 'auth') => out.push({ name, group, steps });
  const as = '{tok}';

  add('service account reads what its Role allows', [
    ...reader(),
    { as, method: 'GET', path: `${NS}/configmaps` },
  ]);
  add('service account denied secrets (message)', [
    ...reader(),
    { as, method: 'GET', path: `${NS}/secrets` },
  ]);
  add('service account denied one secret by name', [
    ...reader(),
    { as, method: 'GET', path: `${NS}/secrets/s1` },
  ]);
  add('service account denied create', [
    ...reader(),
    {
      as,
      method: 'POST',
      path: `${NS}/configmaps`,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    },
  ]);
  add('service account denied in another namespace', [
    ...reader(),
    { as, method: 'GET', path: '/api/v1/namespaces/default/configmaps' },
  ]);
  add('service account denied cluster-wide list', [
    ...reader(),
    { as, method: 'GET', path: '/api/v1/configmaps' },
  ]);
  add('service account denied a cluster-scoped kind', [
    ...reader(),
    { as, method: 'GET', path: '/api/v1/nodes' },
  ]);
  add('service account denied a subresource', [...reader(), { as, method: 'GET', path: `${NS}/pods/p/log` }]);
  add('service account denied a group resource', [
    ...reader(),
    { as, method: 'GET', path: '/apis/apps/v1/namespaces/{ns}/deployments' },
  ]);
  add('service account denied delete collection', [
    ...reader(),
    { as, method: 'DELETE', path: `${NS}/configmaps` },
  ]);
  add('service account watch allowed', [
    ...reader(),
    { as, watch: 'w', path: `${NS}/configmaps?watch=1&timeoutSeconds=1` },
  ]);
  add('service account reads discovery', [
    ...reader(),
    { as, method: 'GET', path: '/api' },
    { as, method: 'GET', path: '/apis/apps/v1' },
  ]);
  add('service account reads /version and /healthz', [
    ...reader(),
    { as, method: 'GET', path: '/version', compare: 'status' },
    { as, method: 'GET', path: '/healthz' },
  ]);
  add('service account denied non-resource /metrics', [...reader(), { as, method: 'GET', path: '/metrics' }]);
  add('service account SelfSubjectReview', [
    ...reader(),
    {
      as,
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    },
  ]);
  add('service account SelfSubjectAccessReview allowed', [
    ...reader(),
    {
      as,
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: '{ns}', verb: 'list', resource: 'configmaps' } },
      },
    },
  ]);
  add('service account SelfSubjectAccessReview denied', [
    ...reader(),
    {
      as,
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: '{ns}', verb: 'delete', resource: 'secrets' } },
      },
    },
  ]);
  add('service account SelfSubjectRulesReview', [
    ...reader(),
    {
      as,
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        spec: { namespace: '{ns}' },
      },
    },
  ]);
  add('SubjectAccessReview for the service account', [
    ...reader(),
    {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: SA_USER,
          groups: ['system:serviceaccounts'],
          resourceAttributes: { namespace: '{ns}', verb: 'get', resource: 'configmaps' },
        },
      },
    },
  ]);
  add('SubjectAccessReview without a user', [
    {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { resourceAttributes: { verb: 'get', resource: 'pods' } },
      },
    },
  ]);
  add('LocalSubjectAccessReview namespace mismatch', [
    {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        spec: { user: 'jane', resourceAttributes: { namespace: 'other', verb: 'get', resource: 'pods' } },
      },
    },
  ]);

  // TokenRequest and TokenReview.
  add('TokenRequest default expiry and audience', [
    ...reader(),
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/reader/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    },
  ]);
  add('TokenRequest with expirationSeconds and audiences', [
    ...reader(),
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/reader/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 1200, audiences: ['api', 'vault'] },
      },
    },
  ]);
  add('TokenRequest too short', [
    ...reader(),
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/reader/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 60 } },
    },
  ]);
  add('TokenRequest for a missing service account', [
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/nobody/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    },
  ]);
  add('TokenRequest bound to a missing pod', [
    ...reader(),
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/reader/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nopod' } },
      },
    },
  ]);
  add('TokenRequest bound to a pod of another service account', [
    ...reader(),
    {
      method: 'POST',
      path: `${NS}/pods`,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
      compare: 'none',
    },
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/reader/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } },
      },
    },
  ]);
  add('TokenRequest bound to a pod', [
    {
      method: 'POST',
      path: `${NS}/pods`,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
      compare: 'none',
    },
    {
      method: 'POST',
      path: `${NS}/serviceaccounts/default/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } },
      },
      capture: { ptok: 'status.token' },
    },
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: '{ptok}' } },
    },
  ]);
  add('TokenReview of a service-account token', [
    ...reader(),
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: '{tok}' } },
    },
  ]);
  add('TokenReview with a foreign audience', [
    ...reader(),
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token: '{tok}', audiences: ['vault'] },
      },
    },
  ]);
  add('TokenReview of garbage', [
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'garbage' } },
    },
  ]);
  add('TokenReview without a token', [
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} },
    },
  ]);
  add('TokenReview of the static admin token', [
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token: 'oracle-admin-token' },
      },
    },
  ]);
  add('token of a deleted service account is refused', [
    ...reader(),
    { method: 'DELETE', path: `${NS}/serviceaccounts/reader`, compare: 'none' },
    { as, method: 'GET', path: `${NS}/configmaps` },
  ]);
  add('legacy token Secret gets a token', [
    {
      method: 'POST',
      path: `${NS}/serviceaccounts`,
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'legacy' } },
      compare: 'none',
    },
    {
      method: 'POST',
      path: `${NS}/secrets`,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } },
        type: 'kubernetes.io/service-account-token',
      },
    },
    { sleepMs: 1500 },
    {
      method: 'GET',
      path: `${NS}/secrets/legacy-token`,
      project: (s) => ({ ...s, data: Object.keys(s.data ?? {}).sort() }),
    },
  ]);

  // Impersonation.
  const imp = (headers, path = `${NS}/secrets`, who = 'admin') => ({ as: who, method: 'GET', path, headers });
  add('admin impersonates the service account (denied secrets)', [
    ...reader(),
    imp({ 'impersonate-user': SA_USER }),
  ]);
  add('admin impersonates the service account (allowed configmaps)', [
    ...reader(),
    imp({ 'impersonate-user': SA_USER }, `${NS}/configmaps`),
  ]);
  add('admin impersonates a user with groups', [
    imp({ 'impersonate-user': 'jane', 'impersonate-group': 'devs' }),
  ]);
  add('admin impersonates a group without a user', [imp({ 'impersonate-group': 'devs' })]);
  add('admin impersonates a user with extras, SelfSubjectReview', [
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      headers: {
        'impersonate-user': 'jane',
        'impersonate-group': 'devs',
        'impersonate-extra-scopes': 'view',
        'impersonate-uid': 'u-1',
      },
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    },
  ]);
  add('service account may not impersonate (message)', [
    ...reader(),
    imp({ 'impersonate-user': 'jane' }, `${NS}/configmaps`, as),
  ]);
  add('service account may not impersonate a group', [
    ...reader(),
    imp({ 'impersonate-user': SA_USER, 'impersonate-group': 'system:masters' }, `${NS}/configmaps`, as),
  ]);
  add('service account allowed to impersonate one user', [
    ...reader({ extraRules: [] }),
    {
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: '{sid}-imp' },
        rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['jane'] }],
      },
      compare: 'none',
    },
    {
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: '{sid}-imp' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: '{sid}-imp' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: '{ns}' }],
      },
      compare: 'none',
    },
    imp({ 'impersonate-user': 'jane' }, `${NS}/configmaps`, as),
    imp({ 'impersonate-user': 'john' }, `${NS}/configmaps`, as),
    {
      method: 'DELETE',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{sid}-imp',
      compare: 'none',
    },
    { method: 'DELETE', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles/{sid}-imp', compare: 'none' },
  ]);

  // RBAC escalation.
  add('role escalation refused', [
    ...reader({
      extraRules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] }],
    }),
    {
      as,
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'big' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
      },
    },
  ]);
  add("role within one's own rights allowed", [
    ...reader({
      extraRules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] }],
    }),
    {
      as,
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'small' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      },
    },
  ]);
  add('binding to a role one lacks refused', [
    ...reader({
      extraRules: [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] },
      ],
    }),
    {
      as,
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'b' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    },
  ]);

  // Anonymous and bad credentials.
  add('anonymous list namespaces', [{ as: 'anonymous', method: 'GET', path: '/api/v1/namespaces' }]);
  add('anonymous reads /version', [{ as: 'anonymous', method: 'GET', path: '/version', compare: 'status' }]);
  add('anonymous reads /healthz /livez /readyz', [
    { as: 'anonymous', method: 'GET', path: '/healthz' },
    { as: 'anonymous', method: 'GET', path: '/livez' },
    { as: 'anonymous', method: 'GET', path: '/readyz' },
  ]);
  add('anonymous denied discovery /api', [{ as: 'anonymous', method: 'GET', path: '/api' }]);
  add('anonymous denied /openid/v1/jwks', [{ as: 'anonymous', method: 'GET', path: '/openid/v1/jwks' }]);
  add('anonymous SelfSubjectReview', [
    {
      as: 'anonymous',
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    },
  ]);
  add('bad bearer token', [{ as: 'not-a-token', method: 'GET', path: '/api/v1/namespaces' }]);
  add('bad bearer token on /healthz', [{ as: 'not-a-token', method: 'GET', path: '/healthz' }]);
  add('malformed JWT', [{ as: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', method: 'GET', path: '/api/v1/namespaces' }]);
  add('Authorization header without Bearer', [
    {
      as: 'anonymous',
      method: 'GET',
      path: '/api/v1/namespaces',
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    },
  ]);
  add('service account reads OIDC discovery', [
    ...reader(),
    { as, method: 'GET', path: '/.well-known/openid-configuration' },
    { as, method: 'GET', path: '/openid/v1/jwks', compare: 'status' },
  ]);
  return out;
}
