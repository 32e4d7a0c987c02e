import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, parseGoDuration } from './duration.js';

const S = 1_000_000_000n;

describe('parseGoDuration', () => {
  it.each([
    ['0', 0n],
    ['90s', 90n * S],
    ['10m', 600n * S],
    ['1h', 3600n * S],
    ['1h30m', 5400n * S],
    ['1.5h', 5400n * S],
    ['.5m', 30n * S],
    ['1.s', S],
    ['+2m', 120n * S],
    ['-2m', -120n * S],
    ['500ms', 500_000_000n],
    ['1us', 1000n],
    ['1µs', 1000n],
    ['1μs', 1000n],
    ['3ns', 3n],
    ['1h1m1s1ms', 3661n * S + 1_000_000n],
    ['0.7m', 42n * S],
    ['9223372036854775807ns', (1n << 63n) - 1n],
  ])('%s', (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['5', 'time: missing unit in duration "5"'],
    ['1h5', 'time: missing unit in duration "1h5"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1 h', 'time: unknown unit " h" in duration "1 h"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
  ])('refuses %j as Go does', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(new DurationSyntaxError(message));
  });
});
