/**
 * Keeps credentials out of recorded requests: a token is cut to a short prefix wherever it appears in a
 * recorded body (a TokenRequest's `status.token`, a TokenReview's `spec.token`, a Secret's `data.token`, any
 * JWT), in a URL's `access_token`, and in free text such as an error message.
 */

/** What replaces the rest of a redacted token. */
export const REDACTION_MARK = '...[redacted]';

// A JWS compact serialization: three base64url parts, the first a JSON header (`{"` is `eyJ`).
const JWT_EXACT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// The same in base64 (a Secret's `data`): `eyJ` encodes to `ZXlK`.
const BASE64_JWT_PREFIX = 'ZXlK';

/**
 * A token cut to a short prefix: at most 8 characters and at most a quarter of it, so that short static
 * tokens keep little more than a hint.
 */
export function redactToken(token: string): string {
  return `${token.slice(0, Math.min(8, Math.floor(token.length / 4)))}${REDACTION_MARK}`;
}

function isBase64Jwt(value: string): boolean {
  if (!value.startsWith(BASE64_JWT_PREFIX) || value.length < 32) return false;
  return JWT_EXACT.test(Buffer.from(value, 'base64').toString('latin1').trim());
}

function redactString(value: string): string {
  if (value.length < 16) return value;
  if (JWT_EXACT.test(value) || isBase64Jwt(value)) return redactToken(value);
  return value;
}

/**
 * A deep copy of a JSON value with every token redacted: the string value of any `token` key (plain, or
 * base64 in a Secret's `data`), and any string that is a JWT or a base64-encoded one. The value given is
 * not changed.
 */
export function redactObject(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(redactObject);
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] =
      key === 'token' && typeof field === 'string' && field ? redactToken(field) : redactObject(field);
  }
  return copy;
}

/** Free text (an error message) with any JWT in it redacted. */
export function redactText(text: string): string {
  return text.includes('eyJ') ? text.replace(JWT_IN_TEXT, redactToken) : text;
}

/**
 * A request URI with an `access_token` query parameter redacted (kube-apiserver no longer accepts it, but a
 * client may still send it) and any JWT in it.
 */
export function redactRequestUri(uri: string): string {
  const redacted = redactText(uri);
  if (!redacted.includes('access_token=')) return redacted;
  return redacted.replace(/([?&]access_token=)([^&#]*)/g, (_match, name: string, token: string) =>
    token ? `${name}${encodeURIComponent(redactToken(decodeURIComponentSafe(token)))}` : `${name}`,
  );
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
