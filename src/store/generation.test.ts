import { describe, expect, it } from 'vitest';
import { kindsOfCustomResourceDefinition } from '../crd/custom-resource-kinds.js';
import { deploymentKind } from '../registry/apps-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { ObjectStore } from './object-store.js';

/** Creates `obj`, applies each change to the stored copy in turn, and returns the generations seen. */
function generations(kind: ResourceKind, obj: KubeObject, changes: ((copy: KubeObject) => void)[]): number[] {
  const store = new ObjectStore();
  let stored = store.create(kind, obj);
  const seen = [stored.metadata!.generation!];
  for (const change of changes) {
    const copy = structuredClone(stored) as KubeObject;
    change(copy);
    stored = store.update(kind, copy);
    seen.push(stored.metadata!.generation!);
  }
  return seen;
}

const crd = (withStatus: boolean): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        ...(withStatus ? { subresources: { status: {} } } : {}),
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

describe('metadata.generation', () => {
  it('moves with a Deployment’s spec and annotations, not its labels or status', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 1 },
    };
    expect(
      generations(deploymentKind, deployment, [
        (d) => ((d.spec as { replicas: number }).replicas = 2),
        (d) => (d.metadata!.annotations = { note: 'x' }),
        (d) => (d.metadata!.labels = { app: 'web' }),
        (d) => (d.status = { replicas: 2 }),
      ]),
    ).toEqual([1, 2, 3, 3, 3]);
  });

  it('moves with every field of a custom resource outside metadata, and outside status when status is a subresource', () => {
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default' },
    };
    const changes = [
      (w: KubeObject) => (w.size = 'large'),
      (w: KubeObject) => (w.status = { ready: true }),
      (w: KubeObject) => (w.metadata!.labels = { a: 'b' }),
    ];
    expect(generations(kindsOfCustomResourceDefinition(crd(true))[0]!, widget, changes)).toEqual([
      1, 2, 2, 2,
    ]);
    expect(generations(kindsOfCustomResourceDefinition(crd(false))[0]!, widget, changes)).toEqual([
      1, 2, 3, 3,
    ]);
  });
});
