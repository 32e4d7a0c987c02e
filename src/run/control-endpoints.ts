import { isAbsolute } from 'node:path';
import type { ControlApi } from '../control/control-api.js';
import { developerErrorAsStatus } from '../errors/developer-error-status.js';
import { badRequest } from '../errors/status.js';
import { writeJson } from '../http/respond.js';
import { readControlBody } from '../state/control-endpoints.js';
import type { RunEnvironments } from './run-environments.js';

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value !== undefined && typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

/**
 * Registers the server's side of `fake-apiserver run` for a `run` process elsewhere on this machine (the
 * command with `--attach`, `runInPod` in vitest workers):
 * - `POST runs` with `{dir, pod | serviceAccount, container, network, tokenTtlSeconds}` (`dir` an absolute,
 *   empty directory of the caller's) → 201 with the `RunPlan`: the files written there and kept up to
 *   date, the environment, the mounts;
 * - `POST runs/stop` with `{dir}` → 200 `{dir, stopped}` (the files stay; the caller removes them).
 */
export function registerRunEndpoints(control: ControlApi, runs: RunEnvironments): void {
  control.register('POST', 'runs', async (ctx) => {
    const body = await readControlBody(ctx);
    const dir = optionalString(body, 'dir');
    if (dir === undefined || !isAbsolute(dir)) {
      throw badRequest("dir must be an absolute path on the server's machine: the run's private directory");
    }
    const network = optionalString(body, 'network');
    if (network !== undefined && network !== 'sandbox' && network !== 'host') {
      throw badRequest('network must be "sandbox" or "host"');
    }
    const ttl = body.tokenTtlSeconds;
    if (ttl !== undefined && typeof ttl !== 'number') throw badRequest('tokenTtlSeconds must be a number');
    const pod = optionalString(body, 'pod');
    const serviceAccount = optionalString(body, 'serviceAccount');
    const container = optionalString(body, 'container');
    try {
      const environment = await runs.create({
        dir,
        ...(pod !== undefined ? { pod } : {}),
        ...(serviceAccount !== undefined ? { serviceAccount } : {}),
        ...(container !== undefined ? { container } : {}),
        ...(network !== undefined ? { network } : {}),
        ...(ttl !== undefined ? { tokenTtlSeconds: ttl } : {}),
      });
      writeJson(ctx.res, 201, environment.plan);
    } catch (error) {
      throw developerErrorAsStatus(error);
    }
  });
  control.register('POST', 'runs/stop', async (ctx) => {
    const dir = optionalString(await readControlBody(ctx), 'dir');
    if (dir === undefined) throw badRequest('the body must be {"dir": "<absolute path of a run>"}');
    writeJson(ctx.res, 200, { dir, stopped: await runs.stop(dir) });
  });
}
