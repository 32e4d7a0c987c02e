/**
 * What decoding defaults in every Pod body, create and update alike: the `PodSpec` defaults shared with pod
 * templates, `SetDefaults_Pod`'s requests taken from limits, and what only a Pod gets (`enableServiceLinks`,
 * the service account and priority admission). Status is the create's business (`podKind.defaultOnCreate`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/v1/defaults.go
 */
import { defaultPodSpec } from './pod-spec-defaults.js';
import { defaultRequestsFromLimits } from './pod-qos.js';
import type { KubeObject } from './resource-kind.js';

/** Fills a pod's spec defaults in place, creating `spec` when absent. */
export function defaultPodFields(pod: KubeObject): Record<string, unknown> {
  if (pod.spec === null || typeof pod.spec !== 'object' || Array.isArray(pod.spec)) pod.spec = {};
  const spec = pod.spec as Record<string, unknown>;
  defaultPodSpec(spec);
  defaultRequestsFromLimits(spec);
  spec.serviceAccountName ??= (spec.serviceAccount as string | undefined) ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  return spec;
}
