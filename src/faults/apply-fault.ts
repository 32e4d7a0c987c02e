import { Socket } from 'node:net';
import type { StatusBody } from '../errors/status.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { statusFaultResponse, watchErrorStatus } from './fault-status.js';

/** What a watch does differently because of a fault; `serveWatch` reads it. */
export type WatchFault =
  /** Send this `Status` as the only event (`ERROR`), then end the stream. */
  | { type: 'watchError'; status: StatusBody }
  /** End the stream cleanly once this many events were sent. */
  | { type: 'endWatch'; afterEvents: number };

/** How the fault stage left the request: answered (or dropped), or to be served on. */
export type FaultOutcome = 'answered' | 'continue';

/** Waits, unless the client goes away first; resolves whether the response is still open. */
function delay(ctx: RequestContext, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      ctx.res.off('close', onClose);
      resolve(true);
    }, ms);
    ctx.res.once('close', onClose);
  });
}

/** Drops the connection without a response: a TCP reset where the socket allows it, else a close. */
function resetConnection(ctx: RequestContext): void {
  const socket = ctx.req.socket;
  // Only the TCP socket under the TLS one (node's `_parent`) can send an RST; `resetAndDestroy` on the TLS
  // socket throws. Clients then see "connection reset by peer", as when a load balancer drops them.
  const tcp = (socket as Socket & { _parent?: unknown })._parent;
  if (tcp instanceof Socket && typeof tcp.resetAndDestroy === 'function') tcp.resetAndDestroy();
  else socket.destroy();
}

/**
 * The fault stage of the pipeline, after authorization and before routing: finds the rule that takes
 * the request (counting matches and hits), waits its latency, then answers its `Status` (thrown as an
 * `ApiError`), resets the connection, or marks the watch for `serveWatch`. Non-resource requests
 * (discovery, health, the control API) are never faulted.
 */
export async function applyFault(server: ServerContext, ctx: RequestContext): Promise<FaultOutcome> {
  const { info } = ctx;
  if (!server.faults || !info.isResourceRequest) return 'continue';
  const decision = server.faults.decide({
    verb: info.verb,
    apiGroup: info.apiGroup,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    username: ctx.user.username,
  });
  if (!decision) return 'continue';
  const { spec, id } = decision;
  server.log(`fault "${id}" applied to ${ctx.req.method} ${ctx.req.url}`);
  if (spec.latencyMs !== undefined && !(await delay(ctx, spec.latencyMs))) return 'answered';
  const action = spec.action;
  if (!action) return 'continue';
  const resourceVersion = ctx.query.get('resourceVersion') ?? undefined;
  switch (action.type) {
    case 'status': {
      const { error, headers } = statusFaultResponse(action, {
        info,
        user: ctx.user,
        resourceVersion,
        currentResourceVersion: server.store.resourceVersion,
        ruleId: id,
      });
      for (const [name, value] of Object.entries(headers)) ctx.res.setHeader(name, value);
      throw error;
    }
    case 'reset':
      resetConnection(ctx);
      return 'answered';
    case 'watchError':
      ctx.watchFault = {
        type: 'watchError',
        status: watchErrorStatus(resourceVersion, server.store.resourceVersion),
      };
      return 'continue';
    case 'endWatch':
      ctx.watchFault = { type: 'endWatch', afterEvents: action.afterEvents };
      return 'continue';
  }
}
