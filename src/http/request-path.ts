import { malformedRequestLine } from '../errors/plain-text-error.js';

const ABSOLUTE_FORM = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/;
const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;

/**
 * The path of a request as Go's `url.ParseRequestURI` gives it in `req.URL.Path`: percent-decoded once,
 * and otherwise untouched. Dot segments stay (`/pods/..` names an object `..`, which the store refuses),
 * `//` stays (no handler serves it), and an encoded slash becomes a slash. WHATWG URL parsing would
 * instead resolve `..` and `%2e%2e` away, and so serve another path than the one asked for.
 * Throws the plain-text 400 of Go's HTTP server for a target that is not a path or has a bad escape.
 * @see https://pkg.go.dev/net/url#ParseRequestURI
 */
export function requestPath(target: string | undefined): string {
  if (!target) return '/';
  let raw = target.split('?', 1)[0]!;
  if (!raw.startsWith('/')) {
    if (raw === '*') return '*';
    const authority = ABSOLUTE_FORM.exec(raw);
    if (!authority) throw malformedRequestLine();
    raw = raw.slice(authority[0].length) || '/';
  }
  return decodePath(raw);
}

function decodePath(raw: string): string {
  if (!raw.includes('%')) return raw;
  if (BAD_ESCAPE.test(raw)) throw malformedRequestLine();
  try {
    return decodeURIComponent(raw);
  } catch {
    // Go accepts escapes that are not UTF-8 (`%ff`); decode byte by byte.
    const bytes: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === '%') {
        bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(raw[i]!, 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
