import type { ServerResponse } from 'node:http';

/** How long a stream ended for a slow client may take to drain what it queued before it is cut off. */
export const SLOW_CLIENT_DRAIN_MS = 5_000;

/** What a long-running response may have queued for its client, counted from when it is armed. */
export interface QueueBound {
  /**
   * Starts counting from what is queued now: what a stream sends at once when it opens (a watch's initial
   * state, the inspector's backlog) may exceed the bound on its own and is allowed on top of it.
   */
  arm(): void;
  /** Whether more than the bound is queued on top of what was queued when armed. */
  exceeded(): boolean;
}

/**
 * The bound on what a long-running response (a watch, the inspector's live feed) queues in memory for a
 * client that does not read: `bufferBytes` (`watchBufferBytes`) past what was queued when armed. Until armed
 * nothing is exceeded. Check it after each write, and end the stream with `endStalledStream` once exceeded.
 */
export function queueBound(res: { readonly writableLength: number }, bufferBytes: number): QueueBound {
  let limit = Infinity;
  return {
    arm: () => {
      limit = res.writableLength + bufferBytes;
    },
    exceeded: () => res.writableLength > limit,
  };
}

/**
 * Ends a stream whose client stopped reading, as kube-apiserver's watch cache forces an unresponsive
 * watcher closed (cache_watcher.go): `finish` ends the response, so that a client that reads again gets what
 * was queued, then the end of the stream; a client that has not drained it within `SLOW_CLIENT_DRAIN_MS` has
 * its connection cut, which frees what is queued.
 */
export function endStalledStream(res: ServerResponse, finish: () => void): void {
  finish();
  const cut = setTimeout(() => res.destroy(), SLOW_CLIENT_DRAIN_MS);
  cut.unref();
  res.once('close', () => clearTimeout(cut));
}
