import { ApiError, internalError } from '../errors/status.js';
import type { KubeObject } from '../registry/resource-kind.js';
import {
  describeError,
  type ObjectPredicate,
  type Scope,
  type StoreWatch,
  type WatchEventType,
} from '../store/object-store.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import type { ListOptions } from './list-options.js';
import { includeObjectParameter, negotiateResponseTarget } from './negotiation.js';
import { asPartialObjectMetadata } from './partial-metadata.js';
import { customResourcePrinter } from '../crd/custom-resource-table.js';
import { servedForm, tableOfStored } from './served-form.js';
import { writeTooManyRequests } from '../server/limits.js';
import { endStalledStream, queueBound } from '../http/slow-client.js';
import { openWatchStream } from './watch-stream.js';
import { goJson } from '../http/serialize.js';

// Without timeoutSeconds the real server picks a random timeout in [1800 s, 3600 s].
const DEFAULT_MIN_TIMEOUT_SECONDS = 1800;
// The watch cache's bookmarkFrequency, and how long before a watch's deadline its last bookmark goes out.
const BOOKMARK_FREQUENCY_MS = 60_000;
const BOOKMARK_BEFORE_DEADLINE_MS = 2_000;
/** The annotation on the bookmark that ends a watch's initial events (`metav1.InitialEventsAnnotationKey`). */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * A BOOKMARK event's object: an empty object of the watched kind carrying only a resourceVersion (and, at the
 * end of the initial events, the annotation saying so), as the cacher builds it with `newFunc()`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go
 */
function bookmarkObject(scope: Scope, resourceVersion: number, initialEventsEnd: boolean): KubeObject {
  const kind = scope.kind;
  return {
    kind: kind.kind,
    apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
    metadata: {
      resourceVersion: String(resourceVersion),
      creationTimestamp: null,
      ...(initialEventsEnd ? { annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } : {}),
    },
  };
}

/**
 * Streams watch events as newline-delimited JSON (`{"type":...,"object":...}\n`), or one event per text
 * message over a WebSocket when the request asks for one (fabric8's watches do), after sending the
 * current state as ADDED when no resourceVersion (or "0") is given. A resourceVersion older than the
 * history is answered like the watch cache does: 200 with one ERROR event carrying a 410 Expired Status.
 * Past `maxWatches` the watch is refused with 429. A client that lets more than `watchBufferBytes` queue up
 * has its watch ended, as the watch cache forces an unresponsive watcher closed (cache_watcher.go): it
 * reads what was queued, then the end of the stream, and re-watches from the last resourceVersion it saw.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go
 */
export function serveWatch(
  server: ServerContext,
  ctx: RequestContext,
  scope: Scope,
  options: ListOptions,
  predicate: ObjectPredicate,
): Promise<void> {
  const { res } = ctx;
  const target = negotiateResponseTarget(ctx.req.headers.accept);
  const asTable = target.form === 'table';
  // Each event's object as PartialObjectMetadata, bookmarks included. A watch asked for as
  // PartialObjectMetadataList gets the objects themselves: upstream's watchEmbeddedEncoder logs the failed
  // transform and encodes the object untransformed.
  const partialMetadata =
    target.form === 'partialMetadata' && target.as === 'PartialObjectMetadata'
      ? target.apiVersion
      : undefined;
  const includeObject = includeObjectParameter(ctx.query);
  let headersWritten = false;
  const encode = (type: string, object: unknown): string => {
    if (asTable && type !== 'ERROR' && type !== 'BOOKMARK') {
      object = tableOfStored(scope.kind, [object as KubeObject], {
        kind: scope.kind.kind,
        printer: customResourcePrinter(scope.kind),
        listMeta: { resourceVersion: (object as KubeObject).metadata?.resourceVersion ?? '' },
        includeObject,
        noHeaders: headersWritten,
        now: server.clock.now(),
      });
      headersWritten = true;
    } else if (type !== 'ERROR') {
      object = servedForm(scope.kind, object as KubeObject);
      if (partialMetadata) object = asPartialObjectMetadata(object as KubeObject, partialMetadata);
    }
    return `${goJson({ type, object })}\n`;
  };

  const releaseSlot = server.watches ? server.watches.slots.tryAcquire() : () => {};
  if (!releaseSlot) {
    writeTooManyRequests(res);
    return Promise.resolve();
  }
  const stream = openWatchStream(ctx.req, res);
  if (!stream) {
    releaseSlot();
    return Promise.resolve();
  }
  const queue = queueBound(stream, server.watches?.bufferBytes ?? Infinity);

  return new Promise<void>((resolve) => {
    let watch: StoreWatch | undefined;
    let timer: NodeJS.Timeout | undefined;
    let bookmarkTimer: NodeJS.Timeout | undefined;
    let untrack = (): void => {};
    const finish = (): void => {
      watch?.stop();
      if (timer) clearTimeout(timer);
      if (bookmarkTimer) clearTimeout(bookmarkTimer);
      releaseSlot();
      untrack();
      if (!stream.writableEnded) stream.end();
      resolve();
    };
    untrack = server.trackStream(finish);
    res.on('close', finish);
    // Injected faults (src/faults): an ERROR event instead of the watch, or an end after N events.
    const fault = ctx.watchFault;
    if (fault?.type === 'watchError') {
      stream.write(`${goJson({ type: 'ERROR', object: fault.status })}\n`);
      return finish();
    }
    let eventsLeft = fault?.type === 'endWatch' ? fault.afterEvents : Infinity;
    if (eventsLeft <= 0) return finish();
    const describeWatch = (): string =>
      `watch of ${ctx.info.resource}${scope.namespace === undefined ? '' : ` in ${scope.namespace}`} for ${ctx.user.username}`;
    const send = (type: WatchEventType, object: KubeObject): void => {
      if (stream.writableEnded) return;
      let line: string;
      try {
        line = encode(type, object);
      } catch (error) {
        // As WatchServer.HandleHTTP does when an event cannot be encoded: log it and end the stream.
        server.log(`${describeWatch()} ended: unable to encode watch object: ${describeError(error)}`);
        finish();
        return;
      }
      stream.write(line);
      if (queue.exceeded()) return endSlowWatcher();
      if (--eventsLeft <= 0) finish();
    };
    // A change this watch cannot be filtered on (its stored object is not what the filter expects) ends it
    // with an InternalError ERROR event, as the etcd3 watcher does with an object it cannot prepare
    // (transform → sendError → transformErrorToEvent: apierrors.NewInternalError); the other watchers and the
    // write that made the change are not affected.
    // https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/storage/etcd3/watcher.go
    const fail = (error: unknown): void => {
      server.log(`${describeWatch()} ended with an InternalError event: ${describeError(error)}`);
      if (!stream.writableEnded) {
        const message = error instanceof Error ? error.message : String(error);
        stream.write(`${goJson({ type: 'ERROR', object: internalError(message).toStatus() })}\n`);
      }
      finish();
    };
    const endSlowWatcher = (): void => {
      server.log(
        `Forcing ${ctx.info.resource} watcher close due to unresponsiveness: ${stream.writableLength} bytes queued for ${ctx.user.username}`,
      );
      endStalledStream(res, finish);
    };

    try {
      let since: number;
      const fromNow = !options.resourceVersion || options.resourceVersion === '0';
      if (options.sendInitialEvents === true || (options.sendInitialEvents === undefined && fromNow)) {
        // Legacy watches from "now" and WatchList requests (resourceVersionMatch=NotOlderThan: the latest
        // state is new enough) both begin with the current state as ADDED events.
        const { items, resourceVersion } = server.store.list(scope, predicate);
        for (const item of items) send('ADDED', item);
        since = resourceVersion;
        if (options.sendInitialEvents && options.allowWatchBookmarks && !stream.writableEnded) {
          stream.write(encode('BOOKMARK', bookmarkObject(scope, since, true)));
        }
      } else if (fromNow) {
        since = server.store.resourceVersion;
      } else {
        since = Number(options.resourceVersion);
      }
      watch = server.store.watch(scope, since, predicate, send, fail);
    } catch (error) {
      if (error instanceof ApiError) {
        stream.write(`${goJson({ type: 'ERROR', object: error.toStatus() })}\n`);
        finish();
        return;
      }
      fail(error);
      return;
    }
    if (stream.writableEnded) return finish(); // ended by endWatchAfter while replaying
    // The initial state and the replayed history were sent at once: they are allowed on top of the bound.
    queue.arm();
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_MIN_TIMEOUT_SECONDS * (1 + Math.random());
    timer = setTimeout(finish, timeoutSeconds * 1000);
    timer.unref();
    if (options.allowWatchBookmarks) {
      const deadline = Date.now() + timeoutSeconds * 1000;
      const scheduleBookmark = (): void => {
        const delay = Math.min(BOOKMARK_FREQUENCY_MS, deadline - BOOKMARK_BEFORE_DEADLINE_MS - Date.now());
        if (delay <= 0) return;
        bookmarkTimer = setTimeout(() => {
          if (stream.writableEnded) return;
          stream.write(encode('BOOKMARK', bookmarkObject(scope, server.store.resourceVersion, false)));
          scheduleBookmark();
        }, delay);
        bookmarkTimer.unref();
      };
      scheduleBookmark();
    }
  });
}
