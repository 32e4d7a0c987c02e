import { describe, expect, it } from 'vitest';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.js';
import { autoscalingV1HorizontalPodAutoscalerKind } from './group-kinds.js';

const metadata = { name: 'web', namespace: 'default' };
const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (averageUtilization: number) => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } },
});

describe('autoscaling/v1 <-> v2 HorizontalPodAutoscaler conversion', () => {
  it('turns targetCPUUtilizationPercentage into a Resource cpu Utilization metric and back', () => {
    const v1 = {
      kind: 'HorizontalPodAutoscaler',
      apiVersion: 'autoscaling/v1',
      metadata,
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 },
    };
    const v2 = hpaV1ToV2(v1);
    expect(v2).toEqual({
      kind: 'HorizontalPodAutoscaler',
      apiVersion: 'autoscaling/v2',
      metadata,
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 3, metrics: [cpu(50)] },
      status: {
        currentReplicas: 2,
        desiredReplicas: 2,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } },
        ],
      },
    });
    expect(hpaV2ToV1(v2)).toEqual(v1);
  });

  it('shows only the cpu utilization target of several v2 metrics', () => {
    const memory = {
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
    };
    const v1 = hpaV2ToV1({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: { scaleTargetRef, maxReplicas: 5, metrics: [memory, cpu(70)] },
    });
    expect(v1.spec).toEqual({ scaleTargetRef, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
    expect(v1.status).toBeUndefined();
  });

  it('stores a v1 HPA without a target with the v2 default of 80 % cpu', () => {
    const stored = autoscalingV1HorizontalPodAutoscalerKind.conversion!.toStored({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: { scaleTargetRef, maxReplicas: 2 },
    });
    expect(stored.spec).toEqual({ scaleTargetRef, minReplicas: 1, maxReplicas: 2, metrics: [cpu(80)] });
  });
});
