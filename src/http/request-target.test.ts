import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('reads a target starting with // as a path, never as a host', () => {
    expect(parseRequestTarget('//%2F').pathname).toBe('//%2F');
    expect(parseRequestTarget('//evil.example/api?x=1').pathname).toBe('//evil.example/api');
    expect(parseRequestTarget('//evil.example/api?x=1').searchParams.get('x')).toBe('1');
  });

  it('keeps the path and query of an absolute-form target, and reads * as /*', () => {
    const url = parseRequestTarget('https://elsewhere:8443/api/v1/pods?limit=1');
    expect([url.host, url.pathname, url.search]).toEqual([
      'fake-apiserver.invalid',
      '/api/v1/pods',
      '?limit=1',
    ]);
    expect(parseRequestTarget('*').pathname).toBe('/*');
    expect(parseRequestTarget(undefined).pathname).toBe('/');
  });
});
