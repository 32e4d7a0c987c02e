import { describe, expect, it } from 'vitest';
import { systemClock } from '../time/clock.js';
import { startRefreshLoop } from './refresh-loop.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the refresh loop', () => {
  it('fires at the refresh point on the real clock, not a period later', async () => {
    const dueAt = Date.now() + 100;
    let refreshedAt: number | undefined;
    const loop = startRefreshLoop({
      clock: systemClock,
      periodMs: 60_000,
      dueIn: (now) => (refreshedAt === undefined ? dueAt - now.getTime() : Infinity),
      refresh: async () => {
        refreshedAt = Date.now();
        return true;
      },
    });
    await sleep(1000);
    await loop.stop();
    expect(refreshedAt).toBeGreaterThanOrEqual(dueAt);
  });

  it('notices a clock that jumps within a period', async () => {
    let offset = 0;
    let refreshes = 0;
    const loop = startRefreshLoop({
      clock: { now: () => new Date(Date.now() + offset) },
      periodMs: 50,
      dueIn: (now) => (refreshes === 0 ? 3_600_000 + Date.now() - now.getTime() : Infinity),
      refresh: async () => {
        refreshes++;
        return true;
      },
    });
    await sleep(200);
    expect(refreshes).toBe(0);
    offset = 3_600_000;
    await sleep(1000);
    await loop.stop();
    expect(refreshes).toBe(1);
  });

  it('waits a period after a refresh that left it due, and ends when told', async () => {
    let attempts = 0;
    const retrying = startRefreshLoop({
      clock: systemClock,
      periodMs: 100,
      dueIn: () => 0,
      refresh: async () => {
        attempts++;
        return true;
      },
    });
    await sleep(450);
    await retrying.stop();
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(6);

    let ended = 0;
    const ending = startRefreshLoop({
      clock: systemClock,
      periodMs: 10,
      dueIn: () => 0,
      refresh: async () => {
        ended++;
        return false;
      },
    });
    await sleep(200);
    await ending.stop();
    expect(ended).toBe(1);
  });

  it('stop() waits for a refresh under way', async () => {
    let finished = false;
    const loop = startRefreshLoop({
      clock: systemClock,
      dueIn: () => 0,
      refresh: async () => {
        await sleep(200);
        finished = true;
        return true;
      },
    });
    await sleep(50);
    await loop.stop();
    expect(finished).toBe(true);
  });
});
