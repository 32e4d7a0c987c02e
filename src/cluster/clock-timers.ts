import type { Clock } from '../time/clock.js';
import { isFakeClock } from '../time/fake-clock.js';

/** A timer that can be cancelled. */
export type CancelTimer = () => void;

/**
 * Timers on the server's clock, for what a cluster does after a while (a container that starts, a back-off, a
 * grace period, a CronJob's schedule). On the real clock they are `setTimeout`s; on a fake clock a timer fires
 * when the clock is moved to or past its deadline (`advanceClock('10m')`), in deadline order, never by itself.
 * A timer due now (delay 0) fires on a later turn of the event loop on either clock, so that what a write
 * causes is never synchronous with its response.
 */
export class ClockTimers {
  readonly #clock: Clock;
  readonly #pending = new Map<number, { due: number; fire: () => void; handle?: NodeJS.Timeout }>();
  readonly #unsubscribe: () => void;
  #next = 0;
  #stopped = false;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#unsubscribe = isFakeClock(clock) ? clock.onChange(() => this.#fireDue()) : () => {};
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
    const entry: { due: number; fire: () => void; handle?: NodeJS.Timeout } = { due, fire };
    this.#pending.set(id, entry);
    const delay = due - this.#clock.now().getTime();
    if (!isFakeClock(this.#clock) || delay <= 0) {
      entry.handle = setTimeout(() => this.#run(id), Math.max(0, delay));
      entry.handle.unref?.();
    }
    return () => {
      const pending = this.#pending.get(id);
      if (pending?.handle) clearTimeout(pending.handle);
      this.#pending.delete(id);
    };
  }

  /** Cancels every timer; later ones are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    for (const entry of this.#pending.values()) if (entry.handle) clearTimeout(entry.handle);
    this.#pending.clear();
  }

  #run(id: number): void {
    const entry = this.#pending.get(id);
    if (!entry) return;
    this.#pending.delete(id);
    entry.fire();
  }

  #fireDue(): void {
    const now = this.#clock.now().getTime();
    const due = [...this.#pending.entries()]
      .filter(([, entry]) => entry.due <= now && !entry.handle)
      .sort(([a, x], [b, y]) => x.due - y.due || a - b);
    for (const [id, entry] of due) {
      entry.handle = setTimeout(() => this.#run(id), 0);
      entry.handle.unref?.();
    }
  }
}
