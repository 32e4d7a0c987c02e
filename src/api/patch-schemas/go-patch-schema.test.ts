import { describe, expect, it } from 'vitest';
import { goPatchSchema } from './go-patch-schema.js';

// Tags as k8s.io/api v0.33's types.go declare them; the schemas used to be transcribed by hand, and reading
// them from the Go structs added the tags the transcription had missed (ephemeral volume claim templates'
// metadata, container statuses' volumeMounts, a StatefulSet's volumeClaimTemplates).
describe('patch schemas read from the Go struct tags', () => {
  const field = (apiVersion: string, kind: string, path: string[]) => {
    let schema = goPatchSchema(apiVersion, kind);
    let found;
    for (const [i, name] of path.entries()) {
      found = schema?.fields?.[name];
      schema = found?.object ?? found?.items;
      if (i === path.length - 1) return found && { strategies: found.strategies, mergeKey: found.mergeKey };
    }
    return undefined;
  };

  it.each([
    ['v1', 'Pod', ['spec', 'containers'], ['merge'], 'name'],
    ['v1', 'Pod', ['spec', 'volumes'], ['merge', 'retainKeys'], 'name'],
    ['v1', 'Pod', ['spec', 'containers', 'env'], ['merge'], 'name'],
    ['v1', 'Pod', ['status', 'conditions'], ['merge'], 'type'],
    ['v1', 'Pod', ['status', 'containerStatuses', 'volumeMounts'], ['merge'], 'mountPath'],
    ['v1', 'Service', ['spec', 'ports'], ['merge'], 'port'],
    ['v1', 'Node', ['status', 'addresses'], ['merge'], 'type'],
    ['apps/v1', 'Deployment', ['spec', 'strategy'], ['retainKeys'], undefined],
    [
      'apps/v1',
      'Deployment',
      ['spec', 'template', 'spec', 'containers', 'ports'],
      ['merge'],
      'containerPort',
    ],
    [
      'apps/v1',
      'StatefulSet',
      ['spec', 'volumeClaimTemplates', 'metadata', 'finalizers'],
      ['merge'],
      undefined,
    ],
    [
      'batch/v1',
      'CronJob',
      ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers'],
      ['merge'],
      'name',
    ],
    ['policy/v1', 'PodDisruptionBudget', ['spec', 'selector'], ['replace'], undefined],
    ['storage.k8s.io/v1', 'CSINode', ['spec', 'drivers'], ['merge'], 'name'],
    ['scheduling.k8s.io/v1', 'PriorityClass', ['metadata', 'ownerReferences'], ['merge'], 'uid'],
    ['autoscaling/v1', 'HorizontalPodAutoscaler', ['metadata', 'finalizers'], ['merge'], undefined],
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', ['metadata', 'finalizers'], ['merge'], undefined],
  ] as const)('%s %s %j: %j by %s', (apiVersion, kind, path, strategies, mergeKey) => {
    expect(field(apiVersion, kind, [...path])).toEqual({ strategies, mergeKey });
  });

  it('lists only the fields that carry tags or hold fields that do; recursive types give a recursive schema', () => {
    const crd = goPatchSchema('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    expect(Object.keys(crd?.fields ?? {})).toEqual(['metadata', 'spec']);
    const schema =
      crd?.fields?.spec?.object?.fields?.versions?.items?.fields?.schema?.object?.fields?.openAPIV3Schema
        ?.object;
    expect(schema?.fields?.['x-kubernetes-validations']).toMatchObject({
      strategies: ['merge'],
      mergeKey: 'rule',
    });
    expect(schema?.fields?.not?.object).toBe(schema);
    expect(goPatchSchema('v1', 'ConfigMap')?.fields).toEqual({
      metadata: expect.objectContaining({ object: expect.anything() }),
    });
    expect(goPatchSchema('example.com/v1', 'Thing')).toBeUndefined();
  });
});
