import { describe, expect, it } from 'vitest';
import { redactObject, redactRequestUri, redactText, redactToken } from './redact.js';

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMiLCJzdWIiOiJ4In0.' +
  'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg';
const JWT_BASE64 = Buffer.from(JWT).toString('base64');

describe('redactToken', () => {
  it('keeps at most 8 characters, and at most a quarter of a short token', () => {
    expect(redactToken(JWT)).toBe('eyJhbGci...[redacted]');
    expect(redactToken('0123456789abcdef')).toBe('0123...[redacted]');
    expect(redactToken('abc')).toBe('...[redacted]');
  });
});

describe('redactObject', () => {
  it('redacts TokenRequest, TokenReview and Secret tokens, and any JWT, without changing its input', () => {
    const input = {
      tokenRequest: {
        kind: 'TokenRequest',
        status: { token: JWT, expirationTimestamp: '2025-01-01T00:00:00Z' },
      },
      tokenReview: { kind: 'TokenReview', spec: { token: 'static-token-of-jane', audiences: ['api'] } },
      secret: {
        kind: 'Secret',
        type: 'kubernetes.io/service-account-token',
        data: { token: JWT_BASE64, namespace: 'ZGVmYXVsdA==' },
      },
      elsewhere: { annotation: JWT, encoded: JWT_BASE64, list: [JWT] },
      kept: { name: 'token', note: 'eyJ is how JSON starts in base64url', count: 3, empty: '' },
    };
    const before = structuredClone(input);
    const out = redactObject(input);
    expect(input).toEqual(before);
    const text = JSON.stringify(out);
    expect(text).not.toContain(JWT);
    expect(text).not.toContain(JWT_BASE64);
    expect(text).not.toContain('static-token-of-jane');
    expect(out).toMatchObject({
      tokenRequest: {
        status: { token: 'eyJhbGci...[redacted]', expirationTimestamp: '2025-01-01T00:00:00Z' },
      },
      tokenReview: { spec: { token: 'stati...[redacted]', audiences: ['api'] } },
      secret: { data: { token: 'ZXlKaGJH...[redacted]', namespace: 'ZGVmYXVsdA==' } },
      elsewhere: {
        annotation: 'eyJhbGci...[redacted]',
        encoded: 'ZXlKaGJH...[redacted]',
        list: ['eyJhbGci...[redacted]'],
      },
      kept: input.kept,
    });
  });
});

describe('redactText and redactRequestUri', () => {
  it('redacts a JWT inside text', () => {
    expect(redactText(`json parse error: "${JWT}" is not valid`)).toBe(
      'json parse error: "eyJhbGci...[redacted]" is not valid',
    );
    expect(redactText('nothing here')).toBe('nothing here');
  });

  it('redacts an access_token query parameter and leaves other parameters alone', () => {
    expect(redactRequestUri('/api/v1/pods?access_token=opaque-secret-value&limit=5')).toBe(
      `/api/v1/pods?access_token=${encodeURIComponent('opaq...[redacted]')}&limit=5`,
    );
    expect(redactRequestUri('/api/v1/pods?limit=5')).toBe('/api/v1/pods?limit=5');
  });
});
