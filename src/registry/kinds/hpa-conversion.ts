/**
 * autoscaling/v1 HorizontalPodAutoscalers served from the autoscaling/v2 objects they are stored as, with
 * upstream's conversion of the CPU target. Upstream also round-trips what v1 cannot say (other metrics, behavior,
 * conditions) through `autoscaling.alpha.kubernetes.io/*` annotations; that is left out here: a v1 read does not
 * show them, a v1 write of the spec keeps only the CPU target, and a v1 status write only what v1 status says.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/autoscaling/v1/conversion.go
 */
import type { KindConversion, KubeObject } from '../resource-kind.js';

type Obj = Record<string, unknown>;

const asObj = (value: unknown): Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};

function defined(entries: Array<[string, unknown]>): Obj {
  const out: Obj = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  return out;
}

function isCpu(metric: unknown): Obj | undefined {
  const m = asObj(metric);
  const resource = asObj(m.resource);
  return m.type === 'Resource' && resource.name === 'cpu' ? resource : undefined;
}

/** The CPU utilization target of a v2 spec's metrics, as `targetCPUUtilizationPercentage`. */
function cpuTarget(metrics: unknown): number | undefined {
  for (const metric of Array.isArray(metrics) ? metrics : []) {
    const target = asObj(isCpu(metric)?.target);
    if (target.type === 'Utilization' && typeof target.averageUtilization === 'number')
      return target.averageUtilization;
  }
  return undefined;
}

/** The current CPU utilization of a v2 status's currentMetrics, as `currentCPUUtilizationPercentage`. */
function cpuCurrent(metrics: unknown): number | undefined {
  for (const metric of Array.isArray(metrics) ? metrics : []) {
    const current = asObj(isCpu(metric)?.current);
    if (typeof current.averageUtilization === 'number') return current.averageUtilization;
  }
  return undefined;
}

/** `Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler` from the stored v2 form. */
export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const spec = asObj(v2.spec);
  const status = v2.status === undefined ? undefined : asObj(v2.status);
  return defined([
    ['kind', 'HorizontalPodAutoscaler'],
    ['apiVersion', 'autoscaling/v1'],
    ['metadata', v2.metadata],
    [
      'spec',
      defined([
        ['scaleTargetRef', spec.scaleTargetRef ?? {}],
        ['minReplicas', spec.minReplicas],
        ['maxReplicas', spec.maxReplicas ?? 0],
        ['targetCPUUtilizationPercentage', cpuTarget(spec.metrics)],
      ]),
    ],
    [
      'status',
      status &&
        defined([
          ['observedGeneration', status.observedGeneration],
          ['lastScaleTime', status.lastScaleTime],
          ['currentReplicas', status.currentReplicas ?? 0],
          ['desiredReplicas', status.desiredReplicas ?? 0],
          ['currentCPUUtilizationPercentage', cpuCurrent(status.currentMetrics)],
        ]),
    ],
  ]) as KubeObject;
}

/** `Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler`, to the stored v2 form. */
export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const spec = asObj(v1.spec);
  const status = v1.status === undefined ? undefined : asObj(v1.status);
  const target = spec.targetCPUUtilizationPercentage;
  const current = status?.currentCPUUtilizationPercentage;
  return defined([
    ['kind', 'HorizontalPodAutoscaler'],
    ['apiVersion', 'autoscaling/v2'],
    ['metadata', v1.metadata],
    [
      'spec',
      defined([
        ['scaleTargetRef', spec.scaleTargetRef ?? {}],
        ['minReplicas', spec.minReplicas],
        ['maxReplicas', spec.maxReplicas ?? 0],
        [
          'metrics',
          typeof target === 'number'
            ? [
                {
                  type: 'Resource',
                  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
                },
              ]
            : undefined,
        ],
      ]),
    ],
    [
      'status',
      status &&
        defined([
          ['observedGeneration', status.observedGeneration],
          ['lastScaleTime', status.lastScaleTime],
          ['currentReplicas', status.currentReplicas || undefined],
          ['desiredReplicas', status.desiredReplicas ?? 0],
          [
            'currentMetrics',
            typeof current === 'number'
              ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }]
              : undefined,
          ],
        ]),
    ],
  ]) as KubeObject;
}

/**
 * The conversion of autoscaling/v1 HPAs to and from their v2 storage; `defaultStored` applies the v2 defaults
 * (upstream applies them when the stored object is decoded).
 */
export function hpaV1Conversion(defaultStored: (v2: KubeObject) => void): KindConversion {
  return {
    toStored(v1) {
      const v2 = hpaV1ToV2(v1);
      defaultStored(v2);
      return v2;
    },
    fromStored: hpaV2ToV1,
  };
}
