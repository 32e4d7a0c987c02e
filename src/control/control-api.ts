import { pathNotFound } from '../errors/status.js';
import type { RequestContext } from '../server/server-context.js';

/**
 * The prefix of fake-apiserver's own control endpoints (reset, faults, clock, recorded requests...), for
 * test code in any language. They are non-resource URLs, so RBAC decides who may call them: the admin
 * kubeconfig (`system:masters`) may, a service account may not unless a ClusterRole grants the URL.
 */
export const CONTROL_PREFIX = '/fake-apiserver/v1';

/** Serves one control endpoint; throws `ApiError` for a Status answer. */
export type ControlHandler = (ctx: RequestContext) => void | Promise<void>;

/** Serves the paths below a prefix; `rest` is the decoded part after `prefix/` (never empty). */
export type ControlPrefixHandler = (ctx: RequestContext, rest: string) => void | Promise<void>;

/** The control endpoints of one server, keyed by method and path below `CONTROL_PREFIX`. */
export class ControlApi {
  readonly #routes = new Map<string, ControlHandler>();
  readonly #prefixRoutes = new Map<string, ControlPrefixHandler>();

  /** Adds `METHOD /fake-apiserver/v1/<path>`; a path registered twice is a programming error. */
  register(method: string, path: string, handler: ControlHandler): void {
    const key = `${method.toUpperCase()} ${CONTROL_PREFIX}/${path.replace(/^\/+/, '')}`;
    if (this.#routes.has(key)) throw new Error(`control endpoint ${key} registered twice`);
    this.#routes.set(key, handler);
  }

  /**
   * Adds `METHOD /fake-apiserver/v1/<prefix>/<rest>` for any non-empty `rest` (per-id paths such as
   * `faults/<id>`); exact routes win over prefix routes.
   */
  registerPrefix(method: string, prefix: string, handler: ControlPrefixHandler): void {
    const key = `${method.toUpperCase()} ${CONTROL_PREFIX}/${prefix.replace(/^\/+|\/+$/g, '')}/`;
    if (this.#prefixRoutes.has(key)) throw new Error(`control endpoint ${key}* registered twice`);
    this.#prefixRoutes.set(key, handler);
  }

  /** Whether a path belongs to the control API. */
  owns(path: string): boolean {
    return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
  }

  /** Runs the endpoint for the request, or answers the generic 404. */
  async handle(ctx: RequestContext): Promise<void> {
    const path = ctx.info.path.replace(/\/+$/, '');
    const key = `${(ctx.req.method ?? 'GET').toUpperCase()} ${path}`;
    const handler = this.#routes.get(key);
    if (handler) return handler(ctx);
    for (const [prefix, prefixHandler] of this.#prefixRoutes) {
      if (key.startsWith(prefix) && key.length > prefix.length)
        return prefixHandler(ctx, key.slice(prefix.length));
    }
    throw pathNotFound();
  }
}
