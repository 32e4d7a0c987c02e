/**
 * The host programs `fake-apiserver run` makes its sandbox with, found when it runs: util-linux's `unshare`,
 * `mount` and `setpriv`, iproute2's `ip` (for the sandbox's own network) and `hostname` (for a pod's).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import type { RunNetwork } from './types.js';

/** The absolute paths of the programs a sandbox is made with. */
export interface SandboxTools {
  unshare: string;
  mount: string;
  setpriv: string;
  /** With the sandbox's own network. */
  ip?: string;
  /** With a pod (to set its hostname). */
  hostname?: string;
  /** The Node.js that listens inside the sandbox's network for a moment, to hand the socket out. */
  node: string;
}

/**
 * The environment variable naming the `unshare` to use instead of the one found in `PATH`. A path that does
 * not exist makes `run` refuse as on a machine without util-linux (how the refusal is tested).
 */
export const UNSHARE_VARIABLE = 'FAKE_APISERVER_UNSHARE';

/** What to do where no sandbox can be made. */
export const SANDBOX_FALLBACK_HINT =
  'without namespaces (macOS, user namespaces disabled, a container without them), start the server with ' +
  '--sa-dir DIR (or --root DIR) and point your code at those paths: see "Without run" in the README';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function unavailable(message: string): FakeApiServerError {
  return new FakeApiServerError('SANDBOX_UNAVAILABLE', message, SANDBOX_FALLBACK_HINT);
}

/** A program by name in `PATH`, then in the system's directories (`ip` lives in /usr/sbin). */
function lookup(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir)), ...SYSTEM_DIRS];
  return dirs.map((dir) => join(dir, name)).find(executable);
}

/**
 * Finds the programs a sandbox needs, or refuses (`SANDBOX_UNAVAILABLE`, naming what is missing and the
 * fallback) on another system than Linux or where one is missing.
 */
export function findSandboxTools(
  needs: { network: RunNetwork; hostname: boolean },
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): SandboxTools {
  if (platform !== 'linux') {
    throw unavailable(
      `fake-apiserver run needs Linux user, mount, UTS and network namespaces; this is ${platform}`,
    );
  }
  const find = (name: string, from: string): string => {
    const path = lookup(name, env);
    if (!path)
      throw unavailable(`fake-apiserver run needs ${name} (${from}) to make its sandbox, and finds none`);
    return path;
  };
  const override = env[UNSHARE_VARIABLE];
  let unshare: string;
  if (override) {
    if (!executable(override)) {
      throw unavailable(
        `fake-apiserver run needs unshare (util-linux) to make its sandbox, and ${UNSHARE_VARIABLE}=${override} is not an executable file`,
      );
    }
    unshare = override;
  } else unshare = find('unshare', 'util-linux');
  return {
    unshare,
    mount: find('mount', 'util-linux'),
    setpriv: find('setpriv', 'util-linux'),
    ...(needs.network === 'sandbox' ? { ip: find('ip', 'iproute2') } : {}),
    ...(needs.hostname ? { hostname: find('hostname', 'the hostname package') } : {}),
    node: process.execPath,
  };
}
