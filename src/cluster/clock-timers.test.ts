import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
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

describe('ClockTimers giving way to the API', () => {
  const busyFor = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };

  it('runs due timers in slices while the API is busy, taking about the given share of the time', async () => {
    const load = { busy: true };
    const timers = new ClockTimers(systemClock, { load, share: 0.25 });
    const ranAt: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 20; i++)
      timers.after(0, () => {
        busyFor(1);
        ranAt.push(performance.now() - started);
      });
    await vi.waitFor(() => expect(ranAt).toHaveLength(20), { timeout: 2000 });
    // A slice is about 4 ms of work, then the queue waits three times as long: 20 ms of work take 60 ms or more.
    expect(ranAt.at(-1)!).toBeGreaterThan(55);
    const gaps = ranAt.slice(1).map((at, i) => at - ranAt[i]!);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(10);
    timers.stop();
  });

  it('keeps the order, whether the API is idle or busy, and skips what was cancelled', async () => {
    const load = { busy: false };
    const timers = new ClockTimers(systemClock, { load, share: 0.25 });
    const order: number[] = [];
    for (let i = 0; i < 10; i++)
      timers.after(0, () => {
        busyFor(1);
        order.push(i);
      });
    await vi.waitFor(() => expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));

    load.busy = true;
    for (let i = 10; i < 30; i++)
      timers.after(0, () => {
        busyFor(1);
        order.push(i);
      });
    const cancelled = timers.after(0, () => order.push(-1));
    cancelled();
    await vi.waitFor(() => expect(order).toHaveLength(30), { timeout: 2000 });
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    timers.stop();
  });

  it('shouldYield() tells a long task that its slice is spent', async () => {
    const timers = new ClockTimers(systemClock);
    const answers: boolean[] = [];
    timers.after(0, () => {
      answers.push(timers.shouldYield());
      busyFor(6);
      answers.push(timers.shouldYield());
    });
    await sleep(20);
    expect(answers).toEqual([false, true]);
    expect(timers.shouldYield()).toBe(false); // outside a timer
    timers.stop();
  });
});
