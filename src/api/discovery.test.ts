import { describe, expect, it } from 'vitest';
import { kindsOfCustomResourceDefinition } from '../crd/custom-resource-kinds.js';
import { builtInKinds } from '../registry/built-in-kinds.js';
import { KindRegistry } from '../registry/kind-registry.js';
import { apiResourceList, storageVersionHash } from './discovery.js';

const registry = new KindRegistry(builtInKinds);
const resources = (group: string, version: string) =>
  apiResourceList(registry, group, version).resources as { name: string; storageVersionHash?: string }[];
const hashOf = (group: string, version: string, name: string) =>
  resources(group, version).find((r) => r.name === name)?.storageVersionHash;

describe('storageVersionHash', () => {
  it('is the base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"), as a 1.33 cluster lists', () => {
    expect(storageVersionHash('', 'v1', 'Pod')).toBe('xPOwRZ+Yhw8=');
    expect(storageVersionHash('apps', 'v1', 'Deployment')).toBe('8aSe+NMegvE=');
    expect(hashOf('', 'v1', 'pods')).toBe('xPOwRZ+Yhw8=');
    expect(hashOf('', 'v1', 'namespaces')).toBe('Q3oi5N2YM8M=');
    expect(hashOf('', 'v1', 'configmaps')).toBe('qFsyl6wFWjQ=');
    expect(hashOf('apps', 'v1', 'deployments')).toBe('8aSe+NMegvE=');
  });

  it('names the storage version: both HPA versions hash autoscaling/v2, both Events core v1', () => {
    expect(hashOf('autoscaling', 'v1', 'horizontalpodautoscalers')).toBe('qwQve8ut294=');
    expect(hashOf('autoscaling', 'v2', 'horizontalpodautoscalers')).toBe('qwQve8ut294=');
    expect(hashOf('events.k8s.io', 'v1', 'events')).toBe('r2yiGXH7wu8=');
    expect(hashOf('', 'v1', 'events')).toBe('r2yiGXH7wu8=');
  });

  it('is left out for subresources and for reviews, which are not stored', () => {
    expect(hashOf('', 'v1', 'pods/status')).toBeUndefined();
    expect(hashOf('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews')).toBeUndefined();
  });

  it("hashes every served version of a CRD with its storage version's", () => {
    const crds = new KindRegistry([
      ...kindsOfCustomResourceDefinition({
        spec: {
          group: 'stable.example.com',
          scope: 'Namespaced',
          names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
          versions: [
            { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
            { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
          ],
        },
      }),
    ]);
    const expected = storageVersionHash('stable.example.com', 'v2', 'CronTab');
    for (const version of ['v1', 'v2'])
      expect(apiResourceList(crds, 'stable.example.com', version).resources).toMatchObject([
        { name: 'crontabs', storageVersionHash: expected },
      ]);
  });
});
