import { describe, expect, it } from 'vitest';

import { ApiError } from '../errors/status.js';
import { applyStrategicMergePatch, type PatchSchema } from './strategic-merge-patch.js';
import { goPatchSchema } from './patch-schemas/go-patch-schema.js';
import { builtInKinds } from '../registry/built-in-kinds.js';

/** The schema of a kind by `group/version/Kind` (`v1/Pod`), read from its Go struct tags. */
function schemaOf(key: string): PatchSchema {
  const slash = key.lastIndexOf('/');
  return goPatchSchema(key.slice(0, slash), key.slice(slash + 1))!;
}

// Every expected value below was produced by apimachinery v0.33's strategicpatch.mergeMap (the server-side
// StrategicMergeMapPatch path) run on the same inputs with the same merge keys.

const POD = schemaOf('v1/Pod');

function apply(original: unknown, patch: unknown, schema: PatchSchema = POD): unknown {
  return applyStrategicMergePatch(original, patch, schema);
}

function patchError(original: unknown, patch: unknown, schema: PatchSchema = POD): ApiError {
  try {
    apply(original, patch, schema);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the patch to fail');
}

describe('applyStrategicMergePatch', () => {
  it('applies the patch kubectl apply sends after label x, env B, port 443 and container side left the manifest', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web2', namespace: 'default', labels: { x: 'y', app: 'web' } },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx:1.24',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [
              { containerPort: 80, protocol: 'TCP' },
              { containerPort: 443, protocol: 'TCP' },
            ],
          },
          { name: 'side', image: 'busybox' },
        ],
      },
    };
    const patch = JSON.parse(
      '{"metadata":{"labels":{"x":null}},"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"$setElementOrder/ports":[{"containerPort":80}],"env":[{"$patch":"delete","name":"B"}],"image":"nginx:1.25","name":"c","ports":[{"$patch":"delete","containerPort":443}]},{"$patch":"delete","name":"side"}]}}',
    ) as unknown;
    expect(apply(live, patch)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web2', namespace: 'default', labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx:1.25',
            env: [{ name: 'A', value: '1' }],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
          },
        ],
      },
    });
  });

  it.each([
    [
      'merges maps, null deleting a key',
      { metadata: { labels: { a: '1', b: '2' }, annotations: { n: 'x' } } },
      { metadata: { labels: { b: null, c: '3' }, annotations: null } },
      { metadata: { labels: { a: '1', c: '3' } } },
    ],
    [
      'merges a keyed list by key; without $setElementOrder new items come first',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      {
        spec: {
          containers: [
            { name: 'c', image: 'x' },
            { name: 'b', image: 'y' },
          ],
        },
      },
      { spec: { containers: [{ name: 'c', image: 'x' }, { name: 'a' }, { name: 'b', image: 'y' }] } },
    ],
    [
      'merges ports by containerPort, keeping live items after the patched ones they follow',
      {
        spec: {
          containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }],
        },
      },
      {
        spec: {
          containers: [
            { name: 'c', ports: [{ containerPort: 80, protocol: 'UDP' }, { containerPort: 8080 }] },
          ],
        },
      },
      {
        spec: {
          containers: [
            {
              name: 'c',
              ports: [
                { containerPort: 80, name: 'http', protocol: 'UDP' },
                { containerPort: 8080 },
                { containerPort: 443 },
              ],
            },
          ],
        },
      },
    ],
    [
      '$patch: delete removes every item with that key',
      { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }, { name: 'a', image: '2' }] } },
      { spec: { containers: [{ $patch: 'delete', name: 'a' }] } },
      { spec: { containers: [{ name: 'b' }] } },
    ],
    [
      '$patch: replace in a list keeps only the other patch items, verbatim',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { containers: [{ name: 'z', env: [{ name: 'E', value: null }] }, { $patch: 'replace' }] } },
      { spec: { containers: [{ name: 'z', env: [{ name: 'E', value: null }] }] } },
    ],
    [
      '$patch: replace on a map replaces it',
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { $patch: 'replace', c: '3' } } },
      { metadata: { labels: { c: '3' } } },
    ],
    [
      '$patch: delete on a map empties it, or drops a field the live object lacks',
      { metadata: { labels: { a: '1' } }, spec: { nodeSelector: { a: 'b' } } },
      { metadata: { labels: { $patch: 'delete' } }, spec: { affinity: { $patch: 'delete' } } },
      { metadata: { labels: {} }, spec: { nodeSelector: { a: 'b' } } },
    ],
    [
      '$patch at the top replaces the whole object',
      { kind: 'Pod', metadata: { name: 'a' } },
      { $patch: 'replace', kind: 'Pod', spec: {} },
      { kind: 'Pod', spec: {} },
    ],
    ['$patch: delete at the top empties the object', { kind: 'Pod' }, { $patch: 'delete' }, {}],
    [
      '$setElementOrder orders the result, live items reading the order of the list as upstream mutated it',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
      {
        spec: {
          '$setElementOrder/containers': [{ name: 'd' }, { name: 'c' }],
          containers: [{ name: 'd' }, { $patch: 'delete', name: 'a' }],
        },
      },
      { spec: { containers: [{ name: 'b' }, { name: 'd' }, { name: 'c' }] } },
    ],
    [
      '$retainKeys clears the fields of a volume it does not list',
      {
        spec: {
          volumes: [
            { name: 'v', emptyDir: {} },
            { name: 'w', secret: { secretName: 's' } },
          ],
        },
      },
      {
        spec: {
          '$setElementOrder/volumes': [{ name: 'v' }, { name: 'w' }],
          volumes: [{ $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' }, name: 'v' }],
        },
      },
      {
        spec: {
          volumes: [
            { name: 'v', hostPath: { path: '/x' } },
            { name: 'w', secret: { secretName: 's' } },
          ],
        },
      },
    ],
    [
      'merges finalizers as a set, new ones first',
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['c', 'a'] } },
      { metadata: { finalizers: ['c', 'a', 'b'] } },
    ],
    [
      'orders finalizers by $setElementOrder',
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'], finalizers: ['c'] } },
      { metadata: { finalizers: ['b', 'c', 'a'] } },
    ],
    [
      '$deleteFromPrimitiveList removes finalizers',
      { metadata: { finalizers: ['a', 'b', 'c'] } },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } },
      { metadata: { finalizers: ['a', 'c'] } },
    ],
    [
      '$deleteFromPrimitiveList of an absent list does nothing',
      { metadata: {} },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      { metadata: {} },
    ],
    [
      'an empty finalizers patch deduplicates the live list the way upstream does, in place',
      { metadata: { finalizers: ['a', 'b', 'a', 'c', 'd'] } },
      { metadata: { finalizers: [] } },
      { metadata: { finalizers: ['a', 'b', 'd', 'c'] } },
    ],
    [
      'replaces lists without a merge key wholesale, directives and all',
      { spec: { tolerations: [{ key: 'a' }], containers: [{ name: 'c', command: ['a', 'b'] }] } },
      {
        spec: { tolerations: [{ key: 'b', $patch: 'delete' }], containers: [{ name: 'c', command: ['x'] }] },
      },
      {
        spec: { tolerations: [{ key: 'b', $patch: 'delete' }], containers: [{ name: 'c', command: ['x'] }] },
      },
    ],
    [
      'copies a field the live object lacks without its nulls and $patch items',
      { spec: {} },
      {
        spec: {
          tolerations: [{ key: 'b' }, { $patch: 'delete' }],
          hostAliases: [{ ip: '1', hostnames: ['a', null] }, { $patch: 'replace' }],
          nodeSelector: { a: null, b: 'c' },
        },
      },
      {
        spec: {
          tolerations: [{ key: 'b' }],
          hostAliases: [{ ip: '1', hostnames: ['a', null] }],
          nodeSelector: { b: 'c' },
        },
      },
    ],
    [
      'merges pod conditions by type and podIPs by ip',
      {
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'Initialized', status: 'True' },
          ],
          podIPs: [{ ip: '1' }],
        },
      },
      { status: { conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '2' }] } },
      {
        status: {
          conditions: [
            { type: 'Ready', status: 'True' },
            { type: 'Initialized', status: 'True' },
          ],
          podIPs: [{ ip: '2' }, { ip: '1' }],
        },
      },
    ],
  ])('%s', (_name, original, patch, expected) => {
    expect(apply(original, patch)).toEqual(expected);
  });

  it.each([
    [
      'a Deployment strategy switched with $retainKeys, and its template containers by name',
      'apps/v1/Deployment',
      {
        spec: {
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
          template: { spec: { containers: [{ name: 'c', image: 'a' }] } },
        },
      },
      {
        spec: {
          strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
          template: { spec: { containers: [{ name: 'c', image: 'b' }] } },
        },
      },
      {
        spec: {
          strategy: { type: 'Recreate' },
          template: { spec: { containers: [{ name: 'c', image: 'b' }] } },
        },
      },
    ],
    [
      'ServiceAccount secrets by name, imagePullSecrets replaced',
      'v1/ServiceAccount',
      { secrets: [{ name: 'a' }], imagePullSecrets: [{ name: 'p' }] },
      { secrets: [{ name: 'b' }], imagePullSecrets: [{ name: 'q' }] },
      { secrets: [{ name: 'b' }, { name: 'a' }], imagePullSecrets: [{ name: 'q' }] },
    ],
    [
      'ownerReferences by uid and ConfigMap data as a map',
      'v1/ConfigMap',
      {
        metadata: {
          ownerReferences: [
            { uid: '1', name: 'a' },
            { uid: '2', name: 'b' },
          ],
        },
        data: { a: '1', b: '2' },
      },
      {
        metadata: {
          ownerReferences: [
            { uid: '2', name: 'B' },
            { uid: '3', name: 'c' },
          ],
        },
        data: { a: null, c: '3' },
      },
      {
        metadata: {
          ownerReferences: [
            { uid: '1', name: 'a' },
            { uid: '2', name: 'B' },
            { uid: '3', name: 'c' },
          ],
        },
        data: { b: '2', c: '3' },
      },
    ],
  ])('patches %s', (_name, kind, original, patch, expected) => {
    expect(apply(original, patch, schemaOf(kind))).toEqual(expected);
  });

  it.each([
    [
      'a $patch: merge on a map',
      { metadata: { labels: { a: '1' } } },
      { metadata: { labels: { $patch: 'merge', b: '2' } } },
      500,
      'unknown patch type: merge in map: map[$patch:merge b:2]',
    ],
    [
      'a $patch: merge in a list',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { containers: [{ $patch: 'merge' }] } },
      500,
      'merging lists cannot yet be specified in the patch',
    ],
    [
      'an unknown $patch in a list',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { containers: [{ $patch: 'bogus', name: 'a' }] } },
      500,
      'unknown patch type: bogus in map: map[$patch:bogus name:a]',
    ],
    [
      'a non-string $patch',
      { metadata: { labels: { a: '1' } } },
      { metadata: { labels: { $patch: 7 } } },
      500,
      'unknown patch type: %!s(int64=7) in map: map[$patch:7]',
    ],
    [
      'a list item without its merge key',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { containers: [{ image: 'x' }] } },
      500,
      'map: map[image:x] does not contain declared merge key: name',
    ],
    [
      'a patch key missing from $retainKeys',
      { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
      { spec: { volumes: [{ $retainKeys: ['name'], hostPath: { path: '/x' }, name: 'v' }] } },
      400,
      'invalid patch format of retainKeys',
    ],
    [
      'a $retainKeys that is not a list',
      { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
      { spec: { volumes: [{ $retainKeys: 'name', name: 'v' }] } },
      400,
      'invalid patch format of retainKeys',
    ],
    [
      'a $setElementOrder that is not a list',
      { spec: { containers: [{ name: 'a' }] } },
      { spec: { '$setElementOrder/containers': 'x' } },
      500,
      'expected a []interface {}, but received a string',
    ],
    [
      'a malformed $setElementOrder key',
      { spec: {} },
      { spec: { '$setElementOrderX/containers': [] } },
      400,
      'invalid patch format of setElementOrder list',
    ],
    [
      'a malformed $deleteFromPrimitiveList key',
      { metadata: {} },
      { metadata: { '$deleteFromPrimitiveListX/finalizers': ['a'] } },
      400,
      'invalid patch format of primitive list',
    ],
    [
      'a patch list out of $setElementOrder',
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', image: 'x' }] } },
      500,
      "The order in patch list:\n[map[image:x name:b]]\n doesn't match $setElementOrder list:\n[map[name:a]]\n",
    ],
    [
      'a merged list of mixed types',
      { metadata: { finalizers: ['a'] } },
      { metadata: { finalizers: [1] } },
      500,
      'list element types are not identical: [[a] [1]]',
    ],
    [
      'a merged list of lists',
      { metadata: { finalizers: [] } },
      { metadata: { finalizers: [['a']] } },
      422,
      'the server rejected our request due to an error in our request',
    ],
    [
      'a patch that is not an object',
      {},
      [{ op: 'add' }],
      400,
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    ],
    [
      'a string patch',
      {},
      'x',
      400,
      'json: cannot unmarshal string into Go value of type map[string]interface {}',
    ],
  ])('fails on %s', (_name, original, patch, code, message) => {
    const err = patchError(original, patch);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });

  it('treats a null patch as empty', () => {
    expect(apply({ metadata: { name: 'a' } }, null)).toEqual({ metadata: { name: 'a' } });
  });

  it('modifies neither input', () => {
    const original = {
      metadata: { finalizers: ['a', 'b', 'a'], labels: { x: '1' } },
      spec: { containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'E' }] }, { name: 'c' }] },
    };
    const patch = {
      metadata: { finalizers: [], labels: { x: null } },
      spec: {
        '$setElementOrder/containers': [{ name: 'd' }, { name: 'b' }],
        containers: [
          { name: 'd', env: [{ name: 'F', value: null }] },
          { name: 'b', env: [{ $patch: 'delete', name: 'E' }] },
          { $patch: 'delete', name: 'a' },
        ],
      },
    };
    const originalCopy = structuredClone(original);
    const patchCopy = structuredClone(patch);
    const result = apply(original, patch) as typeof original;
    expect(original).toEqual(originalCopy);
    expect(patch).toEqual(patchCopy);
    expect(result).toEqual({
      metadata: { finalizers: ['a', 'b'], labels: {} },
      spec: {
        containers: [{ name: 'c' }, { name: 'd', env: [{ name: 'F', value: null }] }, { name: 'b', env: [] }],
      },
    });
    result.spec.containers[0]!.name = 'changed';
    expect(original.spec.containers[2]!.name).toBe('c');
  });

  it('keeps __proto__ as an ordinary key', () => {
    const patch = JSON.parse('{"metadata":{"labels":{"__proto__":"x"}}}') as unknown;
    const result = apply({ metadata: { labels: {} } }, patch) as { metadata: { labels: object } };
    expect(Object.getPrototypeOf(result.metadata.labels)).toBe(Object.prototype);
    expect(JSON.stringify(result)).toBe('{"metadata":{"labels":{"__proto__":"x"}}}');
  });
});

describe('the schemas read from the Go struct tags', () => {
  it('give every served built-in kind, PriorityClass, CRDs and autoscaling/v1 HPAs among them, the ObjectMeta keys', () => {
    const kinds = builtInKinds.filter((kind) => kind.storage === 'stored');
    expect(kinds.map((kind) => kind.kind)).toEqual(
      expect.arrayContaining(['PriorityClass', 'CustomResourceDefinition', 'HorizontalPodAutoscaler', 'Pod']),
    );
    for (const kind of kinds) {
      const schema = goPatchSchema(kind.group ? `${kind.group}/${kind.version}` : kind.version, kind.kind);
      expect(schema?.fields?.metadata?.object?.fields, `${kind.group}/${kind.version} ${kind.kind}`).toEqual({
        finalizers: { strategies: ['merge'] },
        ownerReferences: { strategies: ['merge'], mergeKey: 'uid' },
      });
    }
  });

  it('has the PodSpec merge keys of k8s.io/api v0.33', () => {
    const podSpec = POD.fields?.spec?.object?.fields ?? {};
    const keys = Object.fromEntries(
      Object.entries(podSpec).map(([f, meta]) => [f, [meta.strategies?.join(','), meta.mergeKey]]),
    );
    expect(keys).toEqual({
      volumes: ['merge,retainKeys', 'name'],
      initContainers: ['merge', 'name'],
      containers: ['merge', 'name'],
      ephemeralContainers: ['merge', 'name'],
      imagePullSecrets: ['merge', 'name'],
      hostAliases: ['merge', 'ip'],
      topologySpreadConstraints: ['merge', 'topologyKey'],
      schedulingGates: ['merge', 'name'],
      resourceClaims: ['merge,retainKeys', 'name'],
    });
    expect(podSpec.containers?.items?.fields).toEqual({
      ports: { strategies: ['merge'], mergeKey: 'containerPort' },
      env: { strategies: ['merge'], mergeKey: 'name' },
      volumeMounts: { strategies: ['merge'], mergeKey: 'mountPath' },
      volumeDevices: { strategies: ['merge'], mergeKey: 'devicePath' },
    });
    const deploymentPodSpec =
      schemaOf('apps/v1/Deployment').fields?.spec?.object?.fields?.template?.object?.fields?.spec;
    expect(deploymentPodSpec).toEqual(POD.fields?.spec);
  });
});
