import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeApiServerError } from '../errors/developer-error.js';
import { resolveMountRequest, resolveStartupMount } from './mount-request.js';
import { parseTokenTtl } from './token-ttl.js';

function refusal(run: () => unknown): FakeApiServerError {
  try {
    run();
  } catch (error) {
    if (error instanceof FakeApiServerError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('mount requests', () => {
  it('puts root mounts where loadFromCluster(root) looks', () => {
    expect(resolveMountRequest({ root: 'r', pod: 'default/helloworld' })).toEqual({
      dir: join(resolve('r'), 'var/run/secrets/kubernetes.io/serviceaccount'),
      subject: { kind: 'pod', namespace: 'default', name: 'helloworld' },
      tokenTtlSeconds: 3607,
    });
  });

  it('defaults to the default service account and the kubelet lifetime', () => {
    expect(resolveMountRequest({ dir: 'sa', tokenTtlSeconds: 600 })).toEqual({
      dir: resolve('sa'),
      subject: { kind: 'serviceAccount', namespace: 'default', name: 'default' },
      tokenTtlSeconds: 600,
    });
  });

  it('refuses two places, two identities, or a bad lifetime', () => {
    expect(refusal(() => resolveMountRequest({ dir: 'a', root: 'b' })).message).toContain(
      'dir and root are alternatives',
    );
    expect(refusal(() => resolveMountRequest({})).message).toContain('needs dir or root');
    const both = refusal(() =>
      resolveMountRequest({ dir: 'a', pod: 'default/p', serviceAccount: 'default/s' }),
    );
    expect(both.code).toBe('INVALID_OPTION');
    expect(both.message).toContain('pod and serviceAccount (--pod, --service-account) are alternatives');
    expect(refusal(() => resolveMountRequest({ dir: 'a', tokenTtlSeconds: 1.5 })).message).toContain(
      'tokenTtlSeconds 1.5 is not a whole number of seconds',
    );
    expect(refusal(() => resolveMountRequest({ dir: 'a', pod: 'helloworld' })).message).toContain(
      'pod "helloworld" is not NAMESPACE/NAME',
    );
  });

  it('at start-up: refuses --sa-dir with --root, and --pod or --token-ttl without either', () => {
    expect(refusal(() => resolveStartupMount({ saDir: 'a', root: 'b' })).message).toContain(
      'saDir and root (--sa-dir, --root) are alternatives',
    );
    expect(refusal(() => resolveStartupMount({ pod: 'default/p' })).message).toContain(
      'pod (--pod) applies to the serviceaccount directory',
    );
    expect(refusal(() => resolveStartupMount({ tokenTtlSeconds: 60 })).message).toContain(
      'tokenTtlSeconds (--token-ttl) applies',
    );
    expect(resolveStartupMount({ serviceAccount: 'default/pod-reader' })).toBeUndefined();
    expect(refusal(() => resolveStartupMount({ serviceAccount: 'nope' })).message).toContain(
      'service account "nope" is not NAMESPACE/NAME',
    );
  });
});

describe('--token-ttl', () => {
  it.each([
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['1h0m7s', 3607],
    ['1.5m', 90],
  ])('%s is %i s', (text, seconds) => {
    expect(parseTokenTtl(text)).toBe(seconds);
  });

  it.each([
    ['90', '--token-ttl 90: time: missing unit in duration "90"'],
    ['1d', '--token-ttl 1d: time: unknown unit "d" in duration "1d"'],
    ['1.5s', '--token-ttl 1.5s is not a whole number of seconds from 1s to 4294967296s'],
    ['0s', '--token-ttl 0s is not a whole number'],
    ['-1m', '--token-ttl -1m is not a whole number'],
    ['4294967297s', '--token-ttl 4294967297s is not a whole number'],
  ])('refuses %s', (text, message) => {
    const error = refusal(() => parseTokenTtl(text));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain(`[fake-apiserver] ${message}`);
    expect(error.message).toContain('hint: use a Go duration in whole seconds, e.g. 90s, 10m, 1h');
  });
});
