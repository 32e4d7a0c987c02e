import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../time/fake-clock.js';
import { systemClock } from '../time/clock.js';
import { ClockTimers } from './clock-timers.js';

describe('ClockTimers', () => {
  it('on a fake clock, fires only when the clock is moved past the deadline, in deadline order', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const timers = new ClockTimers(clock);
    const fired: string[] = [];
    timers.after(60_000, () => fired.push('1m'));
    timers.after(10_000, () => fired.push('10s'));
    const cancelled = timers.after(5_000, () => fired.push('cancelled'));
    cancelled();
    await sleep(20);
    expect(fired).toEqual([]);
    clock.advance('2m');
    expect(fired).toEqual([]); // never synchronously with the move
    await sleep(5);
    expect(fired).toEqual(['10s', '1m']);
    timers.stop();
  });

  it('fires a timer due now on a later turn, on either clock', async () => {
    for (const clock of [systemClock, new FakeClock()]) {
      const timers = new ClockTimers(clock);
      let fired = false;
      timers.after(0, () => (fired = true));
      expect(fired).toBe(false);
      await sleep(5);
      expect(fired).toBe(true);
      timers.stop();
    }
  });

  it('on the real clock, fires after the delay; stop() cancels what is pending', async () => {
    const timers = new ClockTimers(systemClock);
    const fired: number[] = [];
    timers.after(10, () => fired.push(1));
    timers.after(50, () => fired.push(2));
    await sleep(25);
    timers.stop();
    await sleep(50);
    expect(fired).toEqual([1]);
  });
});
