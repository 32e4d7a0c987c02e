import { describe, expect, it, vi } from 'vitest';
import { ANONYMOUS_USER, type UserInfo } from '../auth/user-info.js';
import { ApiError, unauthorized } from '../errors/status.js';
import { authorizeInspector, isInspectorPath, isLoopbackAddress } from './access.js';

const ADMIN: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const SERVICE_ACCOUNT: UserInfo = {
  username: 'system:serviceaccount:default:default',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
};

describe('isLoopbackAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.3.4',
    '::1',
    '0:0:0:0:0:0:0:1',
    '0::1',
    '::ffff:127.0.0.1',
    '::FFFF:127.1.2.3',
    '::ffff:7f00:1',
  ])('%s is the local host', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each([
    '10.0.0.1',
    '128.0.0.1',
    '192.168.1.10',
    '::2',
    'fe80::1',
    '::ffff:10.0.0.1',
    'localhost',
    '',
    undefined,
  ])('%s is not', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('isInspectorPath', () => {
  it('owns /fake-apiserver/ui and what is below it, nothing else', () => {
    expect(isInspectorPath('/fake-apiserver/ui')).toBe(true);
    expect(isInspectorPath('/fake-apiserver/ui/')).toBe(true);
    expect(isInspectorPath('/fake-apiserver/ui/events')).toBe(true);
    expect(isInspectorPath('/fake-apiserver/uix')).toBe(false);
    expect(isInspectorPath('/fake-apiserver/v1/reset')).toBe(false);
    expect(isInspectorPath('/api/v1/pods')).toBe(false);
  });
});

describe('authorizeInspector', () => {
  it('serves a loopback client without looking at its credentials', () => {
    const authenticate = vi.fn(() => {
      throw unauthorized();
    });
    expect(authorizeInspector('127.0.0.1', 'GET', '/fake-apiserver/ui/', authenticate)).toBe(true);
    expect(authorizeInspector('::1', 'GET', '/fake-apiserver/ui/', authenticate)).toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('serves a remote member of system:masters', () => {
    expect(authorizeInspector('192.168.1.10', 'GET', '/fake-apiserver/ui/', () => ADMIN)).toBe(true);
  });

  it('refuses any other remote user with a 403 Status that says why', () => {
    for (const user of [ANONYMOUS_USER, SERVICE_ACCOUNT]) {
      let thrown: unknown;
      try {
        authorizeInspector('10.1.2.3', 'GET', '/fake-apiserver/ui/events', () => user);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ApiError);
      expect((thrown as ApiError).toStatus()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `forbidden: User "${user.username}" cannot get path "/fake-apiserver/ui/events": the web inspector is served only to loopback clients and to members of system:masters`,
        reason: 'Forbidden',
        details: {},
        code: 403,
      });
    }
  });

  it('lets a remote authentication failure through as it is (401), and stops when impersonation answered', () => {
    expect(() =>
      authorizeInspector('10.1.2.3', 'GET', '/fake-apiserver/ui/', () => {
        throw unauthorized();
      }),
    ).toThrow(expect.objectContaining({ code: 401 }));
    expect(authorizeInspector('10.1.2.3', 'GET', '/fake-apiserver/ui/', () => undefined)).toBe(false);
  });
});
