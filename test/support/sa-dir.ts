import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../src/index.js';

/** A clock that runs with real time, plus an offset the test moves forward. */
export interface MovableClock extends Clock {
  advance(seconds: number): void;
}

/** Real time plus an offset: tokens, expiry and rotation follow it, timers stay real. */
export function movableClock(): MovableClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (seconds) => {
      offsetMs += seconds * 1000;
    },
  };
}

/** The claims of a JWT, unverified. */
export function jwtClaims(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

/** What a serviceaccount directory holds now: the `..data` target and the token. */
export async function snapshot(dir: string): Promise<{ data: string; token: string }> {
  return { data: await readlink(join(dir, '..data')), token: await readFile(join(dir, 'token'), 'utf8') };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sleeps, in real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
