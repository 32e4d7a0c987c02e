import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from './cron-schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const nexts = (spec: string, from: string, count: number, zone?: string) => {
  const schedule = parseCronSchedule(spec, zone);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = schedule.next(t);
    out.push(iso(t));
  }
  return out;
};

describe('parseCronSchedule, as robfig/cron ParseStandard', () => {
  it('every minute, steps, ranges and lists', () => {
    expect(nexts('* * * * *', '2030-01-01T00:00:30Z', 2)).toEqual([
      '2030-01-01T00:01:00.000Z',
      '2030-01-01T00:02:00.000Z',
    ]);
    expect(nexts('*/15 * * * *', '2030-01-01T00:00:00Z', 3)).toEqual([
      '2030-01-01T00:15:00.000Z',
      '2030-01-01T00:30:00.000Z',
      '2030-01-01T00:45:00.000Z',
    ]);
    expect(nexts('5,10-11 9 * * *', '2030-01-01T09:05:00Z', 3)).toEqual([
      '2030-01-01T09:10:00.000Z',
      '2030-01-01T09:11:00.000Z',
      '2030-01-02T09:05:00.000Z',
    ]);
    // "N/step" is "N-max/step".
    expect(nexts('50/5 * * * *', '2030-01-01T00:00:00Z', 3)).toEqual([
      '2030-01-01T00:50:00.000Z',
      '2030-01-01T00:55:00.000Z',
      '2030-01-01T01:50:00.000Z',
    ]);
  });

  it('names, and the day rule: either day field when both are restricted, both when one is *', () => {
    // 2030-01-01 is a Tuesday.
    expect(nexts('0 0 * JAN-FEB mon', '2030-01-01T00:00:00Z', 2)).toEqual([
      '2030-01-07T00:00:00.000Z',
      '2030-01-14T00:00:00.000Z',
    ]);
    expect(nexts('0 0 13 * FRI', '2030-01-01T00:00:00Z', 3)).toEqual([
      '2030-01-04T00:00:00.000Z',
      '2030-01-11T00:00:00.000Z',
      '2030-01-13T00:00:00.000Z',
    ]);
    expect(nexts('0 0 31 2 *', '2030-01-01T00:00:00Z', 1)).toEqual([undefined]);
  });

  it('descriptors, @every and time zones', () => {
    expect(nexts('@hourly', '2030-01-01T00:30:00Z', 1)).toEqual(['2030-01-01T01:00:00.000Z']);
    expect(nexts('@daily', '2030-01-01T00:30:00Z', 1)).toEqual(['2030-01-02T00:00:00.000Z']);
    expect(nexts('@weekly', '2030-01-01T00:00:00Z', 1)).toEqual(['2030-01-06T00:00:00.000Z']);
    expect(nexts('@monthly', '2030-01-15T00:00:00Z', 1)).toEqual(['2030-02-01T00:00:00.000Z']);
    expect(nexts('@yearly', '2030-01-15T00:00:00Z', 1)).toEqual(['2031-01-01T00:00:00.000Z']);
    expect(nexts('@every 90s', '2030-01-01T00:00:00.500Z', 2)).toEqual([
      '2030-01-01T00:01:30.000Z',
      '2030-01-01T00:03:00.000Z',
    ]);
    expect(nexts('0 9 * * *', '2030-01-01T00:00:00Z', 1, 'Europe/Berlin')).toEqual([
      '2030-01-01T08:00:00.000Z',
    ]);
    expect(nexts('TZ=America/New_York 0 9 * * *', '2030-01-01T00:00:00Z', 1)).toEqual([
      '2030-01-01T14:00:00.000Z',
    ]);
  });

  it('refuses what robfig refuses, with its messages', () => {
    expect(() => parseCronSchedule('* * * *')).toThrow('expected exactly 5 fields, found 4: [* * * *]');
    expect(() => parseCronSchedule('60 * * * *')).toThrow('end of range (60) above maximum (59): 60');
    expect(() => parseCronSchedule('* * * * 7')).toThrow('end of range (7) above maximum (6): 7');
    expect(() => parseCronSchedule('@often')).toThrow('unrecognized descriptor: @often');
    expect(() => parseCronSchedule('5-1 * * * *')).toThrow(
      'beginning of range (5) beyond end of range (1): 5-1',
    );
  });
});
