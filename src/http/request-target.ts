const BASE = 'https://fake-apiserver.invalid';

/**
 * The URL of a request from its request-target, read as Go's `url.ParseRequestURI` reads it: a target that
 * starts with `//` is a path (`//x/y` names no host, unlike in `new URL('//x/y', base)`, which throws or
 * changes host), an absolute-form target keeps only its path and query, and `*` is the path `/*`.
 * @see https://pkg.go.dev/net/url#ParseRequestURI
 */
export function parseRequestTarget(target: string | undefined): URL {
  if (!target) return new URL(`${BASE}/`);
  if (target.startsWith('/')) return new URL(`${BASE}${target}`);
  if (URL.canParse(target)) {
    const absolute = new URL(target);
    return new URL(`${BASE}${absolute.pathname}${absolute.search}`);
  }
  return new URL(`${BASE}/${target}`);
}
