/**
 * Cron schedules as robfig/cron v3's `ParseStandard` reads them (what the CronJob controller and its
 * validation use): five fields (minute, hour, day of month, month, day of week) with `*`, `?`, lists, ranges,
 * steps and month and weekday names; the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
 * `@midnight`, `@hourly` and `@every <duration>`; an optional `TZ=` or `CRON_TZ=` prefix. `next` follows
 * `SpecSchedule.Next`: when either day field is `*` or `?`, both must match, otherwise either does.
 * No npm cron parser matches this syntax (`@every`, robfig's day rule, no seconds field), hence this one.
 * @see https://github.com/robfig/cron/blob/v3.0.1/parser.go
 * @see https://github.com/robfig/cron/blob/v3.0.1/spec.go
 */
import { parseGoDuration } from '../../time/duration.js';

/** A parsed schedule: the next activation strictly after a time. */
export interface CronSchedule {
  /** The first activation after `after` (ms since the epoch), or undefined when there is none in five years. */
  next(after: number): number | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** A field: the set values, and whether it was `*`/`?` (robfig's star bit). */
interface Field {
  values: Set<number>;
  star: boolean;
}

function parseNumber(text: string, bounds: Bounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text))
    throw new Error(`failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** robfig's `getRange` over one comma-separated part. */
function parseRange(expr: string, bounds: Bounds, field: Field): void {
  const [rangeText, stepText, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  const lowAndHigh = rangeText!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    if (lowAndHigh.length > 1) throw new Error(`too many hyphens: ${expr}`);
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    start = parseNumber(lowAndHigh[0]!, bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseNumber(lowAndHigh[1]!, bounds);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText))
      throw new Error(
        `failed to parse int from ${stepText}: strconv.Atoi: parsing "${stepText}": invalid syntax`,
      );
    step = Number(stepText);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1 && !star) end = bounds.max;
    if (step > 1) star = false;
  }
  if (start < bounds.min)
    throw new Error(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new Error(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let value = start; value <= end; value += step) field.values.add(value);
  if (star) field.star = true;
}

function parseField(text: string, bounds: Bounds): Field {
  const field: Field = { values: new Set(), star: false };
  for (const part of text.split(',')) parseRange(part, bounds, field);
  return field;
}

/** The wall-clock fields of an instant in a time zone. */
function wallClock(
  ms: number,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; dow: number } {
  if (timeZone === 'UTC') {
    const date = new Date(ms);
    return {
      y: date.getUTCFullYear(),
      mo: date.getUTCMonth() + 1,
      d: date.getUTCDate(),
      h: date.getUTCHours(),
      mi: date.getUTCMinutes(),
      dow: date.getUTCDay(),
    };
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  const dows: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
  return {
    y: Number(parts.year),
    mo: Number(parts.month),
    d: Number(parts.day),
    h: Number(parts.hour),
    mi: Number(parts.minute),
    dow: dows[parts.weekday as string]!,
  };
}

/** Whether `timeZone` is an IANA zone this runtime knows (`time.LoadLocation`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

class SpecSchedule implements CronSchedule {
  constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    private readonly timeZone: string,
  ) {}

  #dayMatches(d: number, dow: number): boolean {
    const domMatch = this.dom.values.has(d);
    const dowMatch = this.dow.values.has(dow);
    return this.dom.star || this.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(after: number): number | undefined {
    // Start at the next whole minute; walk forward, skipping whole months, days and hours that cannot match.
    let t = Math.floor(after / 60_000) * 60_000 + 60_000;
    const limit = after + 5 * 366 * 24 * 3600_000;
    while (t <= limit) {
      const w = wallClock(t, this.timeZone);
      if (!this.month.values.has(w.mo)) {
        t += (((this.#daysInMonth(w.y, w.mo) - w.d) * 24 + (23 - w.h)) * 60 + (60 - w.mi)) * 60_000;
        continue;
      }
      if (!this.#dayMatches(w.d, w.dow)) {
        t += ((23 - w.h) * 60 + (60 - w.mi)) * 60_000;
        continue;
      }
      if (!this.hour.values.has(w.h)) {
        t += (60 - w.mi) * 60_000;
        continue;
      }
      if (!this.minute.values.has(w.mi)) {
        t += 60_000;
        continue;
      }
      return t;
    }
    return undefined;
  }

  #daysInMonth(year: number, month: number): number {
    return new Date(Date.UTC(year, month, 0)).getUTCDate();
  }
}

/** `@every`: `ConstantDelaySchedule`, whole seconds, at least one. */
class EverySchedule implements CronSchedule {
  constructor(private readonly delayMs: number) {}

  next(after: number): number {
    // Next(t) = t + delay - t's sub-second part.
    return after - (after % 1000) + this.delayMs;
  }
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * Parses a schedule as `cron.ParseStandard`, in `timeZone` (an IANA name; `TZ=`/`CRON_TZ=` in the text
 * overrides it). Throws robfig's error text on a malformed schedule.
 */
export function parseCronSchedule(text: string, timeZone = 'UTC'): CronSchedule {
  if (text.length === 0) throw new Error('empty spec string');
  let spec = text;
  let zone = timeZone;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const name = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space);
    if (!isKnownTimeZone(name)) throw new Error(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const nanos = parseGoDuration(spec.slice('@every '.length));
      const seconds = Number(nanos / 1_000_000_000n);
      return new EverySchedule(Math.max(1, seconds) * 1000);
    }
    const expanded = DESCRIPTORS[spec];
    if (!expanded) throw new Error(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5)
    throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return new SpecSchedule(
    parseField(fields[0]!, MINUTES),
    parseField(fields[1]!, HOURS),
    parseField(fields[2]!, DOM),
    parseField(fields[3]!, MONTHS),
    parseField(fields[4]!, DOW),
    zone,
  );
}
