/** How long after its last request the API counts as busy: requests from busy clients come closer than this. */
const QUIET_MS = 3;

/**
 * Whether clients are keeping the API busy: a short request (everything but watches, logs, exec, attach,
 * port-forward and proxies) is being served or ended moments ago. A request is mostly served within one turn
 * of the event loop, so what is in flight alone would hardly ever be seen. The simulated cluster reads it to
 * give way to clients: on a cluster its components are other processes, each behind its client's rate limit,
 * so the API never waits for them.
 */
export class ApiLoad {
  #inFlight = 0;
  #lastActivity = -Infinity;

  /** Whether a short request is in flight or ended within the last few milliseconds. */
  get busy(): boolean {
    return this.#inFlight > 0 || performance.now() - this.#lastActivity < QUIET_MS;
  }

  /** Counts a request in; call the returned function once its response has ended (idempotent). */
  begin(): () => void {
    this.#inFlight++;
    this.#lastActivity = performance.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inFlight--;
      this.#lastActivity = performance.now();
    };
  }
}
