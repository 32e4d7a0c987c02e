import { describe, expect, it } from 'vitest';
import { FakeApiServerError } from '../errors/developer-error.js';
import { createFakeClock, durationMilliseconds, isFakeClock } from './fake-clock.js';
import { systemClock } from './clock.js';

describe('FakeClock', () => {
  it('stands still until moved', async () => {
    const clock = createFakeClock('2026-01-01T00:00:00Z');
    const first = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.now()).toEqual(first);
    expect(first.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('starts at the current time by default', () => {
    const before = Date.now();
    const now = createFakeClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('advances by Go durations and by milliseconds', () => {
    const clock = createFakeClock(new Date('2026-01-01T00:00:00Z'));
    expect(clock.advance('1h30m').toISOString()).toBe('2026-01-01T01:30:00.000Z');
    expect(clock.advance('90s').toISOString()).toBe('2026-01-01T01:31:30.000Z');
    expect(clock.advance(500).toISOString()).toBe('2026-01-01T01:31:30.500Z');
    expect(clock.advance('1.5ms').toISOString()).toBe('2026-01-01T01:31:30.501Z');
    expect(clock.advance(0).toISOString()).toBe('2026-01-01T01:31:30.501Z');
  });

  it('sets a later time, and refuses to go back', () => {
    const clock = createFakeClock('2026-01-01T00:00:00Z');
    expect(clock.set('2026-03-01T12:00:00Z').toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(() => clock.set('2026-01-01T00:00:00Z')).toThrow(
      '[fake-apiserver] cannot set the clock back from 2026-03-01T12:00:00.000Z to 2026-01-01T00:00:00.000Z: time only moves forward',
    );
    expect(() => clock.advance('-1s')).toThrow(/cannot move the clock by "-1s": time only moves forward/);
    expect(() => clock.advance(-1)).toThrow(FakeApiServerError);
    expect(clock.now().toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it("refuses what is not a time or a duration, with Go's message for durations", () => {
    expect(() => createFakeClock('yesterday')).toThrow(/the fake clock start "yesterday" is not a time/);
    expect(() => durationMilliseconds('2 hours')).toThrow(
      '[fake-apiserver] time: unknown unit " hours" in duration "2 hours"',
    );
    expect(() => durationMilliseconds('5')).toThrow(/time: missing unit in duration "5"/);
    expect(() => durationMilliseconds(Number.NaN)).toThrow(FakeApiServerError);
  });

  it('tells listeners of every move until they unsubscribe', () => {
    const clock = createFakeClock('2026-01-01T00:00:00Z');
    const heard: string[] = [];
    const stop = clock.onChange((now) => heard.push(now.toISOString()));
    clock.advance('1m');
    clock.set('2026-01-02T00:00:00Z');
    stop();
    clock.advance('1m');
    expect(heard).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-02T00:00:00.000Z']);
  });

  it('is told apart from other clocks', () => {
    expect(isFakeClock(createFakeClock())).toBe(true);
    expect(isFakeClock(systemClock)).toBe(false);
  });
});
