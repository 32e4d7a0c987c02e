import { ApiError } from '../errors/status.js';
import type { CancelTimer, ClockTimers } from './clock-timers.js';

/** What a sync asks of the queue: nothing, or to look again after `requeueAfterMs` of the server's time. */
export type SyncResult = void | { requeueAfterMs: number };

const MAX_CONFLICT_RETRIES = 20;

/**
 * A controller's work queue, as client-go's workqueue serves kube-controller-manager's controllers: keys
 * (`namespace/name`) are deduplicated, synced on a later turn of the event loop (never within the write that
 * queued them), one at a time; a sync that lost a race (409 Conflict, 404) is retried, any other failure is
 * logged; a sync may ask to be run again later on the server's clock (minReadySeconds, a schedule).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/client-go/util/workqueue/queue.go
 */
export class ReconcileQueue {
  readonly #pending = new Set<string>();
  readonly #later = new Map<string, { due: number; cancel: CancelTimer }>();
  readonly #conflicts = new Map<string, number>();
  #scheduled = false;
  #stopped = false;

  constructor(
    private readonly name: string,
    private readonly timers: ClockTimers,
    private readonly sync: (key: string) => SyncResult,
    private readonly log: (message: string) => void,
  ) {}

  /** Queues a key for the next pass. */
  add(key: string): void {
    if (this.#stopped) return;
    this.#pending.add(key);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.timers.after(0, () => this.#flush());
  }

  /** Queues a key once `delayMs` of the server's time have passed (the earliest request wins). */
  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    const due = this.timers.clock.now().getTime() + Math.max(0, delayMs);
    const existing = this.#later.get(key);
    if (existing && existing.due <= due) return;
    existing?.cancel();
    const cancel = this.timers.at(due, () => {
      this.#later.delete(key);
      this.add(key);
    });
    this.#later.set(key, { due, cancel });
  }

  /** Stops: queued keys are dropped. */
  stop(): void {
    this.#stopped = true;
    for (const { cancel } of this.#later.values()) cancel();
    this.#later.clear();
    this.#pending.clear();
  }

  /**
   * Syncs the keys pending now, in the order they came (one added meanwhile waits for the next pass), until the
   * timers' slice is spent: the rest stay pending for a pass on a later turn, after the API's requests.
   */
  #flush(): void {
    this.#scheduled = false;
    for (const key of [...this.#pending]) {
      if (this.#stopped) return;
      if (this.timers.shouldYield()) {
        if (!this.#scheduled) {
          this.#scheduled = true;
          this.timers.after(0, () => this.#flush());
        }
        return;
      }
      this.#pending.delete(key);
      try {
        const result = this.sync(key);
        this.#conflicts.delete(key);
        if (result) this.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        if (error instanceof ApiError && (error.code === 409 || error.code === 404)) {
          const count = (this.#conflicts.get(key) ?? 0) + 1;
          this.#conflicts.set(key, count);
          if (count <= MAX_CONFLICT_RETRIES) this.add(key);
          else this.log(`${this.name} controller: gave up syncing ${key}: ${error.message}`);
          continue;
        }
        this.log(
          `${this.name} controller: error syncing ${key}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}

/** The queue key of an object: `namespace/name`. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The namespace and name of a key. */
export function splitKey(key: string): [namespace: string, name: string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
