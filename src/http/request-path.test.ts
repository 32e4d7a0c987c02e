import { describe, expect, it } from 'vitest';
import { PlainTextError } from '../errors/plain-text-error.js';
import { requestPath } from './request-path.js';

describe('requestPath', () => {
  it('decodes once and keeps dot segments and double slashes, as Go’s req.URL.Path', () => {
    expect(requestPath('/api/v1/namespaces/default/pods/%2e%2e/secrets?limit=1')).toBe(
      '/api/v1/namespaces/default/pods/../secrets',
    );
    expect(requestPath('//api/v1/pods')).toBe('//api/v1/pods');
    expect(requestPath('/api/v1/namespaces/a%2Fb')).toBe('/api/v1/namespaces/a/b');
    expect(requestPath('/x/%2525')).toBe('/x/%25');
  });

  it('keeps only the path of an absolute-form target, and takes escapes that are not UTF-8', () => {
    expect(requestPath('https://elsewhere:8443/api/v1/pods?limit=1')).toBe('/api/v1/pods');
    expect(requestPath('https://elsewhere')).toBe('/');
    expect(requestPath('/x/%ff')).toBe('/x/\ufffd');
    expect(requestPath(undefined)).toBe('/');
  });

  it("refuses a bad escape or a relative target with Go's plain 400", () => {
    for (const target of ['/x/%zz', '/x/%4', 'api/v1/pods']) {
      const error = (() => {
        try {
          requestPath(target);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(PlainTextError);
      expect(error).toMatchObject({ code: 400, text: '400 Bad Request', closeConnection: true });
    }
  });
});
