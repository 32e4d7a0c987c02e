import { isAbsolute, resolve } from 'node:path';
import type { ControlApi } from '../control/control-api.js';
import { developerErrorAsStatus } from '../errors/developer-error-status.js';
import { badRequest } from '../errors/status.js';
import { writeJson } from '../http/respond.js';
import { readControlBody } from '../state/control-endpoints.js';
import type { ServiceAccountMounts } from './mounts.js';
import type { ServiceAccountMount } from './types.js';

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value !== undefined && typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

function absolutePath(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value !== undefined && !isAbsolute(value)) {
    throw badRequest(
      `${field} must be an absolute path on the server's machine (${JSON.stringify(value)} given)`,
    );
  }
  return value;
}

/** What the endpoint answers about a mount. */
function describeMount(mount: ServiceAccountMount) {
  return {
    dir: mount.dir,
    tokenFile: mount.tokenFile,
    caFile: mount.caFile,
    namespaceFile: mount.namespaceFile,
    serviceAccount: mount.serviceAccount,
    ...(mount.pod ? { pod: mount.pod } : {}),
    tokenTtlSeconds: mount.tokenTtlSeconds,
    expiresAt: mount.expiresAt.toISOString(),
    refreshAt: mount.refreshAt.toISOString(),
  };
}

/**
 * Registers `mountServiceAccount` for test code that holds no handle (vitest workers, other languages):
 * - `POST mounts` with `{dir | root, serviceAccount | pod, tokenTtlSeconds}` (absolute paths on the
 *   server's machine) → 201 with the files' paths and the token's times;
 * - `POST mounts/stop` with `{dir}` → 200 `{dir, stopped}` (the files stay, as with `stop()`).
 */
export function registerMountEndpoints(control: ControlApi, mounts: ServiceAccountMounts): void {
  control.register('POST', 'mounts', async (ctx) => {
    const body = await readControlBody(ctx);
    const ttl = body.tokenTtlSeconds;
    if (ttl !== undefined && typeof ttl !== 'number') throw badRequest('tokenTtlSeconds must be a number');
    const dir = absolutePath(body, 'dir');
    const root = absolutePath(body, 'root');
    const serviceAccount = optionalString(body, 'serviceAccount');
    const pod = optionalString(body, 'pod');
    let mount: ServiceAccountMount;
    try {
      mount = await mounts.mount({
        ...(dir !== undefined ? { dir } : {}),
        ...(root !== undefined ? { root } : {}),
        ...(serviceAccount !== undefined ? { serviceAccount } : {}),
        ...(pod !== undefined ? { pod } : {}),
        ...(ttl !== undefined ? { tokenTtlSeconds: ttl } : {}),
      });
    } catch (error) {
      throw developerErrorAsStatus(error);
    }
    writeJson(ctx.res, 201, describeMount(mount));
  });
  control.register('POST', 'mounts/stop', async (ctx) => {
    const dir = absolutePath(await readControlBody(ctx), 'dir');
    if (dir === undefined) throw badRequest('the body must be {"dir": "<absolute path of a mount>"}');
    writeJson(ctx.res, 200, { dir, stopped: await mounts.stop(resolve(dir)) });
  });
}
