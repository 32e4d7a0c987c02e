import { FakeApiServerError } from '../errors/developer-error.js';
import type { Clock } from './clock.js';
import { DurationSyntaxError, parseGoDuration } from './duration.js';

/** A time given as a `Date` or an RFC 3339 / ISO 8601 string (`2026-01-01T00:00:00Z`). */
export type TimeInput = Date | string;

/** A duration as a Go duration string (`90s`, `2h`, `1h30m`) or a number of milliseconds. */
export type DurationInput = string | number;

function toMilliseconds(time: TimeInput, what: string): number {
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (Number.isNaN(ms)) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${what} ${JSON.stringify(String(time))} is not a time`,
      'give a Date or an RFC 3339 time such as 2026-01-01T00:00:00Z',
    );
  }
  return ms;
}

/** A duration in milliseconds; refuses what Go's `time.ParseDuration` refuses, and negative durations. */
export function durationMilliseconds(duration: DurationInput): number {
  let ms: number;
  if (typeof duration === 'number') {
    ms = duration;
  } else {
    try {
      ms = Number(parseGoDuration(duration)) / 1_000_000;
    } catch (error) {
      if (!(error instanceof DurationSyntaxError)) throw error;
      throw new FakeApiServerError(
        'INVALID_OPTION',
        error.message,
        'use a Go duration such as 90s, 10m, 2h, 1h30m',
      );
    }
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `cannot move the clock by ${JSON.stringify(duration)}: time only moves forward`,
      'tokens, timestamps and resourceVersions were issued by the clock as it was',
    );
  }
  return ms;
}

/**
 * A clock that stands still until moved, as client-go's `clocktesting.FakeClock`: pass it as the server's
 * `clock` option and tokens expire, objects age and serviceaccount directories rotate when you say so.
 * Time only moves forward. Listeners hear of every move, synchronously.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/utils/clock/testing/fake_clock.go
 */
export class FakeClock implements Clock {
  #ms: number;
  readonly #listeners = new Set<(now: Date) => void>();

  constructor(start: TimeInput = new Date()) {
    this.#ms = toMilliseconds(start, 'the fake clock start');
  }

  /** The clock's current time (a fresh `Date` each call). */
  now(): Date {
    return new Date(this.#ms);
  }

  /** Moves the clock forward by a Go duration (`'90s'`, `'2h'`, `'1h30m'`) or milliseconds; returns the new time. */
  advance(duration: DurationInput): Date {
    return this.#moveTo(this.#ms + durationMilliseconds(duration));
  }

  /** Sets the clock to a time, which must not be before the current one; returns it. */
  set(time: TimeInput): Date {
    const ms = toMilliseconds(time, 'the time');
    if (ms < this.#ms) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `cannot set the clock back from ${this.now().toISOString()} to ${new Date(ms).toISOString()}: time only moves forward`,
        'tokens, timestamps and resourceVersions were issued by the clock as it was',
      );
    }
    return this.#moveTo(ms);
  }

  /** Calls `listener` with the new time after every move; returns the function that stops it. */
  onChange(listener: (now: Date) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #moveTo(ms: number): Date {
    this.#ms = ms;
    for (const listener of [...this.#listeners]) listener(this.now());
    return this.now();
  }
}

/** A `FakeClock` at `start` (default: now). */
export function createFakeClock(start?: TimeInput): FakeClock {
  return new FakeClock(start);
}

/** Whether a clock is a `FakeClock` (so that the server can move it). */
export function isFakeClock(clock: Clock): clock is FakeClock {
  return clock instanceof FakeClock;
}
