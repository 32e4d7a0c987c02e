import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../time/fake-clock.js';
import { startRefreshLoop } from './refresh-loop.js';

/** A loop due one hour after each refresh, by a fake clock, with a long period so that only checkNow acts. */
function hourlyLoop(options: { refreshMs?: number; again?: boolean } = {}) {
  const clock = createFakeClock('2026-01-01T00:00:00Z');
  let refreshedAt = clock.now().getTime();
  let refreshes = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const loop = startRefreshLoop({
    clock,
    periodMs: 60_000,
    dueIn: (now) => refreshedAt + 3_600_000 - now.getTime(),
    refresh: async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((resolve) => setTimeout(resolve, options.refreshMs ?? 0));
      refreshedAt = clock.now().getTime();
      refreshes++;
      concurrent--;
      return options.again ?? true;
    },
  });
  return {
    clock,
    loop,
    refreshes: () => refreshes,
    maxConcurrent: () => maxConcurrent,
  };
}

describe('the refresh loop, checked at once', () => {
  it('refreshes when due and resolves once the refresh is done', async () => {
    const { clock, loop, refreshes } = hourlyLoop({ refreshMs: 20 });
    await loop.checkNow();
    expect(refreshes()).toBe(0);
    clock.advance('2h');
    await loop.checkNow();
    expect(refreshes()).toBe(1);
    await loop.checkNow();
    expect(refreshes()).toBe(1);
    await loop.stop();
  });

  it('runs one refresh when checked several times at once', async () => {
    const { clock, loop, refreshes, maxConcurrent } = hourlyLoop({ refreshMs: 20 });
    clock.advance('2h');
    await Promise.all([loop.checkNow(), loop.checkNow(), loop.checkNow()]);
    expect(refreshes()).toBe(1);
    expect(maxConcurrent()).toBe(1);
    await loop.stop();
  });

  it('does nothing once stopped, or once the refresh ended the loop', async () => {
    const stopped = hourlyLoop();
    await stopped.loop.stop();
    stopped.clock.advance('2h');
    await stopped.loop.checkNow();
    expect(stopped.refreshes()).toBe(0);

    const ending = hourlyLoop({ again: false });
    ending.clock.advance('2h');
    await ending.loop.checkNow();
    ending.clock.advance('2h');
    await ending.loop.checkNow();
    expect(ending.refreshes()).toBe(1);
    await ending.loop.stop();
  });
});
