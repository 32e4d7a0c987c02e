import type { ClockTimers } from './clock-timers.js';

/**
 * A work queue as a controller's: keys added while a pass is pending are coalesced, and the pass runs on a
 * later turn of the event loop (never synchronously with the write that caused it). A key whose reconcile
 * throws is logged and dropped; it comes back with the next change.
 */
export class ReconcileQueue {
  readonly #pending = new Set<string>();
  readonly #timers: ClockTimers;
  readonly #reconcile: (key: string) => void;
  readonly #log: (message: string) => void;
  #scheduled = false;

  constructor(timers: ClockTimers, reconcile: (key: string) => void, log: (message: string) => void) {
    this.#timers = timers;
    this.#reconcile = reconcile;
    this.#log = log;
  }

  /** Asks for `key` to be reconciled on a later turn. */
  add(key: string): void {
    this.#pending.add(key);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#timers.after(0, () => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const keys = [...this.#pending];
    this.#pending.clear();
    for (const key of keys) {
      try {
        this.#reconcile(key);
      } catch (error) {
        this.#log(`reconcile of ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** `namespace/name`, the key of a namespaced object in a queue. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The namespace and name of a queue key. */
export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
