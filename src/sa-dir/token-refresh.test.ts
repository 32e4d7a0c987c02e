import { describe, expect, it } from 'vitest';
import { refreshPoint, requiresRefresh, staleTokenWarning } from './token-refresh.js';

const issuedAt = new Date('2025-01-01T00:00:00Z');
const after = (seconds: number) => new Date(issuedAt.getTime() + seconds * 1000);

describe('the kubelet refresh point', () => {
  it.each([
    // ttl, seconds after issue: ttl minus 20 % of it in whole seconds (Go integer division)
    [3607, 2886],
    [3600, 2880],
    [600, 480],
    [75, 60],
    [5, 4],
    [4, 4],
    [1, 1],
    // older than 24 h is always refreshed
    [2 * 86400, 86400],
    [365 * 86400, 86400],
  ])('a %is token is refreshed %is after issue', (ttlSeconds, seconds) => {
    expect(refreshPoint({ issuedAt, ttlSeconds })).toEqual(after(seconds));
  });

  it('requires a refresh from the refresh point on, and when issued in the future', () => {
    const token = { issuedAt, ttlSeconds: 3607 };
    expect(requiresRefresh(token, after(0))).toBe(false);
    expect(requiresRefresh(token, after(2885.999))).toBe(false);
    expect(requiresRefresh(token, after(2886))).toBe(true);
    expect(requiresRefresh(token, after(5000))).toBe(true);
    expect(requiresRefresh(token, after(-1))).toBe(true);
  });
});

describe('the warning about clients that re-read every 60 s', () => {
  it('is given when the token is rewritten less than 60 s before it expires', () => {
    expect(staleTokenWarning(30)).toBe(
      'a token lifetime of 30s is rewritten only 6s before it expires, but clients re-read the token file every 60s: they may send it after it expired and get 401 (300s or more avoids that)',
    );
    expect(staleTokenWarning(299)).toContain('rewritten only 59s before');
  });

  it('is not given from 300 s on', () => {
    expect(staleTokenWarning(300)).toBeUndefined();
    expect(staleTokenWarning(3607)).toBeUndefined();
  });
});
