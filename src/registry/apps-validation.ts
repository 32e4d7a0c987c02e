/**
 * The checks of `pkg/apis/apps/validation` that clients run into: a workload's selector (required, not
 * empty, matching the pod template's labels, immutable once created) and its non-negative replica count,
 * with kube-apiserver's messages, values rendered as Go's `%#v` renders them.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/apps/validation/validation.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/registry/apps/deployment/strategy.go
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError, invalid, type FieldError } from '../errors/status.js';
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../store/label-selector.js';
import type { KubeObject } from './resource-kind.js';

type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

/** Go's `%q` for the plain strings labels hold. */
const goQuote = (text: string): string => JSON.stringify(text);

/** `%#v` of a `map[string]string`: keys sorted, `(nil)` for an absent map. */
export function goStringMap(map: unknown): string {
  const object = asObject(map);
  if (!object) return 'map[string]string(nil)';
  const entries = Object.keys(object)
    .sort()
    .map((key) => `${goQuote(key)}:${goQuote(String(object[key]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${values.map((v) => goQuote(String(v))).join(', ')}}`;
}

/** `%#v` of a `metav1.LabelSelector` value, as `field.Invalid` prints a dereferenced `*LabelSelector`. */
export function goLabelSelector(selector: unknown): string {
  const object = asObject(selector) ?? {};
  const expressions = Array.isArray(object.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${object.matchExpressions
        .map((e) => {
          const expr = asObject(e) ?? {};
          return `v1.LabelSelectorRequirement{Key:${goQuote(String(expr.key ?? ''))}, Operator:${goQuote(
            String(expr.operator ?? ''),
          )}, Values:${goStringSlice(expr.values)}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(object.matchLabels)}, MatchExpressions:${expressions}}`;
}

/** How one workload kind words and orders its selector checks. */
export interface WorkloadValidation {
  kind: string;
  /** `Required value` for a missing selector (every kind but DaemonSet). */
  selectorRequired: boolean;
  /** The noun of `empty selector is invalid for <noun>` (ReplicaSet reuses `deployment` upstream). */
  emptySelectorNoun: string;
  /** Whether the spec has `replicas`, which must not be negative. */
  hasReplicas: boolean;
}

/**
 * `ValidateDeploymentSpec`, `ValidateReplicaSetSpec`, `ValidateStatefulSetSpec` and `ValidateDaemonSetSpec`,
 * reduced to the replica count and the selector, plus the strategies' `ValidateUpdate`, which refuses a
 * changed selector in every group/version but extensions/v1beta1.
 * @throws ApiError 422 Invalid, e.g. `Deployment.apps "web" is invalid: spec.template.metadata.labels:
 * Invalid value: map[string]string{"app":"api"}: \`selector\` does not match template \`labels\``
 */
export function validateWorkload(rules: WorkloadValidation, obj: KubeObject, current?: KubeObject): void {
  const spec = asObject(obj.spec) ?? {};
  const errors: FieldError[] = [];
  const replicas = spec.replicas;
  if (rules.hasReplicas && typeof replicas === 'number' && replicas < 0) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.replicas',
      detail: `Invalid value: ${replicas}: must be greater than or equal to 0`,
    });
  }
  const selector = asObject(spec.selector);
  if (!selector && rules.selectorRequired) {
    errors.push({ type: 'FieldValueRequired', field: 'spec.selector', detail: 'Required value' });
  }
  const templateLabels = asObject(asObject(asObject(spec.template)?.metadata)?.labels);
  const emptySelector = (s: JsonObject) =>
    Object.keys(asObject(s.matchLabels) ?? {}).length +
      (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0) ===
    0;
  const emptySelectorError = (s: JsonObject): FieldError => ({
    type: 'FieldValueInvalid',
    field: 'spec.selector',
    detail: `Invalid value: ${goLabelSelector(s)}: empty selector is invalid for ${rules.emptySelectorNoun}`,
  });
  if (selector && emptySelector(selector) && rules.selectorRequired)
    errors.push(emptySelectorError(selector));
  try {
    const parsed = labelSelectorFromMetav1(selector as Metav1LabelSelector | undefined);
    if (!parsed.empty && !parsed.matches(templateLabels as Record<string, string> | undefined)) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        detail: `Invalid value: ${goStringMap(templateLabels)}: \`selector\` does not match template \`labels\``,
      });
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.selector',
      detail: `Invalid value: ${goLabelSelector(selector)}: invalid label selector`,
    });
  }
  // ValidateDaemonSetSpec checks for an empty selector after the template's labels.
  if (selector && emptySelector(selector) && !rules.selectorRequired)
    errors.push(emptySelectorError(selector));
  if (current) {
    const oldSelector = asObject(current.spec)?.selector;
    if (!isDeepStrictEqual(spec.selector ?? null, oldSelector ?? null)) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'spec.selector',
        detail: `Invalid value: ${selector ? goLabelSelector(selector) : 'null'}: field is immutable`,
      });
    }
  }
  if (errors.length > 0) throw invalid(rules.kind, 'apps', obj.metadata?.name ?? '', errors);
}
