import { FakeApiServerError } from '../errors/developer-error.js';
import { DurationSyntaxError, parseGoDuration } from '../time/duration.js';

/** The longest lifetime TokenRequest accepts (`expirationSeconds` is at most 2^32 s). */
export const MAX_TOKEN_TTL_SECONDS = 2 ** 32;

/**
 * Checks a token lifetime given in seconds: a whole number from 1 s to 2^32 s. Unlike TokenRequest, which
 * refuses less than 10 minutes, short lifetimes are allowed so that tests can watch a rotation.
 */
export function validateTokenTtl(seconds: number, what = 'tokenTtlSeconds'): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_TTL_SECONDS) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${what} ${seconds} is not a whole number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}`,
      'the kubelet uses 3607 (about an hour)',
    );
  }
  return seconds;
}

/** Parses `--token-ttl`: a Go duration such as `90s`, `10m` or `1h`, in whole seconds. */
export function parseTokenTtl(text: string): number {
  const hint = 'use a Go duration in whole seconds, e.g. 90s, 10m, 1h';
  let nanoseconds: bigint;
  try {
    nanoseconds = parseGoDuration(text);
  } catch (error) {
    if (!(error instanceof DurationSyntaxError)) throw error;
    throw new FakeApiServerError('INVALID_OPTION', `--token-ttl ${text}: ${error.message}`, hint);
  }
  const max = BigInt(MAX_TOKEN_TTL_SECONDS) * 1_000_000_000n;
  if (nanoseconds % 1_000_000_000n !== 0n || nanoseconds <= 0n || nanoseconds > max) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `--token-ttl ${text} is not a whole number of seconds from 1s to ${MAX_TOKEN_TTL_SECONDS}s`,
      hint,
    );
  }
  return Number(nanoseconds / 1_000_000_000n);
}
