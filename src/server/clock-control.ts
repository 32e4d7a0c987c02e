import type { ControlApi } from '../control/control-api.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { badRequest, conflictMessage } from '../errors/status.js';
import { writeJson } from '../http/respond.js';
import { readControlBody } from '../state/control-endpoints.js';
import type { Clock } from '../time/clock.js';
import { isFakeClock, type DurationInput, type FakeClock, type TimeInput } from '../time/fake-clock.js';

/** What follows the clock when it moves: the serviceaccount directories. */
export interface ClockFollowers {
  /** Rotates, now, every token whose refresh point has passed; resolves once the files are written. */
  refreshDue(): Promise<void>;
}

/**
 * Moves a server's fake clock and makes what depends on time follow at once: tokens expire by the new time
 * on the next request (authentication reads the clock), new objects get its timestamps, Tables age, and
 * every serviceaccount directory due for a refresh is rewritten before `advance`/`set` resolve. A move
 * made on the `FakeClock` itself starts the same refresh without waiting for it.
 */
export class ClockControl {
  readonly #clock: Clock;
  readonly #followers: ClockFollowers;
  readonly #unsubscribe: () => void;

  constructor(clock: Clock, followers: ClockFollowers) {
    this.#clock = clock;
    this.#followers = followers;
    this.#unsubscribe = isFakeClock(clock)
      ? clock.onChange(() => void followers.refreshDue().catch(() => {}))
      : () => {};
  }

  /** Whether the clock can be moved. */
  get fake(): boolean {
    return isFakeClock(this.#clock);
  }

  /** The server's time. */
  now(): Date {
    return this.#clock.now();
  }

  /** Moves the clock forward by a Go duration (`'2h'`) or milliseconds; resolves once rotations are written. */
  async advance(duration: DurationInput): Promise<Date> {
    const now = this.#fakeClock().advance(duration);
    await this.#followers.refreshDue();
    return now;
  }

  /** Sets the clock to a later time; resolves once rotations are written. */
  async set(time: TimeInput): Promise<Date> {
    const now = this.#fakeClock().set(time);
    await this.#followers.refreshDue();
    return now;
  }

  /** Stops following the clock's moves. */
  stop(): void {
    this.#unsubscribe();
  }

  #fakeClock(): FakeClock {
    if (!isFakeClock(this.#clock)) {
      throw new FakeApiServerError(
        'CLOCK_NOT_FAKE',
        "the server's clock is not a fake clock: it cannot be moved",
        'start the server with clock: createFakeClock() (the command: --fake-clock)',
      );
    }
    return this.#clock;
  }
}

function statusFor(error: unknown): unknown {
  if (!(error instanceof FakeApiServerError)) return error;
  const message = error.message.replace(/^\[fake-apiserver\] /, '').replace(/\n {2}hint: /, '; ');
  return error.code === 'CLOCK_NOT_FAKE' ? conflictMessage(message) : badRequest(message);
}

/**
 * Registers `GET clock` (→ `{now, fake}`) and `POST clock` with `{"advance": "2h"}` (a Go duration, or
 * milliseconds) or `{"set": "2026-01-01T00:00:00Z"}` (→ `{now}`, once rotations are written): 409 when
 * the clock is not fake, 400 for a bad body or a move back in time.
 */
export function registerClockEndpoint(control: ControlApi, clock: ClockControl): void {
  control.register('GET', 'clock', (ctx) => {
    writeJson(ctx.res, 200, { now: clock.now().toISOString(), fake: clock.fake });
  });
  control.register('POST', 'clock', async (ctx) => {
    const body = await readControlBody(ctx);
    const keys = Object.keys(body);
    if (keys.length !== 1 || (keys[0] !== 'advance' && keys[0] !== 'set')) {
      throw badRequest('the body must be {"advance": "<Go duration>"} or {"set": "<RFC 3339 time>"}');
    }
    let now: Date;
    try {
      if (body.advance !== undefined) {
        if (typeof body.advance !== 'string' && typeof body.advance !== 'number') {
          throw badRequest('advance must be a Go duration string (e.g. "2h") or a number of milliseconds');
        }
        now = await clock.advance(body.advance);
      } else {
        if (typeof body.set !== 'string') throw badRequest('set must be an RFC 3339 time string');
        now = await clock.set(body.set);
      }
    } catch (error) {
      throw statusFor(error);
    }
    writeJson(ctx.res, 200, { now: now.toISOString() });
  });
}
