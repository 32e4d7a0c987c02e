/**
 * batch/v1 Job and CronJob with kube-apiserver 1.33's discovery data and `SetDefaults_Job` /
 * `SetDefaults_CronJob`; their pod templates get the pod defaults.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/v1/defaults.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/v1/conversion.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/batch/job/strategy.go
 */
import type { KubeObject, ResourceKind } from '../resource-kind.js';
import { fieldValue, objectField } from './fields.js';
import { STANDARD_VERBS, SUBRESOURCE_VERBS } from '../verbs.js';
import { defaultPodTemplate } from './pod-template-defaults.js';

function defaultJobSpec(spec: Record<string, unknown>): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  // An indexed job with per-index backoff has no global limit (MaxInt32).
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplate(objectField(spec, 'template'));
}

function asLabels(value: unknown): Record<string, string> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, string>)
    : undefined;
}

/**
 * The job strategy's `generateSelector`, unless `spec.manualSelector` is true: the template gets the
 * `job-name` and `controller-uid` labels (legacy and `batch.kubernetes.io/` forms) and the selector matches
 * the new uid.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/batch/job/strategy.go
 */
function generateJobSelector(job: KubeObject): void {
  const spec = objectField(job, 'spec');
  if (spec.manualSelector === true) return;
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const templateMetadata = objectField(objectField(spec, 'template'), 'metadata');
  const labels = objectField(templateMetadata, 'labels') as Record<string, string>;
  labels['job-name'] ??= name;
  labels['batch.kubernetes.io/job-name'] ??= name;
  labels['controller-uid'] ??= uid;
  labels['batch.kubernetes.io/controller-uid'] ??= uid;
  const selector = objectField(spec, 'selector');
  const matchLabels = objectField(selector, 'matchLabels') as Record<string, string>;
  matchLabels['batch.kubernetes.io/controller-uid'] ??= uid;
}

/**
 * batch/v1 Job: `status.successful` selectable (the succeeded count), with the batch group's own error for
 * other fields; `status` starts empty as the strategy resets it.
 */
export const jobKind: ResourceKind = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  resource: 'jobs',
  singular: 'job',
  namespaced: true,
  verbs: STANDARD_VERBS,
  categories: ['all'],
  subresources: [{ name: 'status', kind: 'Job', verbs: SUBRESOURCE_VERBS }],
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  tracksGeneration: true,
  fieldSelectors: {
    'metadata.name': (job) => fieldValue(job, 'metadata.name'),
    'metadata.namespace': (job) => fieldValue(job, 'metadata.namespace'),
    'status.successful': (job) => fieldValue(job, 'status.succeeded', '0'),
  },
  unsupportedFieldMessage: (field) => `field label "${field}" not supported for batchv1.Job`,
  normalizeOnWrite(job) {
    const spec = objectField(job, 'spec');
    defaultJobSpec(spec);
    // SetDefaults_Job: a job without labels takes its pod template's.
    const templateLabels = asLabels(objectField(objectField(spec, 'template'), 'metadata').labels);
    const metadata = (job.metadata ??= {});
    if (templateLabels && Object.keys(metadata.labels ?? {}).length === 0)
      metadata.labels = { ...templateLabels };
  },
  completeWithUid: generateJobSelector,
  // API creates reset status (src/api/create-status-reset.ts); fixtures may seed it.
  defaultOnCreate(job) {
    job.status ??= {};
  },
};

/** batch/v1 CronJob (`cj`): concurrency Allow, not suspended, history limits 3 and 1. */
export const cronJobKind: ResourceKind = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  resource: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  verbs: STANDARD_VERBS,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: [{ name: 'status', kind: 'CronJob', verbs: SUBRESOURCE_VERBS }],
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  tracksGeneration: true,
  normalizeOnWrite(cronJob) {
    const spec = objectField(cronJob, 'spec');
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const jobTemplate = objectField(spec, 'jobTemplate');
    const jobSpec = objectField(jobTemplate, 'spec');
    // SetDefaults_Job takes a Job, so only the nested pod spec's defaulters run on the job template.
    defaultPodTemplate(objectField(jobSpec, 'template'));
  },
  // API creates reset status (src/api/create-status-reset.ts); fixtures may seed it.
  defaultOnCreate(cronJob) {
    cronJob.status ??= {};
  },
};

/** The batch/v1 kinds. */
export const batchKinds: readonly ResourceKind[] = [cronJobKind, jobKind];
