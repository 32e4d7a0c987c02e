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

const DEFAULT_TOLERATION_SECONDS = 300;

/**
 * The DefaultTolerationSeconds admission plugin: a pod that does not tolerate `node.kubernetes.io/not-ready`
 * or `node.kubernetes.io/unreachable` (NoExecute) gets a toleration of each for 300 seconds, so that the taint
 * eviction controller evicts it five minutes after its node stops being ready.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/plugin/pkg/admission/defaulttolerationseconds/admission.go
 */
export function addDefaultTolerations(spec: Record<string, unknown>): void {
  const tolerations = Array.isArray(spec.tolerations) ? (spec.tolerations as Record<string, unknown>[]) : [];
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const added = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']
    .filter((key) => !tolerates(key))
    .map((key) => ({
      key,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
    }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}
