import { defaultPodSpec } from '../pod-spec-defaults.js';
import { objectField } from './fields.js';

/**
 * Defaults a `PodTemplateSpec` (a job's, a replication controller's) with the `PodSpec` defaults: the
 * defaulters run on nested templates exactly as on pods.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/defaults.go
 */
export function defaultPodTemplate(template: Record<string, unknown>): void {
  defaultPodSpec(objectField(template, 'spec'));
}
