import { FakeApiServerError } from '../errors/developer-error.js';
import { createFakeClock, type FakeClock } from '../time/fake-clock.js';

/**
 * Turns a bare `--fake-clock` (last, or followed by another option) into `--fake-clock=now`: `parseArgs`
 * has no options with an optional value.
 */
export function expandBareFakeClockFlag(argv: readonly string[]): string[] {
  return argv.map((arg, index) => {
    const next = argv[index + 1];
    return arg === '--fake-clock' && (next === undefined || next.startsWith('-')) ? '--fake-clock=now' : arg;
  });
}

/** The clock `--fake-clock [START]` asks for: a fake clock at START (RFC 3339), or at the current time. */
export function fakeClockFromFlag(start: string): FakeClock {
  if (start === 'now') return createFakeClock();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(start)) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `--fake-clock ${start} is not an RFC 3339 time`,
      'e.g. --fake-clock 2026-01-01T00:00:00Z, or --fake-clock alone to start at the current time',
    );
  }
  return createFakeClock(start);
}
