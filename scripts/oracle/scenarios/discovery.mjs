// Discovery (legacy and aggregated), OpenAPI v2 and v3, and a CustomResourceDefinition served live.

const GROUP_VERSIONS = [
  'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1',
  'apiregistration.k8s.io/v1',
  'apps/v1',
  'authentication.k8s.io/v1',
  'authorization.k8s.io/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'certificates.k8s.io/v1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'rbac.authorization.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1',
];

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Sorts a discovery resource list by name so that only content, not order, is compared where order is free. */
const byName = (doc) =>
  doc && Array.isArray(doc.resources)
    ? { ...doc, resources: [...doc.resources].sort((a, b) => a.name.localeCompare(b.name)) }
    : doc;

/** @returns {{ name: string, group: string, steps: object[] }[]} */
export function discoveryScenarios() {
  const out = [];
  const add = (name, steps, group = 'discovery') => out.push({ name, group, steps });
  add('GET /api', [{ method: 'GET', path: '/api' }]);
  add('GET /apis', [{ method: 'GET', path: '/apis' }]);
  add('GET /api/v1', [{ method: 'GET', path: '/api/v1', project: byName }]);
  for (const gv of GROUP_VERSIONS) {
    add(`GET /apis/${gv}`, [{ method: 'GET', path: `/apis/${gv}`, project: byName }]);
  }
  for (const group of [...new Set(GROUP_VERSIONS.map((gv) => gv.split('/')[0]))]) {
    add(`GET /apis/${group}`, [{ method: 'GET', path: `/apis/${group}` }]);
  }
  add('aggregated discovery /api', [{ method: 'GET', path: '/api', headers: { accept: AGGREGATED } }]);
  add('aggregated discovery /apis', [{ method: 'GET', path: '/apis', headers: { accept: AGGREGATED } }]);
  add('aggregated discovery v2beta1 (gone in 1.33?)', [
    {
      method: 'GET',
      path: '/apis',
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' },
      compare: 'status',
    },
  ]);
  add('GET /version', [
    {
      method: 'GET',
      path: '/version',
      project: (v) => ({ major: v.major, minor: v.minor, platform: v.platform }),
    },
  ]);
  add('GET /openapi/v2', [{ method: 'GET', path: '/openapi/v2' }]);
  add('GET /openapi/v3', [{ method: 'GET', path: '/openapi/v3' }]);
  add('GET /openapi/v3/api/v1', [{ method: 'GET', path: '/openapi/v3/api/v1' }]);
  for (const gv of [
    'apps/v1',
    'batch/v1',
    'rbac.authorization.k8s.io/v1',
    'networking.k8s.io/v1',
    'storage.k8s.io/v1',
    'autoscaling/v2',
    'apiextensions.k8s.io/v1',
  ]) {
    add(`GET /openapi/v3/apis/${gv}`, [{ method: 'GET', path: `/openapi/v3/apis/${gv}` }]);
  }
  add('GET /openapi/v3/apis/bogus/v1', [{ method: 'GET', path: '/openapi/v3/apis/bogus/v1' }]);
  add('GET /.well-known/openid-configuration', [
    { method: 'GET', path: '/.well-known/openid-configuration' },
  ]);
  add('GET /openid/v1/jwks', [
    {
      method: 'GET',
      path: '/openid/v1/jwks',
      project: (j) => ({ keys: (j.keys ?? []).map((k) => ({ kty: k.kty, alg: k.alg, use: k.use })) }),
    },
  ]);
  add('GET /healthz?verbose', [{ method: 'GET', path: '/healthz?verbose' }]);
  add('GET /readyz?verbose', [{ method: 'GET', path: '/readyz?verbose' }]);
  add('GET /livez/ping', [{ method: 'GET', path: '/livez/ping' }]);
  add('GET / (the path list)', [{ method: 'GET', path: '/' }]);

  // A CRD, then its resources.
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets{sid}.example.com' },
    spec: {
      group: 'example.com',
      names: {
        plural: 'widgets{sid}',
        singular: 'widget{sid}',
        kind: 'Widget{sid}',
        listKind: 'Widget{sid}List',
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    color: { type: 'string', default: 'blue' },
                  },
                },
                status: { type: 'object', properties: { ready: { type: 'boolean' } } },
              },
            },
          },
        },
      ],
    },
  };
  const makeCrd = [
    {
      method: 'POST',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      body: crd,
      project: (c) => ({ ...c, status: undefined }),
    },
    { sleepMs: 2500 },
  ];
  const dropCrd = {
    method: 'DELETE',
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets{sid}.example.com',
    compare: 'none',
  };
  const W = '/apis/example.com/v1/namespaces/{ns}/widgets{sid}';
  const widget = (spec) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget{sid}',
    metadata: { name: 'w' },
    spec,
  });
  add(
    'CRD create and its established status',
    [
      ...makeCrd,
      {
        method: 'GET',
        path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets{sid}.example.com',
        project: (c) => c.status,
      },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD custom resource create with defaulting',
    [...makeCrd, { method: 'POST', path: W, body: widget({ size: 2 }) }, dropCrd],
    'crd',
  );
  add(
    'CRD custom resource schema violation',
    [...makeCrd, { method: 'POST', path: W, body: widget({ size: 0 }) }, dropCrd],
    'crd',
  );
  add(
    'CRD custom resource wrong type',
    [...makeCrd, { method: 'POST', path: W, body: widget({ size: 'big' }) }, dropCrd],
    'crd',
  );
  add(
    'CRD custom resource unknown field pruned',
    [...makeCrd, { method: 'POST', path: W, body: widget({ size: 2, extra: 1 }) }, dropCrd],
    'crd',
  );
  add(
    'CRD custom resource unknown field Strict',
    [
      ...makeCrd,
      { method: 'POST', path: `${W}?fieldValidation=Strict`, body: widget({ size: 2, extra: 1 }) },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD custom resource merge patch',
    [
      ...makeCrd,
      { method: 'POST', path: W, body: widget({ size: 2 }), compare: 'none' },
      {
        method: 'PATCH',
        path: `${W}/w`,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { spec: { size: 3 } },
      },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD custom resource strategic patch refused',
    [
      ...makeCrd,
      { method: 'POST', path: W, body: widget({ size: 2 }), compare: 'none' },
      {
        method: 'PATCH',
        path: `${W}/w`,
        headers: { 'content-type': 'application/strategic-merge-patch+json' },
        body: { spec: { size: 3 } },
      },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD custom resource apply',
    [
      ...makeCrd,
      {
        method: 'PATCH',
        path: `${W}/w?fieldManager=me`,
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: widget({ size: 4 }),
      },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD custom resource status subresource',
    [
      ...makeCrd,
      { method: 'POST', path: W, body: { ...widget({ size: 2 }), status: { ready: true } } },
      {
        method: 'PATCH',
        path: `${W}/w/status`,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: { ready: true } },
      },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD custom resource list and Table',
    [
      ...makeCrd,
      { method: 'POST', path: W, body: widget({ size: 2 }), compare: 'none' },
      { method: 'GET', path: W },
      { method: 'GET', path: W, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
      dropCrd,
    ],
    'crd',
  );
  add(
    'CRD discovery of its group version',
    [...makeCrd, { method: 'GET', path: '/apis/example.com/v1', project: byName }, dropCrd],
    'crd',
  );
  add(
    'CRD invalid (no versions)',
    [
      {
        method: 'POST',
        path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        body: { ...crd, spec: { ...crd.spec, versions: [] } },
      },
    ],
    'crd',
  );
  add(
    'CRD invalid (name not plural.group)',
    [
      {
        method: 'POST',
        path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        body: { ...crd, metadata: { name: 'wrong{sid}.example.com' } },
      },
    ],
    'crd',
  );
  return out;
}
