import { describe, expect, it } from 'vitest';
import { FakeClock } from '../time/fake-clock.js';
import { parseCliArguments } from './args.js';
import { expandBareFakeClockFlag } from './fake-clock-flag.js';

function clockOf(argv: string[]) {
  const request = parseCliArguments(argv);
  if (request.action !== 'serve') throw new Error('not serve');
  return request.options.clock;
}

describe('--fake-clock', () => {
  it('takes an optional start: alone, last or before another option, it means now', () => {
    expect(expandBareFakeClockFlag(['--fake-clock'])).toEqual(['--fake-clock=now']);
    expect(expandBareFakeClockFlag(['--fake-clock', '--port', '0'])).toEqual([
      '--fake-clock=now',
      '--port',
      '0',
    ]);
    expect(expandBareFakeClockFlag(['--fake-clock', '2026-01-01T00:00:00Z'])).toEqual([
      '--fake-clock',
      '2026-01-01T00:00:00Z',
    ]);
    const before = Date.now();
    const clock = clockOf(['--fake-clock', '--port', '0']);
    expect(clock).toBeInstanceOf(FakeClock);
    expect(clock!.now().getTime()).toBeGreaterThanOrEqual(before);
  });

  it('starts at an RFC 3339 time', () => {
    expect(clockOf(['--fake-clock', '2026-01-01T00:00:00Z'])!.now().toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(clockOf(['--fake-clock=2026-01-01T02:00:00+02:00'])!.now().toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(clockOf([])).toBeUndefined();
  });

  it('refuses anything else with a hint', () => {
    expect(() => parseCliArguments(['--fake-clock', 'tomorrow'])).toThrow(
      '[fake-apiserver] --fake-clock tomorrow is not an RFC 3339 time\n  hint: e.g. --fake-clock 2026-01-01T00:00:00Z, or --fake-clock alone to start at the current time',
    );
  });
});
