import { describe, expect, it } from 'vitest';
import { isAllowedHost } from './host-check.js';

const LOOPBACK = { host: '127.0.0.1', port: 6443 };

describe('isAllowedHost', () => {
  it.each(['localhost:6443', 'LOCALHOST:6443', '127.0.0.1:6443', '[::1]:6443'])(
    'accepts %s for a server on 127.0.0.1:6443',
    (host) => {
      expect(isAllowedHost(host, LOOPBACK, '127.0.0.1')).toBe(true);
    },
  );

  it.each([
    ['another site that resolves to this machine', 'evil.example:6443'],
    ['a name that ends like localhost', 'evil.localhost.example:6443'],
    ['another port', '127.0.0.1:8080'],
    ['no port, which is 443', '127.0.0.1'],
    ['another loopback address', '127.0.0.2:6443'],
    ['user information', 'evil@127.0.0.1:6443'],
    ['a trailing dot', 'localhost.:6443'],
    ['an IPv6 address without brackets', '::1:6443'],
    ['an empty header', ''],
    ['no header', undefined],
  ])('refuses %s (%s)', (_why, host) => {
    expect(isAllowedHost(host, LOOPBACK, '127.0.0.1')).toBe(false);
  });

  it('accepts the host the server listens on, in any case, and its IPv6 address in brackets', () => {
    expect(isAllowedHost('192.168.1.10:6443', { host: '192.168.1.10', port: 6443 }, '192.168.1.10')).toBe(
      true,
    );
    expect(isAllowedHost('Dev.Example:6443', { host: 'dev.example', port: 6443 }, '10.0.0.1')).toBe(true);
    expect(isAllowedHost('[fd00::1]:6443', { host: 'fd00::1', port: 6443 }, 'fd00::1')).toBe(true);
    expect(isAllowedHost('192.168.1.11:6443', { host: '192.168.1.10', port: 6443 }, '192.168.1.10')).toBe(
      false,
    );
  });

  it('on a server listening on every address, accepts the address the connection arrived at only', () => {
    const everywhere = { host: '0.0.0.0', port: 6443 };
    expect(isAllowedHost('10.1.2.3:6443', everywhere, '::ffff:10.1.2.3')).toBe(true);
    expect(isAllowedHost('10.1.2.3:6443', everywhere, '10.1.2.3')).toBe(true);
    expect(isAllowedHost('10.1.2.4:6443', everywhere, '10.1.2.3')).toBe(false);
    expect(isAllowedHost('0.0.0.0:6443', everywhere, '10.1.2.3')).toBe(false);
    expect(isAllowedHost('[fd00::2]:6443', { host: '::', port: 6443 }, 'fd00::2')).toBe(true);
  });

  it('takes a Host without a port for a server on 443', () => {
    expect(isAllowedHost('localhost', { host: '127.0.0.1', port: 443 }, '127.0.0.1')).toBe(true);
    expect(isAllowedHost('localhost:443', { host: '127.0.0.1', port: 443 }, '127.0.0.1')).toBe(true);
  });
});
