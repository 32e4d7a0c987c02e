import { describe, expect, it } from 'vitest';
import { capabilityCookie, cookieValues, InspectorCapability } from './capability.js';

describe('InspectorCapability', () => {
  it('is 32 random bytes in base64url, another for each server', () => {
    const a = new InspectorCapability();
    const b = new InspectorCapability();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
  });

  it('matches its own token only: not a prefix, an extension, another case, nothing', () => {
    const capability = new InspectorCapability();
    const { token } = capability;
    expect(capability.matches(token)).toBe(true);
    for (const wrong of [token.slice(0, -1), `${token}x`, token.toLowerCase(), '', undefined]) {
      expect(capability.matches(wrong)).toBe(false);
    }
  });
});

describe('the cookie', () => {
  it('is HttpOnly, Secure, SameSite=Strict and limited to the path given', () => {
    expect(capabilityCookie('fake-apiserver-ui-6443', 'T', '/fake-apiserver/ui')).toBe(
      'fake-apiserver-ui-6443=T; Path=/fake-apiserver/ui; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('is read by its exact name, every value of it', () => {
    const header = 'a=1; fake-apiserver-ui-6443=x; fake-apiserver-ui-64430=y;fake-apiserver-ui-6443=z=z';
    expect(cookieValues(header, 'fake-apiserver-ui-6443')).toEqual(['x', 'z=z']);
    expect(cookieValues(undefined, 'fake-apiserver-ui-6443')).toEqual([]);
  });
});
