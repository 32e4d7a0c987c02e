import type { Clock } from '../time/clock.js';

/**
 * How often the loop looks at the clock when the refresh point is further away. The kubelet's pod sync
 * looks about once a minute; a second keeps a test that moves a fake clock from waiting.
 */
export const REFRESH_CHECK_PERIOD_MS = 1000;

/** What the refresh loop drives. */
export interface RefreshLoopOptions {
  clock: Clock;
  /** Milliseconds, by `clock`, until a refresh is due; zero or less when it is due now. */
  dueIn(now: Date): number;
  /** Does the refresh; resolves false to end the loop (nothing left to refresh). Must not reject. */
  refresh(): Promise<boolean>;
  periodMs?: number;
}

/** A running refresh loop. */
export interface RefreshLoop {
  /** Clears the timer and waits for a refresh under way. Idempotent. */
  stop(): Promise<void>;
  /**
   * Looks at the clock now instead of at the next tick (after a fake clock moved): refreshes if due, and
   * resolves once that refresh, or one already under way, is done.
   */
  checkNow(): Promise<void>;
}

/**
 * Checks the clock on an unref'd timer, like the kubelet's periodic sync, and refreshes when due. With the
 * real clock the timer is aimed at the refresh point itself, so a refresh is never late by a period; with
 * a clock that jumps (a fake one) the periodic check notices within one period.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/token/token_manager.go
 */
export function startRefreshLoop(options: RefreshLoopOptions): RefreshLoop {
  const period = options.periodMs ?? REFRESH_CHECK_PERIOD_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let ended = false;
  let running: Promise<unknown> = Promise.resolve();

  const schedule = (afterRefresh: boolean): void => {
    if (stopped) return;
    const due = options.dueIn(options.clock.now());
    // Still due right after a refresh means the refresh failed or the clock is odd: wait a period, not spin.
    const wait = due <= 0 ? (afterRefresh ? period : 0) : Math.min(period, due);
    timer = setTimeout(tick, wait);
    timer.unref();
  };
  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    if (options.dueIn(options.clock.now()) > 0) {
      schedule(false);
      return;
    }
    const refresh = options.refresh();
    running = refresh;
    void refresh.then((again) => {
      if (again) schedule(true);
      else ended = true;
    });
  };

  schedule(false);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
    async checkNow() {
      for (let current = running; ; current = running) {
        await current;
        if (current === running) break;
      }
      if (stopped || ended || options.dueIn(options.clock.now()) > 0) return;
      if (timer) clearTimeout(timer);
      tick();
      await running;
    },
  };
}
