/**
 * The public shapes of fault injection: a rule as a test writes it, and an injected rule as the server
 * reports it back with its counters.
 */

/**
 * A fault rule: which requests it matches, how many of them it affects, and what it does to them. Every
 * match field left out matches anything. Faults apply only to resource requests (`/api/...`, `/apis/...`)
 * that were authenticated and authorized: a request RBAC refuses gets its 403, never a fault.
 */
export interface FaultRule {
  /** Names the rule (letters, digits, `.`, `_`, `-`); generated (`fault-1`, ...) when left out. */
  id?: string;
  /**
   * The Kubernetes verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
   * `deletecollection`, or `*`.
   * @default '*' (`watch` for `watchError` and `endWatchAfter`)
   */
  verb?: string;
  /** The plural resource, with `/subresource` for a subresource (`pods/log`), `*`, or `*\/subresource`. */
  resource?: string;
  /** The API group; `""` is the core group. */
  group?: string;
  /** The namespace; `""` matches only cluster-scoped and all-namespaces requests. */
  namespace?: string;
  /** The object name (for list and watch: an exact `metadata.name` field selector's). */
  name?: string;
  /** The user name after impersonation, e.g. `system:serviceaccount:default:ctrl`. */
  user?: string;
  /** How many matching requests are affected before the rule is spent. @default unlimited */
  times?: number;
  /** How many matching requests pass untouched before the rule starts affecting them. @default 0 */
  after?: number;
  /**
   * Delays the request (milliseconds, or a Go duration such as `1.5s`), then serves it normally, or
   * applies the rule's other action.
   */
  latency?: number | string;
  /** Answers with this code and the `Status` kube-apiserver sends for it (401, 403, 404, 409, 410, 429, 500, 503, 504). */
  status?: number;
  /** With `status` 410, 429, 500, 503 or 504: the text kube-apiserver's constructor for that code takes. */
  message?: string;
  /** With `status` 429, 503 or 504: the `Retry-After` seconds. @default 1 for 429 and 503, none for 504 */
  retryAfterSeconds?: number;
  /** Destroys the connection (TCP reset) without any response. */
  reset?: boolean;
  /** For watches: a 200 whose only event is an `ERROR` with a 410 Expired `Status`, then the end of the stream. */
  watchError?: boolean;
  /** For watches: ends the stream cleanly after this many events. */
  endWatchAfter?: number;
}

/** A rule as the server holds it: its fields (with its id), and what it has done so far. */
export interface InjectedFault extends FaultRule {
  id: string;
  /** Requests the rule affected. */
  hits: number;
  /** Requests the rule matched, including the ones `after` let through. */
  matches: number;
  /** Whether `times` is used up: the rule matches nothing more. */
  spent: boolean;
}

/** What `injectFault` returns: the rule's id, its live counters, and a way to take it out. */
export interface FaultHandle {
  readonly id: string;
  /** Requests the rule affected so far. */
  readonly hits: number;
  /** Requests the rule matched so far, including the ones `after` let through. */
  readonly matches: number;
  /** Whether `times` is used up. */
  readonly spent: boolean;
  /** Takes the rule out; `false` if it was already removed (or cleared). */
  remove(): boolean;
}
