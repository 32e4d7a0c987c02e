/**
 * `metav1.Time` and `metav1.MicroTime` as kube-apiserver decodes them from JSON: Go's `time.Parse` with the
 * fixed layouts `time.RFC3339` and `2006-01-02T15:04:05.000000Z07:00`, re-encoded in UTC as their `MarshalJSON`
 * writes them. The error texts are `*time.ParseError`'s.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/time.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/micro_time.go
 * @see https://github.com/golang/go/blob/master/src/time/format.go
 */

/** The layout `Time` parses and formats with (`time.RFC3339`). */
export const RFC3339 = '2006-01-02T15:04:05Z07:00';

/** The layout `MicroTime` parses and formats with. */
export const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

/** A parsed time in its canonical encoding, or the error text Go's `time.Parse` gives. */
export type GoTimeResult = { ok: true; value: string } | { ok: false; error: string };

const quote = (s: string): string => JSON.stringify(s);
const isDigit = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';
const isCommaOrPeriod = (c: string | undefined): boolean => c === '.' || c === ',';

class ParseError extends Error {}

/** `time.getnum`: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * `time.Parse(layout, input)` for the two layouts the API's times use, returning the time as the type's
 * `MarshalJSON` writes it (UTC; `RFC3339` drops fractional seconds, `RFC3339Micro` keeps six digits).
 */
export function parseGoTime(input: string, layout: typeof RFC3339 | typeof RFC3339_MICRO): GoTimeResult {
  const micro = layout === RFC3339_MICRO;
  const cannotParse = (rest: string, elem: string) =>
    new ParseError(
      `parsing time ${quote(input)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(elem)}`,
    );
  const outOfRange = (what: string) => new ParseError(`parsing time ${quote(input)}: ${what} out of range`);
  let value = input;
  const literal = (prefix: string) => {
    if (!value.startsWith(prefix)) throw cannotParse(value, prefix);
    value = value.slice(prefix.length);
  };
  const number = (elem: string, fixed: boolean, max: number, name: string): number => {
    const parsed = getnum(value, fixed);
    if (!parsed) throw cannotParse(value, elem);
    if (parsed[0] > max || (name === 'month' && parsed[0] < 1)) throw outOfRange(name);
    value = parsed[1];
    return parsed[0];
  };
  try {
    if (value.length < 4 || !/^\d{4}/.test(value)) throw cannotParse(value, '2006');
    const year = Number(value.slice(0, 4));
    value = value.slice(4);
    literal('-');
    const month = number('01', true, 12, 'month');
    literal('-');
    const day = number('02', true, 99, 'day');
    literal('T');
    const hour = number('15', false, 23, 'hour');
    literal(':');
    const minute = number('04', true, 59, 'minute');
    literal(':');
    const second = number('05', true, 59, 'second');
    let fraction = '';
    if (micro) {
      if (value.length < 7 || !isCommaOrPeriod(value[0]) || !/^\d{6}$/.test(value.slice(1, 7))) {
        throw cannotParse(value, '.000000');
      }
      fraction = value.slice(1, 7);
      value = value.slice(7);
    } else if (value.length >= 2 && isCommaOrPeriod(value[0]) && isDigit(value, 1)) {
      // A layout without fractional seconds still accepts them after the seconds (`stdSecond`).
      const digits = /^\d+/.exec(value.slice(1))![0];
      value = value.slice(1 + digits.length);
    }
    let offsetMinutes = 0;
    if (value.startsWith('Z')) {
      value = value.slice(1);
    } else {
      const zone = /^([+-])(\d{2}):(\d{2})/.exec(value);
      if (!zone) throw cannotParse(value, 'Z07:00');
      const [, sign, hh, mm] = zone;
      if (Number(hh) > 24) throw outOfRange('time zone offset hour');
      if (Number(mm) > 60) throw outOfRange('time zone offset minute');
      offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
      value = value.slice(6);
    }
    if (value.length > 0) throw new ParseError(`parsing time ${quote(input)}: extra text: ${quote(value)}`);
    if (day < 1 || day > daysIn(month, year)) throw outOfRange('day');
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute - offsetMinutes, second, 0);
    const seconds = date.toISOString().slice(0, 19);
    return { ok: true, value: micro ? `${seconds}.${fraction}Z` : `${seconds}Z` };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: err.message };
    throw err;
  }
}

/** `MicroTime.UnmarshalJSON` of a string: the time in `RFC3339Micro`, UTC, or Go's parse error. */
export function parseMicroTime(input: string): GoTimeResult {
  return parseGoTime(input, RFC3339_MICRO);
}
