const NANOSECONDS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_INT64 = (1n << 63n) - 1n;

/** A duration string Go's `time.ParseDuration` would refuse; the message is Go's. */
export class DurationSyntaxError extends Error {}

/**
 * Parses a Go duration (`90s`, `10m`, `1h30m`, `1.5h`, `-2m`, `0`) into nanoseconds, with the grammar and
 * error messages of Go's `time.ParseDuration`, as Kubernetes flags take them. Fractions are exact here
 * (Go rounds them through a float64; the two differ below a nanosecond at most).
 * @see https://github.com/golang/go/blob/master/src/time/format.go
 */
export function parseGoDuration(text: string): bigint {
  const invalid = () => new DurationSyntaxError(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();
  let total = 0n;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [whole = '', fraction] = [number[1], number[2]];
    if (whole === '' && !fraction) throw invalid();
    rest = rest.slice(number[0].length);
    const unitText = /^[^\d.]*/.exec(rest)![0];
    if (unitText === '') {
      throw new DurationSyntaxError(`time: missing unit in duration ${JSON.stringify(text)}`);
    }
    rest = rest.slice(unitText.length);
    const unit = NANOSECONDS_PER_UNIT.get(unitText);
    if (unit === undefined) {
      throw new DurationSyntaxError(
        `time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}`,
      );
    }
    let value = BigInt(whole || '0') * unit;
    if (fraction) value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += value;
    if (total > MAX_INT64 + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}
