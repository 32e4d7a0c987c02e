import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The query parameter of the URL printed at start that carries the inspector's token (as Jupyter's). */
export const TOKEN_PARAMETER = 'token';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The web inspector's capability: 32 random bytes (base64url), made anew by each server, that open the
 * inspector to whoever holds them, as the token in a local Jupyter's URL does. It is in the URL printed at
 * start (`server.uiUrl`), and exchanged on the first visit for a cookie that carries it from then on.
 */
export class InspectorCapability {
  /** The token itself: only for the URL printed at start and the cookie. */
  readonly token: string;
  readonly #digest: Buffer;

  constructor(token = randomBytes(32).toString('base64url')) {
    this.token = token;
    this.#digest = digest(token);
  }

  /**
   * Whether `candidate` is the token. Compared in constant time, as digests of one length, so that neither
   * the time taken nor the length check tells how much of a guess was right.
   */
  matches(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    return timingSafeEqual(digest(candidate), this.#digest);
  }
}

/**
 * The cookie's name. Cookies are not kept apart by port, so servers on one host (a test suite's) name
 * theirs by port, lest each overwrite the others'.
 */
export function capabilityCookieName(port: number): string {
  return `fake-apiserver-ui-${port}`;
}

/**
 * The `Set-Cookie` value that hands the token to the browser: sent only over HTTPS (`Secure`), only to the
 * inspector's paths, out of reach of scripts (`HttpOnly`) and never with a request another site starts
 * (`SameSite=Strict`). It lasts as long as the browser session; a restarted server has another token.
 */
export function capabilityCookie(name: string, token: string, path: string): string {
  return `${name}=${token}; Path=${path}; HttpOnly; Secure; SameSite=Strict`;
}

/** The values of every cookie named `name` in a `Cookie` header (a browser may send more than one). */
export function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = [];
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    if (pair.slice(0, equals).trim() === name) values.push(pair.slice(equals + 1).trim());
  }
  return values;
}
