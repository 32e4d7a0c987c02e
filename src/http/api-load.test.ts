import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ApiLoad } from './api-load.js';

describe('ApiLoad', () => {
  it('is busy while a request is in flight and for a few milliseconds after the last one ended', async () => {
    const load = new ApiLoad();
    expect(load.busy).toBe(false);
    const endFirst = load.begin();
    const endSecond = load.begin();
    expect(load.busy).toBe(true);
    endFirst();
    endFirst(); // idempotent: the second request still counts
    await sleep(10);
    expect(load.busy).toBe(true);
    endSecond();
    expect(load.busy).toBe(true);
    await sleep(10);
    expect(load.busy).toBe(false);
  });
});
