import { describe, expect, it, vi } from 'vitest';
import { conflict } from '../errors/status.js';
import { systemClock } from '../time/clock.js';
import { FakeClock } from '../time/fake-clock.js';
import { ClockTimers } from './clock-timers.js';
import { ReconcileQueue } from './reconcile-queue.js';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('ReconcileQueue', () => {
  it('coalesces keys and reconciles them on a later turn, in the order they came', async () => {
    const timers = new ClockTimers(systemClock);
    const seen: string[] = [];
    const queue = new ReconcileQueue(
      'test',
      timers,
      (key) => void seen.push(key),
      () => {},
    );
    queue.add('a/1');
    queue.add('a/2');
    queue.add('a/1');
    expect(seen).toEqual([]);
    await vi.waitFor(() => expect(seen).toEqual(['a/1', 'a/2']));
    timers.stop();
  });

  it('stops between keys when the API is busy and its slice is spent; the rest follow in order', async () => {
    const timers = new ClockTimers(systemClock, { load: { busy: true }, share: 0.25 });
    const seen: { key: string; at: number }[] = [];
    const started = performance.now();
    const queue = new ReconcileQueue(
      'test',
      timers,
      (key) => {
        busyFor(1);
        seen.push({ key, at: performance.now() - started });
      },
      () => {},
    );
    const keys = Array.from({ length: 20 }, (_, i) => `ns/${i}`);
    for (const key of keys) queue.add(key);
    await vi.waitFor(() => expect(seen).toHaveLength(20), { timeout: 2000 });
    expect(seen.map((s) => s.key)).toEqual(keys);
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(10);
    timers.stop();
  });

  it('a key added while its own reconcile runs waits for the next pass', async () => {
    const timers = new ClockTimers(systemClock);
    let runs = 0;
    const queue = new ReconcileQueue(
      'test',
      timers,
      (key) => {
        if (++runs < 3) queue.add(key);
      },
      () => {},
    );
    queue.add('a/1');
    await vi.waitFor(() => expect(runs).toBe(3));
    timers.stop();
  });
});

describe('ReconcileQueue retries', () => {
  it('retries a sync that lost a race (409), and asks again later when the sync says so', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const timers = new ClockTimers(clock);
    let attempts = 0;
    const synced: string[] = [];
    const queue = new ReconcileQueue(
      'test',
      timers,
      (key) => {
        if (++attempts === 1)
          throw conflict({ group: '', resource: 'configmaps' }, 'x', 'the object has been modified');
        synced.push(key);
        return synced.length === 1 ? { requeueAfterMs: 60_000 } : undefined;
      },
      () => {},
    );
    queue.add('a/x');
    await vi.waitFor(() => expect(synced).toEqual(['a/x']));
    expect(attempts).toBe(2);
    clock.advance('1m');
    await vi.waitFor(() => expect(synced).toEqual(['a/x', 'a/x']));
    timers.stop();
  });
});
