import type { Clock } from '../time/clock.js';
import { isFakeClock } from '../time/fake-clock.js';

/** A timer that can be cancelled. */
export type CancelTimer = () => void;

/** The API's load as the timers see it (`ApiLoad`): whether clients are keeping it busy. */
export interface ForegroundLoad {
  readonly busy: boolean;
}

/** How long the queue runs before it lets the event loop read the sockets. */
const SLICE_MS = 4;
/** The share of the time the queue takes while clients keep the API busy. */
const DEFAULT_SHARE = 0.2;

interface PendingTimer {
  due: number;
  fire: () => void;
  /** The `setTimeout` waiting for the deadline on the real clock. */
  handle?: NodeJS.Timeout;
  /** Due, and in the queue. */
  queued?: boolean;
}

/**
 * Timers on the server's clock, for what a cluster does after a while (a container that starts, a back-off, a
 * grace period, a CronJob's schedule). On the real clock they wait in `setTimeout`s; on a fake clock a timer
 * comes due when the clock is moved to or past its deadline (`advanceClock('10m')`), in deadline order, never by
 * itself. Timers that are due run in order from one queue, never synchronously with what made them due (a
 * write, a move of the clock): the queue runs on a later turn of the event loop.
 *
 * The queue runs in slices of a few milliseconds and lets the event loop read the sockets between them. When
 * clients keep the API busy (`load.busy`), it then waits so as to take about `share` of the time: clients are
 * answered first, as on a cluster, where the controllers, scheduler and kubelets are other processes behind
 * client rate limits. When the API is idle the next slice follows at once. Nothing is dropped or reordered:
 * under load the cluster only moves later.
 */
export class ClockTimers {
  readonly #clock: Clock;
  readonly #pending = new Map<number, PendingTimer>();
  readonly #unsubscribe: () => void;
  readonly #load: ForegroundLoad | undefined;
  readonly #share: number;
  /** Ids of timers that are due, in the order they came due; `#head` is the next to run. */
  #ready: number[] = [];
  #head = 0;
  /** When the slice running now started (`performance.now()`), while the queue runs. */
  #sliceStarted: number | undefined;
  /** Cancels the turn the queue waits for, when one is scheduled. */
  #waiting: (() => void) | undefined;
  #next = 0;
  #stopped = false;

  /**
   * @param options.load the API's load to give way to; without it the queue never waits between slices.
   * @param options.share the share of the time the queue takes while the API is busy (0 < share <= 1).
   */
  constructor(clock: Clock, options: { load?: ForegroundLoad; share?: number } = {}) {
    this.#clock = clock;
    this.#load = options.load;
    this.#share = Math.min(1, Math.max(0.01, options.share ?? DEFAULT_SHARE));
    this.#unsubscribe = isFakeClock(clock) ? clock.onChange(() => this.#queueDue()) : () => {};
  }

  /** The clock the timers follow. */
  get clock(): Clock {
    return this.#clock;
  }

  /** Calls `fire` once `delayMs` of the server's time have passed. */
  after(delayMs: number, fire: () => void): CancelTimer {
    return this.at(this.#clock.now().getTime() + Math.max(0, delayMs), fire);
  }

  /** Calls `fire` once the server's time reaches `due` (milliseconds since the epoch). */
  at(due: number, fire: () => void): CancelTimer {
    if (this.#stopped) return () => {};
    const id = this.#next++;
    const entry: PendingTimer = { due, fire };
    this.#pending.set(id, entry);
    const delay = due - this.#clock.now().getTime();
    if (delay <= 0) this.#queue(id, entry);
    else if (!isFakeClock(this.#clock)) {
      entry.handle = setTimeout(() => this.#queue(id, entry), delay);
      entry.handle.unref?.();
    }
    return () => {
      if (entry.handle) clearTimeout(entry.handle);
      this.#pending.delete(id);
    };
  }

  /**
   * Whether the slice running now is spent: work that loops over many items stops at the next one and asks for
   * a timer due now for the rest, so that the event loop reads the sockets between.
   */
  shouldYield(): boolean {
    return this.#sliceStarted !== undefined && performance.now() - this.#sliceStarted >= SLICE_MS;
  }

  /** Cancels every timer; later ones are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    for (const entry of this.#pending.values()) if (entry.handle) clearTimeout(entry.handle);
    this.#pending.clear();
    this.#waiting?.();
    this.#waiting = undefined;
    this.#ready = [];
    this.#head = 0;
  }

  #queue(id: number, entry: PendingTimer): void {
    if (entry.queued) return;
    entry.queued = true;
    entry.handle = undefined;
    this.#ready.push(id);
    if (this.#sliceStarted === undefined && !this.#waiting) this.#wait(0);
  }

  /** Waits `ms` (0: the next turn, once the sockets have been read), then runs a slice. */
  #wait(ms: number): void {
    if (this.#stopped) return;
    if (ms > 0) {
      const handle = setTimeout(() => this.#runSlice(), ms);
      handle.unref?.();
      this.#waiting = () => clearTimeout(handle);
    } else {
      // Not unref'd: an unref'd immediate does not keep the event loop from blocking on I/O, so it could wait
      // for the next request or timer to run.
      const handle = setImmediate(() => this.#runSlice());
      this.#waiting = () => clearImmediate(handle);
    }
  }

  #runSlice(): void {
    this.#waiting = undefined;
    const started = performance.now();
    this.#sliceStarted = started;
    try {
      while (this.#head < this.#ready.length) {
        if (performance.now() - started >= SLICE_MS) break;
        const id = this.#ready[this.#head++]!;
        const entry = this.#pending.get(id);
        if (!entry) continue;
        this.#pending.delete(id);
        entry.fire();
      }
    } finally {
      this.#sliceStarted = undefined;
      if (this.#head < this.#ready.length) this.#giveWay(performance.now() - started);
      else {
        this.#ready = [];
        this.#head = 0;
      }
    }
  }

  /**
   * After a slice that left work: the next turn reads the sockets; if that brought clients' requests, the queue
   * waits long enough to take only its share of the time, else it goes on.
   */
  #giveWay(spentMs: number): void {
    if (this.#stopped || this.#waiting) return;
    const handle = setImmediate(() => {
      this.#waiting = undefined;
      if (this.#load?.busy) this.#wait((spentMs * (1 - this.#share)) / this.#share);
      else this.#runSlice();
    });
    this.#waiting = () => clearImmediate(handle);
  }

  /** On a fake clock: the timers the move made due join the queue, in deadline order. */
  #queueDue(): void {
    const now = this.#clock.now().getTime();
    const due = [...this.#pending.entries()]
      .filter(([, entry]) => entry.due <= now && !entry.queued)
      .sort(([a, x], [b, y]) => x.due - y.due || a - b);
    for (const [id, entry] of due) this.#queue(id, entry);
  }
}
