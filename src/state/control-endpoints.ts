import type { ControlApi } from '../control/control-api.js';
import { badRequest } from '../errors/status.js';
import { readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { RequestContext } from '../server/server-context.js';
import type { StateControl } from './state-control.js';
import type { StateSnapshot } from './types.js';
import { parse as parseYaml } from 'yaml';

const SNAPSHOT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads an optional JSON (or YAML: `kubectl create --raw -f` sends the file as it is) mapping body; an
 * empty body is `{}`.
 */
export async function readControlBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  const text = (await readBody(ctx.req)).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw badRequest(`the body is not JSON or YAML: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('the body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Registers the state endpoints, for test code in any language (the admin kubeconfig may call them):
 * - `POST reset`: back to the state after start-up → `{resourceVersion, changes}`;
 * - `POST snapshots` (body `{"name": "..."}` optional) → `{name, resourceVersion}`; a name given again
 *   replaces that snapshot;
 * - `POST snapshots/NAME/restore` → `{resourceVersion, changes}`.
 */
export function registerStateEndpoints(control: ControlApi, state: StateControl): void {
  const snapshots = new Map<string, StateSnapshot>();
  let counter = 0;
  control.register('POST', 'reset', async (ctx) => {
    await readControlBody(ctx);
    writeJson(ctx.res, 200, state.reset());
  });
  control.register('POST', 'snapshots', async (ctx) => {
    const body = await readControlBody(ctx);
    let name: string;
    if (body.name === undefined) {
      do name = `snapshot-${++counter}`;
      while (snapshots.has(name));
    } else if (typeof body.name === 'string' && SNAPSHOT_NAME.test(body.name) && body.name.length <= 63) {
      name = body.name;
    } else {
      throw badRequest(
        `snapshot name ${JSON.stringify(body.name)} is not a lowercase RFC 1123 label (e.g. 'seeded', 'step-2')`,
      );
    }
    const snapshot = state.snapshot();
    if (!snapshots.has(name)) {
      control.register('POST', `snapshots/${name}/restore`, async (restoreCtx) => {
        await readControlBody(restoreCtx);
        writeJson(restoreCtx.res, 200, state.restore(snapshots.get(name)!));
      });
    }
    snapshots.set(name, snapshot);
    writeJson(ctx.res, 201, { name, resourceVersion: snapshot.resourceVersion });
  });
}
