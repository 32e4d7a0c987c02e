/** The kubelet refreshes any token older than this, whatever its lifetime (`maxTTL`). */
export const MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;

/**
 * How long client-go, the Python client and `@kubernetes/client-node` keep a token read from a file before
 * reading it again.
 */
export const CLIENT_REREAD_SECONDS = 60;

/** The timing of one issued token. */
export interface TokenTimes {
  issuedAt: Date;
  ttlSeconds: number;
}

/**
 * When the kubelet replaces a token: once it is older than 80 % of its lifetime (the remaining 20 % in
 * whole seconds, as Go's integer arithmetic computes it) or older than 24 hours, whichever comes first.
 * The kubelet's random jitter of up to 10 s is left out, so that tests can aim at this point.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/token/token_manager.go
 */
export function refreshPoint({ issuedAt, ttlSeconds }: TokenTimes): Date {
  const refreshAfter = Math.min(ttlSeconds - Math.floor((ttlSeconds * 20) / 100), MAX_TOKEN_AGE_SECONDS);
  return new Date(issuedAt.getTime() + refreshAfter * 1000);
}

/**
 * Whether the kubelet would replace the token now: past its refresh point, or issued in the future (the
 * clock went back).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/token/token_manager.go
 */
export function requiresRefresh(token: TokenTimes, now: Date): boolean {
  return now >= refreshPoint(token) || now < token.issuedAt;
}

/**
 * A warning when a client that re-reads the token file every 60 s may still send a token that already
 * expired: the time between the refresh point and the expiry is shorter than that period. Undefined when
 * the lifetime leaves enough room.
 */
export function staleTokenWarning(ttlSeconds: number): string | undefined {
  const issuedAt = new Date(0);
  const margin = ttlSeconds - refreshPoint({ issuedAt, ttlSeconds }).getTime() / 1000;
  if (margin >= CLIENT_REREAD_SECONDS) return undefined;
  return (
    `a token lifetime of ${ttlSeconds}s is rewritten only ${margin}s before it expires, but clients re-read ` +
    `the token file every ${CLIENT_REREAD_SECONDS}s: they may send it after it expired and get 401 ` +
    `(${5 * CLIENT_REREAD_SECONDS}s or more avoids that)`
  );
}
