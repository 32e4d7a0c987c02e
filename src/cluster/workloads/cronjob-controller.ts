import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { cronJobKind, jobKind } from '../../registry/kinds/batch-kinds.js';
import type { KubeObject } from '../../registry/resource-kind.js';
import { kubeTimestamp } from '../../store/object-store.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from '../cluster-context.js';
import { isKnownTimeZone, parseCronSchedule, type CronSchedule } from './cron-schedule.js';
import { isJobFinished } from './job-controller.js';
import { controllerOf, controllerRefTo, meta, specOf, statusOf, type Fields } from './pods.js';
import { keyOf, ReconcileQueue, splitKey, type SyncResult } from '../reconcile-queue.js';

const COMPONENT = 'cronjob-controller';
/** `nextScheduleDelta`: the controller looks again a little after the next activation. */
const NEXT_SCHEDULE_DELTA_MS = 100;
const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** RFC 3339 of an instant in a time zone, as Go's `Format(time.RFC3339)`: `Z` in UTC, else the offset. */
function rfc3339In(ms: number, timeZone: string): string {
  if (timeZone === 'UTC') return kubeTimestamp(new Date(ms));
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  const offset = (parts.timeZoneName as string).replace('GMT', '') || 'Z';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** RFC 1123Z in UTC, as Go formats it (`Mon, 02 Jan 2006 15:04:05 -0700`). */
function rfc1123z(ms: number): string {
  const date = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * `mostRecentScheduleTime`: the latest activation in (earliest, now], how many were missed, and the earliest
 * time considered (the last schedule, else creation; with startingDeadlineSeconds, no earlier than that).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/cronjob/utils.go
 */
function mostRecentScheduleTime(
  cj: KubeObject,
  now: number,
  schedule: CronSchedule,
  includeDeadline: boolean,
): { earliest: number; mostRecent?: number; missed: 'none' | 'few' | 'many' } {
  let earliest = Date.parse(
    (statusOf(cj).lastScheduleTime as string | undefined) ?? meta(cj).creationTimestamp,
  );
  const deadline = specOf(cj).startingDeadlineSeconds;
  if (includeDeadline && deadline !== undefined && deadline !== null) {
    earliest = Math.max(earliest, now - Number(deadline) * 1000);
  }
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = schedule.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  const missedCount = Math.floor((now - t1) / 1000 / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= now; t = schedule.next(t))
    mostRecent = t;
  const missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/**
 * One sync of a CronJob (`syncCronJob` of cronjob_controllerv2.go, v1.33) on the server's clock: the active
 * list kept with its Jobs (SawCompletedJob, MissingJob, lastSuccessfulTime), suspend, the schedule in
 * `timeZone`, startingDeadlineSeconds (MissSchedule), concurrencyPolicy Allow / Forbid (JobAlreadyActive) /
 * Replace, Jobs named `<cronjob>-<scheduled minutes since the epoch>` with the scheduled-timestamp annotation,
 * lastScheduleTime, the history limits, and a look again just after the next activation.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/cronjob/cronjob_controllerv2.go
 */
class CronJobSync {
  requeueAfterMs: number | undefined;
  status: Fields;
  readonly #stored: Fields;

  constructor(
    private readonly context: ClusterContext,
    private cj: KubeObject,
  ) {
    this.status = structuredClone(statusOf(cj));
    this.#stored = statusOf(cj);
  }

  get #writer() {
    return this.context.writers['kube-controller-manager'];
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.context.recordEvent({ involvedObject: this.cj, type, reason, message, component: COMPONENT });
  }

  #jobs(): KubeObject[] {
    const { namespace, uid } = meta(this.cj);
    return this.context.store
      .list({ kind: jobKind, namespace })
      .items.filter((job) => controllerOf(job)?.uid === uid);
  }

  #deleteJob(job: KubeObject): boolean {
    try {
      deleteObject(this.context, jobKind, meta(job).namespace, meta(job).name, {
        propagationPolicy: 'Background',
      });
      this.#event('Normal', 'SuccessfulDelete', `Deleted job ${meta(job).name}`);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return true;
      this.#event(
        'Warning',
        'FailedDelete',
        `Deleted job: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }

  run(): SyncResult {
    const jobs = this.#jobs();
    this.#reconcileActive(jobs);
    if (!meta(this.cj).deletionTimestamp) this.#schedule();
    this.#cleanupFinishedJobs();
    if (!isDeepStrictEqual(this.status, this.#stored)) {
      this.cj = this.#writer.updateStatus(cronJobKind, { ...this.cj, status: this.status });
    }
    return this.requeueAfterMs === undefined ? undefined : { requeueAfterMs: this.requeueAfterMs };
  }

  #setActive(active: Fields[]): void {
    if (active.length > 0) this.status.active = active;
    else delete this.status.active;
  }

  #reconcileActive(jobs: KubeObject[]): void {
    let active: Fields[] = [...((this.status.active as Fields[] | undefined) ?? [])];
    const byUid = new Map(jobs.map((job) => [meta(job).uid, job]));
    for (const job of jobs) {
      const inActive = active.some((ref) => ref.uid === meta(job).uid);
      const finished = isJobFinished(job);
      if (!inActive && !finished) {
        // A Job it created but did not record: adopted into the active list.
        active.push(this.#reference(job));
      } else if (inActive && finished) {
        active = active.filter((ref) => ref.uid !== meta(job).uid);
        this.#event(
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${meta(job).name}, condition: ${finished.type}`,
        );
        const completion = statusOf(job).completionTime as string | undefined;
        if (finished.type === 'Complete' && completion) {
          const last = this.status.lastSuccessfulTime as string | undefined;
          if (!last || Date.parse(completion) > Date.parse(last)) this.status.lastSuccessfulTime = completion;
        }
      }
    }
    for (const ref of [...active]) {
      if (!byUid.has(ref.uid)) {
        this.#event('Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        active = active.filter((r) => r !== ref);
      }
    }
    this.#setActive(active);
  }

  #reference(job: KubeObject): Fields {
    return {
      kind: 'Job',
      namespace: meta(job).namespace,
      name: meta(job).name,
      uid: meta(job).uid,
      apiVersion: 'batch/v1',
      resourceVersion: job.metadata?.resourceVersion,
    };
  }

  #schedule(): void {
    const cj = this.cj;
    const spec = specOf(cj);
    const timeZone = (spec.timeZone as string | undefined) ?? 'UTC';
    if (spec.timeZone !== undefined && spec.timeZone !== null && !isKnownTimeZone(timeZone)) {
      this.#event(
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}`,
      );
      return;
    }
    if (spec.suspend === true) return;
    let schedule: CronSchedule;
    try {
      schedule = parseCronSchedule(spec.schedule as string, timeZone);
    } catch (error) {
      this.#event(
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: "${spec.schedule}" : ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (/TZ=/.test(String(spec.schedule))) {
      this.#event(
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule "${spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    const now = this.context.clock.now().getTime();
    const requeueNext = () => {
      const { earliest, mostRecent, missed } = mostRecentScheduleTime(this.cj, now, schedule, false);
      const from = mostRecent ?? (missed === 'none' ? earliest : now);
      const next = schedule.next(from);
      if (next !== undefined) this.requeueAfterMs = next + NEXT_SCHEDULE_DELTA_MS - now;
    };
    const { mostRecent, missed } = mostRecentScheduleTime(cj, now, schedule, true);
    if (mostRecent === undefined || mostRecent > now) return requeueNext();
    if (missed === 'many') {
      this.#event(
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );
    }
    const deadline = spec.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && mostRecent + Number(deadline) * 1000 < now) {
      this.#event('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(mostRecent)}`);
      return requeueNext();
    }
    const name = `${meta(cj).name}-${Math.floor(mostRecent / 60_000)}`;
    let active = (this.status.active as Fields[] | undefined) ?? [];
    if (active.some((ref) => ref.name === name)) return requeueNext();
    if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.#event(
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return requeueNext();
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of active) {
        const job = this.context.store.get(jobKind, ref.namespace, ref.name);
        if (!job || this.#deleteJob(job)) active = active.filter((r) => r !== ref);
      }
      this.#setActive(active);
    }
    const template: Fields = spec.jobTemplate ?? {};
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: meta(cj).namespace,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          [SCHEDULED_TIMESTAMP]: rfc3339In(mostRecent, timeZone),
        },
        ownerReferences: [controllerRefTo(cj, cronJobKind)],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    let created: KubeObject;
    try {
      created = this.#writer.create(jobKind, job);
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'AlreadyExists') {
        const existing = this.context.store.get(jobKind, meta(cj).namespace, name);
        if (existing && controllerOf(existing)?.uid === meta(cj).uid) return requeueNext();
      }
      this.#event(
        'Warning',
        'FailedCreate',
        `Error creating job: ${error instanceof Error ? error.message : String(error)}`,
      );
      return requeueNext();
    }
    this.#event('Normal', 'SuccessfulCreate', `Created job ${meta(created).name}`);
    this.#setActive([...active, this.#reference(created)]);
    this.status.lastScheduleTime = kubeTimestamp(new Date(mostRecent));
    // The status must record lastScheduleTime before the next activation is computed from it.
    this.cj = { ...this.cj, status: this.status };
    requeueNext();
  }

  /** `cleanupFinishedJobs`: the oldest finished Jobs beyond the history limits are deleted. */
  #cleanupFinishedJobs(): void {
    const spec = specOf(this.cj);
    const finished = this.#jobs().filter((job) => isJobFinished(job));
    const byStart = (a: KubeObject, b: KubeObject) => {
      const sa = statusOf(a).startTime as string | undefined;
      const sb = statusOf(b).startTime as string | undefined;
      if (!sa && sb) return 1;
      if (sa && !sb) return -1;
      if (sa === sb) return meta(a).name < meta(b).name ? -1 : 1;
      return Date.parse(sa!) - Date.parse(sb!);
    };
    const prune = (jobs: KubeObject[], limit: unknown) => {
      if (limit === undefined || limit === null) return;
      const sorted = [...jobs].sort(byStart);
      for (const job of sorted.slice(0, Math.max(0, sorted.length - Number(limit)))) this.#deleteJob(job);
    };
    prune(
      finished.filter((job) => isJobFinished(job)!.type === 'Complete'),
      spec.successfulJobsHistoryLimit,
    );
    prune(
      finished.filter((job) => isJobFinished(job)!.type === 'Failed'),
      spec.failedJobsHistoryLimit,
    );
  }
}

/**
 * kube-controller-manager's `cronjob` controller, on the server's clock.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/cronjob/cronjob_controllerv2.go
 */
export const cronJobController: ClusterComponent = {
  name: 'cronjob',
  start(context) {
    const cronJobKey = storageKeyOf(cronJobKind);
    const jobKey = storageKeyOf(jobKind);
    const queue = new ReconcileQueue(
      'cronjob',
      context.timers,
      (key) => {
        const [namespace, name] = splitKey(key);
        const cj = context.store.get(cronJobKind, namespace, name);
        return cj ? new CronJobSync(context, cj).run() : undefined;
      },
      context.log,
    );
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === cronJobKey) {
        if (event.type !== 'DELETED') queue.add(keyOf(event.object));
      } else if (event.kindKey === jobKey) {
        const ref = controllerOf(event.object);
        if (ref?.kind === 'CronJob') queue.add(`${meta(event.object).namespace}/${ref.name}`);
      }
    });
    for (const cj of context.store.list({ kind: cronJobKind }).items) queue.add(keyOf(cj));
    return () => {
      unsubscribe();
      queue.stop();
    };
  },
};
