import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { daemonSetKind, deploymentKind, replicaSetKind, statefulSetKind } from './apps-kinds.js';
import type { KubeObject } from './resource-kind.js';

const workload = (
  kind: string,
  selector: unknown,
  labels: Record<string, string> | undefined,
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    ...(selector === undefined ? {} : { selector }),
    template: { metadata: labels ? { labels } : {}, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

function errorOf(fn: () => void): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('apps/v1 defaulting', () => {
  it('defaults a deployment and its pod template as kube-apiserver 1.33 does', () => {
    const obj = workload('Deployment', { matchLabels: { app: 'web' } }, { app: 'web' });
    deploymentKind.normalizeOnWrite!(obj);
    expect(obj.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        spec: {
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          terminationGracePeriodSeconds: 30,
          schedulerName: 'default-scheduler',
          securityContext: {},
          containers: [{ imagePullPolicy: 'Always', terminationMessagePolicy: 'File', resources: {} }],
        },
      },
    });
  });

  it('leaves a Recreate strategy without rollingUpdate', () => {
    const obj = workload('Deployment', { matchLabels: { app: 'web' } }, { app: 'web' });
    (obj.spec as Record<string, unknown>).strategy = { type: 'Recreate' };
    deploymentKind.normalizeOnWrite!(obj);
    expect((obj.spec as Record<string, unknown>).strategy).toEqual({ type: 'Recreate' });
  });

  it('defaults a statefulset and a daemonset', () => {
    const sts = workload('StatefulSet', { matchLabels: { app: 'web' } }, { app: 'web' });
    statefulSetKind.normalizeOnWrite!(sts);
    expect(sts.spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
    });
    const ds = workload('DaemonSet', { matchLabels: { app: 'web' } }, { app: 'web' });
    daemonSetKind.normalizeOnWrite!(ds);
    expect(ds.spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
    expect((ds.spec as Record<string, unknown>).replicas).toBeUndefined();
  });
});

describe('apps/v1 validation', () => {
  it('requires a selector and reports the template labels it cannot match', () => {
    const error = errorOf(() =>
      deploymentKind.normalizeOnWrite!(workload('Deployment', undefined, { app: 'web' })),
    );
    expect(error.code).toBe(422);
    expect(error.message).toBe(
      'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: ' +
        'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]',
    );
  });

  it('refuses an empty selector with the kind-specific wording', () => {
    expect(
      errorOf(() => replicaSetKind.normalizeOnWrite!(workload('ReplicaSet', {}, { app: 'web' }))).message,
    ).toBe(
      'ReplicaSet.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), ' +
        'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    );
    expect(
      errorOf(() => daemonSetKind.normalizeOnWrite!(workload('DaemonSet', {}, { app: 'web' }))).message,
    ).toContain('empty selector is invalid for daemonset');
  });

  it('reports a mismatch against expressions and missing labels', () => {
    const selector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] };
    expect(
      errorOf(() => statefulSetKind.normalizeOnWrite!(workload('StatefulSet', selector, undefined))).message,
    ).toBe(
      'StatefulSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string(nil): ' +
        '`selector` does not match template `labels`',
    );
  });

  it('refuses a negative replica count', () => {
    const obj = workload('Deployment', { matchLabels: { app: 'web' } }, { app: 'web' });
    (obj.spec as Record<string, unknown>).replicas = -2;
    expect(errorOf(() => deploymentKind.normalizeOnWrite!(obj)).message).toBe(
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0',
    );
  });

  it('keeps the selector immutable on update, rendering it as Go does', () => {
    const current = workload('Deployment', { matchLabels: { app: 'web' } }, { app: 'web', v: '1' });
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'v', operator: 'Exists' }] };
    const next = workload('Deployment', selector, { app: 'web', v: '1' });
    expect(errorOf(() => deploymentKind.normalizeOnWrite!(next, current)).message).toBe(
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, ' +
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"v", Operator:"Exists", Values:[]string(nil)}}}: field is immutable',
    );
    expect(() => deploymentKind.normalizeOnWrite!(structuredClone(current), current)).not.toThrow();
  });
});
