import { describe, expect, it } from 'vitest';
import { parseCliArguments } from '../cli/args.js';
import { DEFAULT_LIMITS, resolveServerLimits, WatchSlots } from './limits.js';

describe('server limits', () => {
  it('defaults to generous bounds and kube-apiserver timeouts', () => {
    expect(resolveServerLimits({})).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toMatchObject({
      maxConnections: 10_000,
      maxWatches: 10_000,
      headersTimeoutMs: 32_000,
    });
  });

  it('takes options and refuses bad ones with a developer error', () => {
    expect(
      resolveServerLimits({ maxWatches: 3, headersTimeoutSeconds: 0.5, shutdownTimeoutSeconds: 2 }),
    ).toMatchObject({ maxWatches: 3, headersTimeoutMs: 500, shutdownTimeoutMs: 2000 });
    expect(() => resolveServerLimits({ maxConnections: 0 })).toThrow(
      '[fake-apiserver] maxConnections 0 is not a positive whole number',
    );
    expect(() => resolveServerLimits({ headersTimeoutSeconds: -1 })).toThrow(/headersTimeoutSeconds -1/);
  });

  it('reads the command-line flags', () => {
    const request = parseCliArguments([
      '--max-connections=5',
      '--max-watches=7',
      '--headers-timeout=1500ms',
      '--shutdown-timeout=2s',
      '--watch-buffer=65536',
    ]);
    expect(request.action === 'serve' && request.options).toMatchObject({
      maxConnections: 5,
      maxWatches: 7,
      headersTimeoutSeconds: 1.5,
      shutdownTimeoutSeconds: 2,
      watchBufferBytes: 65536,
    });
    expect(() => parseCliArguments(['--max-watches', 'lots'])).toThrow(
      /--max-watches lots is not a positive/,
    );
    expect(() => parseCliArguments(['--headers-timeout', '10'])).toThrow(/missing unit in duration/);
  });

  it('gives a watch slot back once, however often it is released', () => {
    const slots = new WatchSlots(1);
    const release = slots.tryAcquire()!;
    expect(slots.tryAcquire()).toBeUndefined();
    release();
    release();
    expect(slots.count).toBe(0);
    expect(slots.tryAcquire()).toBeDefined();
    expect(slots.tryAcquire()).toBeUndefined();
  });
});
