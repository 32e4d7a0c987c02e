import { describe, expect, it } from 'vitest';
import { parseMicroTime } from './go-time.js';

// Every expectation was printed by Go's time.Parse(RFC3339Micro, input), re-encoded with
// t.UTC().Format(RFC3339Micro) as MicroTime.MarshalJSON does.
describe('parseMicroTime', () => {
  it.each([
    ['2024-05-06T07:08:09.123456Z', '2024-05-06T07:08:09.123456Z'],
    ['2024-05-06T09:08:09.123456+02:00', '2024-05-06T07:08:09.123456Z'],
    ['2024-05-06T00:30:00.000001-01:15', '2024-05-06T01:45:00.000001Z'],
    ['2024-02-29T07:08:09.123456Z', '2024-02-29T07:08:09.123456Z'],
    ['2024-05-06T7:08:09.123456Z', '2024-05-06T07:08:09.123456Z'],
    ['2024-05-06T07:08:09,123456Z', '2024-05-06T07:08:09.123456Z'],
    ['0099-05-06T07:08:09.123456Z', '0099-05-06T07:08:09.123456Z'],
  ])('accepts %s as %s', (input, value) => {
    expect(parseMicroTime(input)).toEqual({ ok: true, value });
  });

  const layout = '"2006-01-02T15:04:05.000000Z07:00"';
  it.each([
    ['2024-05-06T07:08:09.123Z', ` as ${layout}: cannot parse ".123Z" as ".000000"`],
    ['2024-05-06T07:08:09Z', ` as ${layout}: cannot parse "Z" as ".000000"`],
    ['2024-05-06T07:08:09.1234567Z', ` as ${layout}: cannot parse "7Z" as "Z07:00"`],
    ['2024-13-06T07:08:09.123456Z', ': month out of range'],
    ['2024-02-30T07:08:09.123456Z', ': day out of range'],
    ['2023-02-29T07:08:09.123456Z', ': day out of range'],
    ['2024-05-06T24:08:09.123456Z', ': hour out of range'],
    ['2024-05-06T07:60:09.123456Z', ': minute out of range'],
    ['2024-05-06 07:08:09.123456Z', ` as ${layout}: cannot parse " 07:08:09.123456Z" as "T"`],
    ['yesterday', ` as ${layout}: cannot parse "yesterday" as "2006"`],
    ['', ` as ${layout}: cannot parse "" as "2006"`],
    ['2024-5-06T07:08:09.123456Z', ` as ${layout}: cannot parse "5-06T07:08:09.123456Z" as "01"`],
    ['2024-05-06T07:08:09.123456+0200', ` as ${layout}: cannot parse "+0200" as "Z07:00"`],
    ['2024-05-06T07:08:09.123456Zjunk', ': extra text: "junk"'],
  ])('rejects %j as Go does', (input, rest) => {
    expect(parseMicroTime(input)).toEqual({
      ok: false,
      error: `parsing time ${JSON.stringify(input)}${rest}`,
    });
  });
});
