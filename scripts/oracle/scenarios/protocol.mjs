// The protocol around the verbs: selectors, pagination, watches from a resourceVersion and 410s, server-side
// apply conflicts, patch errors and bad input.
import { SAMPLES, collectionPath, objectOf } from '../samples.mjs';

const cms = SAMPLES.find((s) => s.resource === 'configmaps');
const pods = SAMPLES.find((s) => s.resource === 'pods');
const CM = collectionPath(cms);
const POD = collectionPath(pods);
const cm = (name, labels = { oracle: '{sid}' }, data = { a: '1' }) => ({
  ...objectOf(cms, name, labels),
  data,
});
const create = (name, labels, data) => ({
  method: 'POST',
  path: CM,
  body: cm(name, labels, data),
  compare: 'none',
});
const apply = (name, manager, data, extra = '') => ({
  method: 'PATCH',
  path: `${CM}/${name}?fieldManager=${manager}${extra}`,
  headers: { 'content-type': 'application/apply-patch+yaml' },
  body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data },
});

/** @returns {{ name: string, group: string, steps: object[] }[]} */
export function protocolScenarios() {
  const out = [];
  const add = (group, name, steps) => out.push({ name, group, steps });

  // Selectors.
  const labelled = [
    create('a', { oracle: '{sid}', tier: 'web', env: 'prod' }),
    create('b', { oracle: '{sid}', tier: 'db', env: 'prod' }),
    create('c', { oracle: '{sid}', tier: 'web' }),
  ];
  for (const selector of [
    'tier%3Dweb',
    'tier%3D%3Dweb',
    'tier!%3Dweb',
    'tier%20in%20(web%2Cdb)',
    'tier%20notin%20(web)',
    'env',
    '!env',
    'tier%3Dweb%2Cenv%3Dprod',
    'tier%3D',
    'tier%3D%3D',
    'bad%20key%3Dx',
    'tier%20in%20web',
    'x%3D' + 'a'.repeat(70),
  ]) {
    add('selectors', `labelSelector ${decodeURIComponent(selector)}`, [
      ...labelled,
      { method: 'GET', path: `${CM}?labelSelector=${selector}` },
    ]);
  }
  for (const selector of [
    'metadata.name%3Da',
    'metadata.name!%3Da',
    'metadata.namespace%3D{ns}',
    'data.a%3D1',
    'metadata.name',
    'metadata.name%3Da%2Cmetadata.name%3Db',
  ]) {
    add('selectors', `configmaps fieldSelector ${decodeURIComponent(selector)}`, [
      ...labelled,
      { method: 'GET', path: `${CM}?fieldSelector=${selector}` },
    ]);
  }
  for (const selector of [
    'status.phase%3DPending',
    'spec.nodeName%3D',
    'spec.restartPolicy%3DAlways',
    'spec.serviceAccountName%3Ddefault',
    'status.podIP%3D',
    'spec.schedulerName%3Dx',
    'metadata.labels%3Dx',
  ]) {
    add('selectors', `pods fieldSelector ${decodeURIComponent(selector)}`, [
      { method: 'POST', path: POD, body: objectOf(pods, 'p'), compare: 'none' },
      { method: 'GET', path: `${POD}?fieldSelector=${selector}` },
    ]);
  }

  // Pagination.
  const five = ['a', 'b', 'c', 'd', 'e'].map((n) => create(n));
  add('pagination', 'list limit=2, three pages', [
    ...five,
    { method: 'GET', path: `${CM}?limit=2`, capture: { next: 'metadata.continue' } },
    { method: 'GET', path: `${CM}?limit=2&continue={next}`, capture: { next: 'metadata.continue' } },
    { method: 'GET', path: `${CM}?limit=2&continue={next}` },
  ]);
  add('pagination', 'list limit=2 with a label selector', [
    ...five,
    {
      method: 'GET',
      path: `${CM}?limit=2&labelSelector=oracle%3D{sid}`,
      capture: { next: 'metadata.continue' },
    },
    { method: 'GET', path: `${CM}?limit=2&labelSelector=oracle%3D{sid}&continue={next}` },
  ]);
  add('pagination', 'list limit=0 and limit=-1', [
    ...five,
    { method: 'GET', path: `${CM}?limit=0` },
    { method: 'GET', path: `${CM}?limit=-1` },
  ]);
  add('pagination', 'list with an invalid continue token', [
    ...five,
    { method: 'GET', path: `${CM}?limit=2&continue=garbage` },
  ]);
  add('pagination', 'continue with resourceVersion', [
    ...five,
    { method: 'GET', path: `${CM}?limit=2`, capture: { next: 'metadata.continue' } },
    { method: 'GET', path: `${CM}?limit=2&continue={next}&resourceVersion=0` },
  ]);
  add('pagination', 'list resourceVersion=0 limit=2', [
    ...five,
    { method: 'GET', path: `${CM}?limit=2&resourceVersion=0` },
  ]);
  add('pagination', 'list resourceVersionMatch without resourceVersion', [
    ...five,
    { method: 'GET', path: `${CM}?resourceVersionMatch=NotOlderThan` },
  ]);
  add('pagination', 'list resourceVersionMatch=Exact', [
    create('a'),
    { method: 'GET', path: `${CM}/a`, capture: { rv: 'metadata.resourceVersion' }, compare: 'none' },
    { method: 'GET', path: `${CM}?resourceVersion={rv}&resourceVersionMatch=Exact` },
  ]);
  add('pagination', 'list resourceVersionMatch=Bogus', [
    { method: 'GET', path: `${CM}?resourceVersion=1&resourceVersionMatch=Bogus` },
  ]);
  add('pagination', 'list across namespaces with a label selector and limit', [
    ...five,
    {
      method: 'GET',
      path: `/api/v1/configmaps?labelSelector=oracle%3D{sid}&limit=3`,
      capture: { next: 'metadata.continue' },
    },
    { method: 'GET', path: `/api/v1/configmaps?labelSelector=oracle%3D{sid}&limit=3&continue={next}` },
  ]);

  // Watches.
  const capture = {
    method: 'GET',
    path: `${CM}/a`,
    capture: { rv: 'metadata.resourceVersion' },
    compare: 'none',
  };
  const touch = (v) => ({
    method: 'PATCH',
    path: `${CM}/a`,
    headers: { 'content-type': 'application/merge-patch+json' },
    body: { data: { a: v } },
    compare: 'none',
  });
  add('watch', 'watch from a resourceVersion replays later changes', [
    create('a'),
    capture,
    touch('2'),
    touch('3'),
    { watch: 'w', path: `${CM}?watch=1&resourceVersion={rv}` },
    { collect: 'w', count: 2, timeoutMs: 3000 },
  ]);
  add('watch', 'watch one object by fieldSelector metadata.name', [
    create('a'),
    create('b'),
    { watch: 'w', path: `${CM}?watch=1&fieldSelector=metadata.name%3Da&resourceVersion=0` },
    { collect: 'w', count: 1, timeoutMs: 3000 },
  ]);
  add('watch', 'watch resourceVersion=0 starts with ADDED for what exists', [
    create('a'),
    create('b'),
    { watch: 'w', path: `${CM}?watch=1&resourceVersion=0&labelSelector=oracle%3D{sid}` },
    { collect: 'w', count: 2, timeoutMs: 3000 },
  ]);
  add('watch', 'watch from resourceVersion=1 (too old)', [
    { watch: 'w', path: `${CM}?watch=1&resourceVersion=1` },
    { collect: 'w', count: 1, timeoutMs: 3000 },
  ]);
  add('watch', 'watch from a future resourceVersion', [
    { watch: 'w', path: `${CM}?watch=1&resourceVersion=99999999`, compare: 'status' },
    { collect: 'w', count: 1, timeoutMs: 1500, compare: 'none' },
  ]);
  add('watch', 'watch with an invalid resourceVersion', [
    { watch: 'w', path: `${CM}?watch=1&resourceVersion=abc` },
  ]);
  add('watch', 'watch label change moves an object out of the selector', [
    create('a', { oracle: '{sid}', sel: 'yes' }),
    { watch: 'w', path: `${CM}?watch=1&labelSelector=sel%3Dyes&resourceVersion=0` },
    {
      method: 'PATCH',
      path: `${CM}/a`,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { metadata: { labels: { sel: 'no' } } },
      compare: 'none',
    },
    { collect: 'w', count: 2, timeoutMs: 3000 },
  ]);
  add('watch', 'watch sees DELETED with the last state', [
    create('a'),
    { watch: 'w', path: `${CM}?watch=1&labelSelector=oracle%3D{sid}` },
    { method: 'DELETE', path: `${CM}/a`, compare: 'none' },
    { collect: 'w', count: 1, timeoutMs: 3000 },
  ]);
  add('watch', 'watch with sendInitialEvents and bookmarks', [
    create('a'),
    {
      watch: 'w',
      path: `${CM}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=oracle%3D{sid}`,
    },
    { collect: 'w', count: 2, timeoutMs: 3000 },
  ]);
  add('watch', 'watch sendInitialEvents without resourceVersionMatch', [
    { watch: 'w', path: `${CM}?watch=1&sendInitialEvents=true` },
  ]);
  add('watch', 'legacy /watch/ path of one object by name', [
    create('a'),
    { watch: 'w', path: `/api/v1/watch/namespaces/{ns}/configmaps/a` },
    { collect: 'w', count: 1, timeoutMs: 3000 },
  ]);
  add('watch', 'legacy /watch/ prefix path', [
    { watch: 'w', path: `/api/v1/watch/namespaces/{ns}/configmaps?labelSelector=oracle%3D{sid}` },
    create('a'),
    { collect: 'w', count: 1, timeoutMs: 3000 },
  ]);
  add('watch', 'GET of one object with resourceVersion too new', [
    create('a'),
    { method: 'GET', path: `${CM}/a?resourceVersion=99999999` },
  ]);

  // Server-side apply.
  add('apply', 'apply conflict between two managers', [
    apply('a', 'one', { a: '1' }),
    apply('a', 'two', { a: '2' }),
  ]);
  add('apply', 'apply conflict forced', [
    apply('a', 'one', { a: '1' }),
    apply('a', 'two', { a: '2' }, '&force=true'),
  ]);
  add('apply', 'apply shared ownership of an equal value', [
    apply('a', 'one', { a: '1' }),
    apply('a', 'two', { a: '1' }),
  ]);
  // What the Java official client sends: its models start with empty maps (`binaryData: {}`, `annotations: {}`),
  // which the typed round trip drops from the stored object.
  const applyEmptyMaps = (manager, currency) => ({
    method: 'PATCH',
    path: `${CM}/a?fieldManager=${manager}`,
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', annotations: {} },
      data: { currency },
      binaryData: {},
    },
  });
  add('apply', 'apply with empty maps by two managers', [
    applyEmptyMaps('one', 'EUR'),
    applyEmptyMaps('two', 'USD'),
  ]);
  add('apply', 'apply without fieldManager', [
    {
      method: 'PATCH',
      path: `${CM}/a`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { a: '1' } },
    },
  ]);
  add('apply', 'apply removes a field the manager dropped', [
    apply('a', 'one', { a: '1', b: '2' }),
    apply('a', 'one', { a: '1' }),
  ]);
  add('apply', 'apply after an update takes over with a conflict', [
    create('a'),
    apply('a', 'one', { a: '5' }),
  ]);
  add('apply', 'apply as YAML text', [
    {
      method: 'PATCH',
      path: `${CM}/a?fieldManager=yaml`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n',
    },
  ]);
  add('apply', 'apply with a wrong kind', [
    {
      method: 'PATCH',
      path: `${CM}/a?fieldManager=x`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' } },
    },
  ]);
  add('apply', 'apply with a different name', [
    {
      method: 'PATCH',
      path: `${CM}/a?fieldManager=x`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
    },
  ]);
  add('apply', 'apply with an unknown field', [
    {
      method: 'PATCH',
      path: `${CM}/a?fieldManager=x`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, bogus: 1 },
    },
  ]);
  add('apply', 'apply with force on a non-apply patch', [
    create('a'),
    {
      method: 'PATCH',
      path: `${CM}/a?force=true`,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { data: { a: '2' } },
    },
  ]);
  add('apply', 'apply to a Deployment twice with different managers on replicas', [
    {
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/{ns}/deployments/d?fieldManager=one`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: objectOf(
        SAMPLES.find((s) => s.resource === 'deployments'),
        'd',
      ),
    },
    {
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/{ns}/deployments/d?fieldManager=two`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 } },
    },
  ]);

  // Patch errors.
  const patch = (type, body, name = 'a') => ({
    method: 'PATCH',
    path: `${CM}/${name}`,
    headers: { 'content-type': type },
    body,
  });
  add('patch', 'json patch test op fails', [
    create('a'),
    patch('application/json-patch+json', [{ op: 'test', path: '/data/a', value: 'x' }]),
  ]);
  add('patch', 'json patch remove a missing path', [
    create('a'),
    patch('application/json-patch+json', [{ op: 'remove', path: '/data/zz' }]),
  ]);
  add('patch', 'json patch unknown op', [
    create('a'),
    patch('application/json-patch+json', [{ op: 'frob', path: '/data/a' }]),
  ]);
  add('patch', 'json patch not an array', [create('a'), patch('application/json-patch+json', { op: 'add' })]);
  add('patch', 'json patch replace kind', [
    create('a'),
    patch('application/json-patch+json', [{ op: 'replace', path: '/kind', value: 'Secret' }]),
  ]);
  add('patch', 'merge patch not JSON', [create('a'), patch('application/merge-patch+json', '{not json')]);
  add('patch', 'merge patch null removes a key', [
    create('a'),
    patch('application/merge-patch+json', { data: { a: null, b: '2' } }),
  ]);
  add('patch', 'merge patch of a missing object', [
    patch('application/merge-patch+json', { data: { a: '1' } }, 'missing'),
  ]);
  add('patch', 'patch with an unsupported content type', [create('a'), patch('text/plain', 'x')]);
  add('patch', 'patch with application/json', [create('a'), patch('application/json', { data: { a: '2' } })]);
  add('patch', 'strategic patch $patch: replace', [
    create('a'),
    patch('application/strategic-merge-patch+json', { data: { $patch: 'replace', z: '1' } }),
  ]);
  add('patch', 'strategic patch of containers by name', [
    { method: 'POST', path: POD, body: objectOf(pods, 'p'), compare: 'none' },
    {
      method: 'PATCH',
      path: `${POD}/p`,
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } },
    },
  ]);
  add('patch', 'strategic patch on a pod that changes a forbidden field', [
    { method: 'POST', path: POD, body: objectOf(pods, 'p'), compare: 'none' },
    {
      method: 'PATCH',
      path: `${POD}/p`,
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: { spec: { restartPolicy: 'Never' } },
    },
  ]);
  add('patch', 'merge patch with a resourceVersion conflict', [
    create('a'),
    patch('application/merge-patch+json', { metadata: { resourceVersion: '1' }, data: { a: '2' } }),
  ]);

  // Bad input.
  const post = (body, extra = {}) => ({ method: 'POST', path: CM, body, ...extra });
  add('bad-input', 'create with a kind mismatch', [
    post({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' } }),
  ]);
  add('bad-input', 'create with an apiVersion mismatch', [
    post({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
  ]);
  add('bad-input', 'create with a namespace mismatch', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'other' } }),
  ]);
  add('bad-input', 'create without a name', [post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })]);
  add('bad-input', 'create with generateName', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } }),
  ]);
  add('bad-input', 'create with an invalid name', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }),
  ]);
  add('bad-input', 'create with a too long name', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a'.repeat(254) } }),
  ]);
  add('bad-input', 'create with an invalid label', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { 'bad key': 'x' } } }),
  ]);
  add('bad-input', 'create with an invalid data key', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { 'bad key': 'x' } }),
  ]);
  add('bad-input', 'create with a wrongly typed field', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: 5 }),
  ]);
  add('bad-input', 'create with an unknown field (Strict)', [
    {
      ...post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, bogus: 1 }),
      path: `${CM}?fieldValidation=Strict`,
    },
  ]);
  add('bad-input', 'create with an unknown field (Warn)', [
    {
      ...post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, bogus: 1 }),
      path: `${CM}?fieldValidation=Warn`,
    },
  ]);
  add('bad-input', 'create with an unknown field (default)', [
    post({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, bogus: 1 }),
  ]);
  add('bad-input', 'create with fieldValidation=Bogus', [
    { ...post(cm('a')), path: `${CM}?fieldValidation=Bogus` },
  ]);
  add('bad-input', 'create with duplicate fields (Strict)', [
    {
      method: 'POST',
      path: `${CM}?fieldValidation=Strict`,
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"x":"1"},"data":{"y":"2"}}',
    },
  ]);
  add('bad-input', 'create with a body that is not JSON', [post('{"apiVersion": "v1", ')]);
  add('bad-input', 'create with an empty body', [post('')]);
  add('bad-input', 'create with a text/plain body', [
    { ...post(JSON.stringify(cm('a'))), headers: { 'content-type': 'text/plain' } },
  ]);
  add('bad-input', 'create as YAML', [
    {
      ...post('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n'),
      headers: { 'content-type': 'application/yaml' },
    },
  ]);
  add('bad-input', 'create with a dryRun value that is not All', [
    { ...post(cm('a')), path: `${CM}?dryRun=Some` },
  ]);
  add('bad-input', 'create in a namespace that does not exist', [
    { ...post(cm('a')), path: '/api/v1/namespaces/ora-missing/configmaps' },
  ]);
  add('bad-input', 'PUT on a collection', [{ method: 'PUT', path: CM, body: cm('a') }]);
  add('bad-input', 'POST to one object', [{ method: 'POST', path: `${CM}/a`, body: cm('a') }]);
  add('bad-input', 'PUT of a missing object', [{ method: 'PUT', path: `${CM}/a`, body: cm('a') }]);
  add('bad-input', 'PUT with a name mismatch', [
    create('a'),
    { method: 'PUT', path: `${CM}/a`, body: cm('b') },
  ]);
  add('bad-input', 'PUT without a resourceVersion', [
    create('a'),
    { method: 'PUT', path: `${CM}/a`, body: cm('a', { x: 'y' }) },
  ]);
  add('bad-input', 'unknown resource', [{ method: 'GET', path: '/api/v1/namespaces/{ns}/bogus' }]);
  add('bad-input', 'unknown group', [{ method: 'GET', path: '/apis/bogus.example.com/v1/things' }]);
  add('bad-input', 'unknown version of a known group', [
    { method: 'GET', path: '/apis/apps/v9/deployments' },
  ]);
  add('bad-input', 'unknown subresource', [create('a'), { method: 'GET', path: `${CM}/a/bogus` }]);
  add('bad-input', 'unknown non-resource path', [{ method: 'GET', path: '/bogus' }]);
  add('bad-input', 'delete with a precondition on the uid', [
    create('a'),
    {
      method: 'DELETE',
      path: `${CM}/a`,
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { uid: '00000000-0000-0000-0000-000000000000' },
      },
    },
  ]);
  add('bad-input', 'delete with a precondition on the resourceVersion', [
    create('a'),
    {
      method: 'DELETE',
      path: `${CM}/a`,
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '1' } },
    },
  ]);
  add('bad-input', 'delete with an invalid propagationPolicy', [
    create('a'),
    { method: 'DELETE', path: `${CM}/a?propagationPolicy=Sometimes` },
  ]);
  add('bad-input', 'delete with gracePeriodSeconds=-1', [
    create('a'),
    { method: 'DELETE', path: `${CM}/a?gracePeriodSeconds=-1` },
  ]);
  add('bad-input', 'delete of a missing object', [{ method: 'DELETE', path: `${CM}/missing` }]);
  add('bad-input', 'create in a terminating namespace', [
    { method: 'POST', path: CM, body: cm('blocker'), compare: 'none' },
    {
      method: 'PUT',
      path: '/api/v1/namespaces/{ns}',
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: '{ns}' },
        spec: { finalizers: ['kubernetes'] },
      },
      compare: 'none',
    },
    { method: 'DELETE', path: '/api/v1/namespaces/{ns}', compare: 'none' },
    { method: 'POST', path: CM, body: cm('late') },
  ]);
  add('bad-input', 'immutable ConfigMap changed', [
    { method: 'POST', path: CM, body: { ...cm('a'), immutable: true }, compare: 'none' },
    patch('application/merge-patch+json', { data: { a: '2' } }),
  ]);
  add('bad-input', 'volume attachment with an attacher that is not a DNS subdomain', [
    {
      method: 'POST',
      path: '/apis/storage.k8s.io/v1/volumeattachments',
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'VolumeAttachment',
        metadata: { name: '{sid}-bad' },
        spec: { attacher: 'example.com/x', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } },
      },
    },
    { method: 'DELETE', path: '/apis/storage.k8s.io/v1/volumeattachments/{sid}-bad', compare: 'none' },
  ]);
  add('bad-input', 'pod without containers', [
    {
      method: 'POST',
      path: POD,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } },
    },
  ]);
  add('bad-input', 'service with an invalid name', [
    {
      method: 'POST',
      path: '/api/v1/namespaces/{ns}/services',
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: '1svc' },
        spec: { ports: [{ port: 80 }] },
      },
    },
  ]);
  add('bad-input', 'deployment with a selector not matching its template', [
    {
      method: 'POST',
      path: '/apis/apps/v1/namespaces/{ns}/deployments',
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: {
          selector: { matchLabels: { app: 'y' } },
          template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      },
    },
  ]);
  add('bad-input', 'GET with Accept: application/yaml', [
    create('a'),
    { method: 'GET', path: `${CM}/a`, headers: { accept: 'application/yaml' } },
  ]);
  add('bad-input', 'GET with Accept: text/html', [
    create('a'),
    { method: 'GET', path: `${CM}/a`, headers: { accept: 'text/html' } },
  ]);
  add('bad-input', 'GET as Table of one object', [
    create('a'),
    { method: 'GET', path: `${CM}/a`, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
  ]);
  add('bad-input', 'GET as PartialObjectMetadata', [
    create('a'),
    {
      method: 'GET',
      path: `${CM}/a`,
      headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' },
    },
  ]);
  add('bad-input', 'list as PartialObjectMetadataList', [
    create('a'),
    {
      method: 'GET',
      path: CM,
      headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' },
    },
  ]);
  add('bad-input', 'GET with protobuf', [
    create('a'),
    { method: 'GET', path: `${CM}/a`, headers: { accept: 'application/vnd.kubernetes.protobuf' } },
  ]);
  return out;
}
