import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { podKind } from '../../registry/built-in-kinds.js';
import { jobKind } from '../../registry/kinds/batch-kinds.js';
import type { KubeObject } from '../../registry/resource-kind.js';
import { kubeTimestamp } from '../../store/object-store.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from '../cluster-context.js';
import {
  comparePodsForDeletion,
  controllerOf,
  controllerRefTo,
  isPodActive,
  isPodReady,
  meta,
  podFromTemplate,
  podPhase,
  specOf,
  statusOf,
  type Fields,
} from './pods.js';
import { keyOf, ReconcileQueue, splitKey, type SyncResult } from '../reconcile-queue.js';

/** The finalizer the Job controller keeps on its pods until it has counted them. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const COMPONENT = 'job-controller';
/** `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff`. */
const BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 10 * 60_000;
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

/** A Job condition, with batch/v1's field order. */
interface JobCondition {
  type: string;
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

function conditionOf(job: KubeObject, type: string): JobCondition | undefined {
  const conditions = (statusOf(job).conditions as JobCondition[] | undefined) ?? [];
  return conditions.find((condition) => condition.type === type && condition.status === 'True');
}

/** Whether a Job has finished: a `Complete` or `Failed` condition that is `True` (`IsJobFinished`). */
export function isJobFinished(job: KubeObject): JobCondition | undefined {
  return conditionOf(job, 'Complete') ?? conditionOf(job, 'Failed');
}

function hasFinalizer(pod: KubeObject): boolean {
  return ((pod.metadata?.finalizers as string[] | undefined) ?? []).includes(JOB_TRACKING_FINALIZER);
}

function indexOf(pod: KubeObject): number | undefined {
  const value = meta(pod).annotations[COMPLETION_INDEX];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** `succeededIndexes.String()`: `0-2,4`. */
function formatIndexes(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function parseIndexes(text: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [from, to] = part.split('-').map(Number);
    for (let i = from!; i <= (to ?? from!); i++) out.push(i);
  }
  return out;
}

/** When a pod finished (`getFinishedTime`): its containers' last finish, Ready turning False, or deletion. */
function finishedTime(pod: KubeObject): number {
  const statuses = (statusOf(pod).containerStatuses as Fields[] | undefined) ?? [];
  const finishes = statuses
    .map((status) => Date.parse(status.state?.terminated?.finishedAt ?? ''))
    .filter(Number.isFinite);
  if (finishes.length > 0) return Math.max(...finishes);
  const ready = ((statusOf(pod).conditions as Fields[] | undefined) ?? []).find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && Date.parse(ready.lastTransitionTime ?? ''))
    return Date.parse(ready.lastTransitionTime);
  return Date.parse(meta(pod).deletionTimestamp ?? '') || Date.parse(meta(pod).creationTimestamp) || 0;
}

/** The back-off of a Job's pod creation after failures (`backoffRecord`), kept in memory as upstream does. */
interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/**
 * One sync of a Job, after `syncJob` in v1.33: pods counted through the job-tracking finalizer and
 * `uncountedTerminatedPods`, parallelism and completions, suspend, backoffLimit with the pod failure back-off
 * (10s doubling to 10m), activeDeadlineSeconds, the SuccessCriteriaMet/FailureTarget conditions, then
 * Complete/Failed once no pod is terminating, completionTime, and the Completed / BackoffLimitExceeded /
 * DeadlineExceeded events. Not supported: podFailurePolicy, backoffLimitPerIndex, successPolicy rules (their
 * Jobs are counted by the plain rules).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/job/job_controller.go
 */
class JobSync {
  job: KubeObject;
  requeueAfterMs: number | undefined;

  constructor(
    private readonly context: ClusterContext,
    job: KubeObject,
    private readonly backoff: BackoffRecord,
  ) {
    this.job = structuredClone(job);
  }

  get #writer() {
    return this.context.writers['kube-controller-manager'];
  }

  #now(): string {
    return kubeTimestamp(this.context.clock.now());
  }

  #condition(type: string, reason: string, message: string): JobCondition {
    const now = this.#now();
    return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.context.recordEvent({ involvedObject: this.job, type, reason, message, component: COMPONENT });
  }

  #pods(): KubeObject[] {
    const { namespace, uid } = meta(this.job);
    return this.context.store
      .list({ kind: podKind, namespace })
      .items.filter((pod) => controllerOf(pod)?.uid === uid);
  }

  #removeFinalizer(pod: KubeObject): void {
    const copy = structuredClone(pod);
    const finalizers = ((copy.metadata!.finalizers as string[] | undefined) ?? []).filter(
      (f) => f !== JOB_TRACKING_FINALIZER,
    );
    if (finalizers.length > 0) copy.metadata!.finalizers = finalizers;
    else delete copy.metadata!.finalizers;
    try {
      this.#writer.update(podKind, copy);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }

  #deletePod(pod: KubeObject): boolean {
    try {
      deleteObject(this.context, podKind, meta(pod).namespace, meta(pod).name, {
        preconditions: { uid: meta(pod).uid },
      });
      this.#event('Normal', 'SuccessfulDelete', `Deleted pod: ${meta(pod).name}`);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return true;
      throw error;
    }
  }

  run(): SyncResult {
    const job = this.job;
    const spec = specOf(job);
    const status: Fields = structuredClone(statusOf(job));
    if (isJobFinished(job)) {
      for (const pod of this.#pods()) if (hasFinalizer(pod)) this.#removeFinalizer(pod);
      return undefined;
    }
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions as number | undefined | null;
    const suspended = spec.suspend === true;
    const onlyReplaceFailed = spec.podReplacementPolicy === 'Failed';
    const uncounted: { succeeded?: string[]; failed?: string[] } = status.uncountedTerminatedPods ?? {};
    const pods = this.#pods();
    let active = pods.filter(isPodActive);
    let ready = active.filter(isPodReady).length;
    let terminating = pods.filter(
      (p) => p.metadata?.deletionTimestamp && podPhase(p) !== 'Succeeded' && podPhase(p) !== 'Failed',
    ).length;
    const isFailed = (pod: KubeObject) =>
      podPhase(pod) === 'Failed' ||
      (!onlyReplaceFailed && !!pod.metadata?.deletionTimestamp && podPhase(pod) !== 'Succeeded');
    const newSucceeded = pods.filter(
      (p) => hasFinalizer(p) && podPhase(p) === 'Succeeded' && !uncounted.succeeded?.includes(meta(p).uid),
    );
    const newFailed = pods.filter(
      (p) =>
        hasFinalizer(p) &&
        isFailed(p) &&
        podPhase(p) !== 'Succeeded' &&
        !uncounted.failed?.includes(meta(p).uid),
    );
    let succeeded = Number(status.succeeded ?? 0) + newSucceeded.length + (uncounted.succeeded?.length ?? 0);
    const failed = Number(status.failed ?? 0) + newFailed.length + (uncounted.failed?.length ?? 0);
    if (!status.startTime && !suspended) status.startTime = this.#now();
    this.#recordBackoff(newSucceeded, newFailed);

    let succeededIndexes: number[] = [];
    if (indexed) {
      const previous = parseIndexes(status.completedIndexes);
      succeededIndexes = [
        ...previous,
        ...pods
          .filter((p) => podPhase(p) === 'Succeeded')
          .map(indexOf)
          .filter((ix): ix is number => ix !== undefined && ix < (completions ?? 0)),
      ];
      succeeded = new Set(succeededIndexes).size;
    }

    let finished: JobCondition | undefined =
      conditionOf(job, 'SuccessCriteriaMet') ?? conditionOf(job, 'FailureTarget');
    if (finished?.type === 'FailureTarget') {
      finished = this.#condition('Failed', finished.reason ?? '', finished.message ?? '');
    }
    const backoffLimit = Number(spec.backoffLimit ?? 6);
    if (!finished) {
      if (failed > backoffLimit || this.#pastBackoffLimitOnFailure(pods)) {
        finished = this.#condition(
          'FailureTarget',
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
        );
      } else if (this.#pastActiveDeadline(status)) {
        finished = this.#condition(
          'FailureTarget',
          'DeadlineExceeded',
          'Job was active longer than specified deadline',
        );
      } else if (
        spec.activeDeadlineSeconds !== undefined &&
        spec.activeDeadlineSeconds !== null &&
        !suspended
      ) {
        const due = Date.parse(status.startTime) + Number(spec.activeDeadlineSeconds) * 1000;
        this.#requeueAfter(due - this.context.clock.now().getTime());
      }
    }

    let suspendChanged = false;
    if (finished) {
      for (const pod of active) {
        if (this.#deletePod(pod)) {
          terminating++;
          if (isPodReady(pod)) ready--;
        }
      }
      active = [];
    } else {
      if (!meta(job).deletionTimestamp) {
        active = this.#manageJob(
          active,
          succeeded,
          succeededIndexes,
          terminating,
          (removed, removedReady) => {
            terminating += removed;
            ready -= removedReady;
          },
        );
      }
      const complete =
        completions === undefined || completions === null
          ? succeeded > 0 && active.length === 0
          : succeeded >= completions && active.length === 0;
      if (complete) {
        finished = this.#condition(
          'SuccessCriteriaMet',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        );
      } else if (!meta(job).deletionTimestamp) {
        suspendChanged = this.#syncSuspendCondition(status, suspended);
      }
    }

    status.active = active.length;
    status.ready = ready;
    status.terminating = terminating;
    this.#trackStatus(status, pods, finished, suspendChanged, succeededIndexes, isFailed, indexed);
    return this.requeueAfterMs === undefined ? undefined : { requeueAfterMs: this.requeueAfterMs };
  }

  #requeueAfter(ms: number): void {
    const delay = Math.max(0, ms);
    this.requeueAfterMs = this.requeueAfterMs === undefined ? delay : Math.min(this.requeueAfterMs, delay);
  }

  #recordBackoff(newSucceeded: KubeObject[], newFailed: KubeObject[]): void {
    if (newSucceeded.length > 0) {
      this.backoff.failuresAfterLastSuccess = 0;
      delete this.backoff.lastFailureTime;
      const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
      newFailed = newFailed.filter((pod) => finishedTime(pod) > lastSuccess);
    }
    if (newFailed.length > 0) {
      this.backoff.failuresAfterLastSuccess += newFailed.length;
      this.backoff.lastFailureTime = Math.max(
        this.backoff.lastFailureTime ?? 0,
        ...newFailed.map(finishedTime),
      );
    }
  }

  /** `pastBackoffLimitOnFailure`: with restartPolicy OnFailure, container restarts count as failures. */
  #pastBackoffLimitOnFailure(pods: KubeObject[]): boolean {
    const spec = specOf(this.job);
    if (spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
    let restarts = 0;
    for (const pod of pods) {
      const phase = podPhase(pod);
      if (phase !== 'Running' && phase !== 'Pending') continue;
      const statuses = [
        ...((statusOf(pod).initContainerStatuses as Fields[] | undefined) ?? []),
        ...((statusOf(pod).containerStatuses as Fields[] | undefined) ?? []),
      ];
      for (const s of statuses) restarts += Number(s.restartCount ?? 0);
    }
    const limit = Number(spec.backoffLimit ?? 6);
    return limit === 0 ? restarts > 0 : restarts >= limit;
  }

  #pastActiveDeadline(status: Fields): boolean {
    const seconds = specOf(this.job).activeDeadlineSeconds;
    if (seconds === undefined || seconds === null || !status.startTime || specOf(this.job).suspend)
      return false;
    return this.context.clock.now().getTime() - Date.parse(status.startTime) >= Number(seconds) * 1000;
  }

  /** `manageJob`: creates or deletes pods towards min(parallelism, completions - succeeded). */
  #manageJob(
    active: KubeObject[],
    succeeded: number,
    succeededIndexes: number[],
    terminating: number,
    onRemoved: (removed: number, removedReady: number) => void,
  ): KubeObject[] {
    const spec = specOf(this.job);
    const parallelism = Number(spec.parallelism ?? 1);
    const completions = spec.completions as number | undefined | null;
    const remove = (victims: KubeObject[]): void => {
      let removed = 0;
      let removedReady = 0;
      for (const pod of victims) {
        if (this.#deletePod(pod)) {
          removed++;
          if (isPodReady(pod)) removedReady++;
        }
      }
      onRemoved(removed, removedReady);
      active = active.filter((pod) => !victims.includes(pod));
    };
    if (spec.suspend === true) {
      remove([...active]);
      return active;
    }
    let wantActive: number;
    if (completions === undefined || completions === null)
      wantActive = succeeded > 0 ? active.length : parallelism;
    else wantActive = Math.max(0, Math.min(completions - succeeded, parallelism));
    const rmAtLeast = Math.max(0, active.length - wantActive);
    if (rmAtLeast > 0) {
      const ranks = new Map<KubeObject, number>();
      remove(
        [...active]
          .sort(comparePodsForDeletion(ranks))
          .slice(0, Math.min(rmAtLeast, MAX_POD_CREATE_DELETE_PER_SYNC)),
      );
      return active;
    }
    let diff = wantActive - (spec.podReplacementPolicy === 'Failed' ? terminating : 0) - active.length;
    if (diff <= 0) return active;
    const remaining = this.#remainingBackoff();
    if (remaining > 0) {
      this.#requeueAfter(remaining);
      return active;
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    const indexes: (number | undefined)[] = [];
    if (spec.completionMode === 'Indexed') {
      const taken = new Set([...succeededIndexes, ...active.map(indexOf).filter((ix) => ix !== undefined)]);
      for (let ix = 0; ix < (completions ?? 0) && indexes.length < diff; ix++)
        if (!taken.has(ix)) indexes.push(ix);
    } else for (let i = 0; i < diff; i++) indexes.push(undefined);
    const ref = controllerRefTo(this.job, jobKind);
    for (const ix of indexes) {
      const template: Fields = structuredClone(spec.template ?? {});
      template.metadata ??= {};
      template.metadata.finalizers = [
        ...(template.metadata.finalizers ?? []).filter((f: string) => f !== JOB_TRACKING_FINALIZER),
        JOB_TRACKING_FINALIZER,
      ];
      let generateName = `${meta(this.job).name}-`;
      if (ix !== undefined) {
        // addCompletionIndexAnnotation, the index label, the hostname and JOB_COMPLETION_INDEX.
        template.metadata.annotations = {
          ...(template.metadata.annotations ?? {}),
          [COMPLETION_INDEX]: String(ix),
        };
        template.metadata.labels = { ...(template.metadata.labels ?? {}), [COMPLETION_INDEX]: String(ix) };
        template.spec ??= {};
        template.spec.hostname = `${meta(this.job).name}-${ix}`;
        for (const container of [
          ...(template.spec.initContainers ?? []),
          ...(template.spec.containers ?? []),
        ]) {
          const env: Fields[] = (container.env ??= []);
          if (!env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) {
            env.push({
              name: 'JOB_COMPLETION_INDEX',
              valueFrom: {
                fieldRef: { apiVersion: 'v1', fieldPath: `metadata.labels['${COMPLETION_INDEX}']` },
              },
            });
          }
        }
        generateName = `${meta(this.job).name}-${ix}-`;
      }
      const pod = podFromTemplate(template, meta(this.job).namespace, generateName, ref);
      try {
        const created = this.#writer.create(podKind, pod);
        this.#event('Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
        active = [...active, created];
      } catch (error) {
        this.#event(
          'Warning',
          'FailedCreate',
          `Error creating: ${error instanceof Error ? error.message : String(error)}`,
        );
        break;
      }
    }
    return active;
  }

  #remainingBackoff(): number {
    const { failuresAfterLastSuccess, lastFailureTime } = this.backoff;
    if (failuresAfterLastSuccess === 0 || lastFailureTime === undefined) return 0;
    let duration = BACKOFF_MS;
    for (let i = 1; i < failuresAfterLastSuccess; i++) {
      duration *= 2;
      if (duration >= MAX_BACKOFF_MS) {
        duration = MAX_BACKOFF_MS;
        break;
      }
    }
    const elapsed = this.context.clock.now().getTime() - lastFailureTime;
    return duration < elapsed ? 0 : duration - elapsed;
  }

  /** The Suspended condition (`ensureJobConditionStatus`) and its events; resuming restarts startTime. */
  #syncSuspendCondition(status: Fields, suspended: boolean): boolean {
    const conditions: JobCondition[] = status.conditions ?? [];
    const current = conditions.find((c) => c.type === 'Suspended');
    if (suspended) {
      if (current?.status === 'True') return false;
      status.conditions = [
        ...conditions.filter((c) => c !== current),
        { ...this.#condition('Suspended', 'JobSuspended', 'Job suspended') },
      ];
      this.#event('Normal', 'Suspended', 'Job suspended');
      return true;
    }
    if (!current || current.status === 'False') return false;
    status.conditions = [
      ...conditions.filter((c) => c !== current),
      { ...this.#condition('Suspended', 'JobResumed', 'Job resumed'), status: 'False' },
    ];
    this.#event('Normal', 'Resumed', 'Job resumed');
    status.startTime = this.#now();
    return true;
  }

  /**
   * `trackJobStatusAndRemoveFinalizers`: finished pods go to `uncountedTerminatedPods`, then lose their
   * finalizer, then are counted; a finished Job gets its terminal condition once nothing is uncounted or
   * terminating.
   */
  #trackStatus(
    status: Fields,
    pods: KubeObject[],
    finished: JobCondition | undefined,
    suspendChanged: boolean,
    succeededIndexes: number[],
    isFailed: (pod: KubeObject) => boolean,
    indexed: boolean,
  ): void {
    const job = this.job;
    status.uncountedTerminatedPods ??= {};
    const uncounted: { succeeded?: string[]; failed?: string[] } = status.uncountedTerminatedPods;
    const toRemove: KubeObject[] = [];
    for (const pod of pods) {
      if (!hasFinalizer(pod)) continue;
      const failedPod = isFailed(pod) && podPhase(pod) !== 'Succeeded';
      const canRemove =
        !!meta(job).deletionTimestamp || !!finished || podPhase(pod) === 'Succeeded' || failedPod;
      if (!canRemove) continue;
      toRemove.push(pod);
      const uid = meta(pod).uid;
      if (podPhase(pod) === 'Succeeded' && !uncounted.failed?.includes(uid)) {
        if (!indexed && !uncounted.succeeded?.includes(uid))
          uncounted.succeeded = [...(uncounted.succeeded ?? []), uid];
      } else if (failedPod || (finished && finished.type !== 'SuccessCriteriaMet')) {
        if (!uncounted.failed?.includes(uid)) uncounted.failed = [...(uncounted.failed ?? []), uid];
      }
    }
    if (indexed) {
      status.completedIndexes = formatIndexes(succeededIndexes);
      status.succeeded = new Set(succeededIndexes).size;
    }
    let terminal = finished;
    if (finished?.type === 'FailureTarget') {
      status.conditions = [...(status.conditions ?? []), finished];
      terminal = this.#condition('Failed', finished.reason ?? '', finished.message ?? '');
    } else if (finished?.type === 'SuccessCriteriaMet') {
      if (!conditionOf({ status } as KubeObject, 'SuccessCriteriaMet'))
        status.conditions = [...(status.conditions ?? []), finished];
      terminal = this.#condition('Complete', finished.reason ?? '', finished.message ?? '');
    }
    // Flush: the uncounted pods are recorded before their finalizers go, then counted.
    if ((uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) > 0) {
      this.#writeStatus(status, true);
      for (const pod of toRemove) this.#removeFinalizer(pod);
      status.succeeded = Number(status.succeeded ?? 0) + (indexed ? 0 : (uncounted.succeeded?.length ?? 0));
      status.failed = Number(status.failed ?? 0) + (uncounted.failed?.length ?? 0);
      status.uncountedTerminatedPods = {};
    } else for (const pod of toRemove) this.#removeFinalizer(pod);
    let jobFinished = false;
    if (terminal && Number(status.terminating ?? 0) === 0) {
      const conditions: JobCondition[] = status.conditions ?? [];
      if (!conditions.some((c) => c.type === terminal.type && c.status === 'True')) {
        status.conditions = [...conditions, terminal];
        if (terminal.type === 'Complete') status.completionTime = terminal.lastTransitionTime;
        jobFinished = true;
      }
    }
    this.#writeStatus(status, suspendChanged || jobFinished);
    if (jobFinished && terminal) {
      if (terminal.type === 'Complete') {
        const completions = specOf(job).completions;
        if (
          completions !== undefined &&
          completions !== null &&
          Number(status.succeeded ?? 0) > completions
        ) {
          this.#event(
            'Warning',
            'TooManySucceededPods',
            'Too many succeeded pods running after completion count reached',
          );
        }
        this.#event('Normal', 'Completed', 'Job completed');
      } else this.#event('Warning', terminal.reason ?? '', terminal.message ?? '');
    }
  }

  #writeStatus(status: Fields, force: boolean): void {
    // Go's omitempty: zero counters and an empty completedIndexes are not written; ready, terminating and
    // uncountedTerminatedPods are pointers, written even when zero or empty.
    const written: Fields = {};
    for (const [key, value] of Object.entries(status)) {
      if ((key === 'active' || key === 'succeeded' || key === 'failed') && value === 0) continue;
      if (key === 'completedIndexes' && value === '') continue;
      written[key] = value;
    }
    if (!force && isDeepStrictEqual(written, statusOf(this.job))) return;
    this.job = structuredClone(this.#writer.updateStatus(jobKind, { ...this.job, status: written }));
  }
}

/**
 * kube-controller-manager's `job` controller.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/job/job_controller.go
 */
export const jobController: ClusterComponent = {
  name: 'job',
  start(context) {
    const jobKey = storageKeyOf(jobKind);
    const podKey = storageKeyOf(podKind);
    const backoffs = new Map<string, BackoffRecord>();
    const queue = new ReconcileQueue(
      'job',
      context.timers,
      (key) => {
        const [namespace, name] = splitKey(key);
        const job = context.store.get(jobKind, namespace, name);
        if (!job) {
          backoffs.delete(key);
          return undefined;
        }
        let backoff = backoffs.get(key);
        if (!backoff) backoffs.set(key, (backoff = { failuresAfterLastSuccess: 0 }));
        return new JobSync(context, job, backoff).run();
      },
      context.log,
    );
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === jobKey) {
        if (event.type !== 'DELETED') queue.add(keyOf(event.object));
        else backoffs.delete(keyOf(event.object));
      } else if (event.kindKey === podKey) {
        const ref = controllerOf(event.object);
        if (ref?.kind === 'Job') queue.add(`${meta(event.object).namespace}/${ref.name}`);
      }
    });
    for (const job of context.store.list({ kind: jobKind }).items) queue.add(keyOf(job));
    return () => {
      unsubscribe();
      queue.stop();
    };
  },
};
