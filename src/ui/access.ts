import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { UserInfo } from '../auth/user-info.js';
import { ApiError } from '../errors/status.js';
import { PRIVILEGED_GROUPS } from '../rbac/authorizer.js';

/** Where the web inspector is served, next to the control API under fake-apiserver's own prefix. */
export const UI_PREFIX = '/fake-apiserver/ui';

/** Whether a URL path belongs to the web inspector. */
export function isInspectorPath(path: string): boolean {
  return path === UI_PREFIX || path.startsWith(`${UI_PREFIX}/`);
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * Whether a peer address is the local host: `127.0.0.0/8` or `::1`, in any spelling, IPv4-mapped
 * (`::ffff:127.0.0.1`, as a dual-stack socket reports it) included.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  if (isIPv4(address)) return LOOPBACK.check(address, 'ipv4');
  if (isIPv6(address)) return LOOPBACK.check(address, 'ipv6');
  return false;
}

/**
 * The 403 for a remote client that is not an admin, in the authorizer's words for a non-resource path,
 * with why.
 */
export function inspectorForbidden(user: UserInfo, verb: string, path: string): ApiError {
  return new ApiError(
    403,
    'Forbidden',
    `forbidden: User ${JSON.stringify(user.username)} cannot ${verb} path ${JSON.stringify(path)}: the web inspector is served only to loopback clients and to members of ${PRIVILEGED_GROUPS.join(', ')}`,
    {},
  );
}

/**
 * The inspector's access rule, which stands in for RBAC on its paths: a client on the local host is served
 * without its credentials being looked at (a browser has no client certificate, and an
 * `--anonymous-auth=false` server must still show it); any other client must authenticate as a member of
 * `system:masters`, or gets the 403 `Status`. The inspector shows every object, Secrets included, so RBAC
 * grants alone do not open it.
 *
 * `authenticate` runs the pipeline's authentication and impersonation (it throws the 401 `Status`, or
 * returns undefined once it has answered an impersonation failure itself). Returns whether to serve.
 */
export function authorizeInspector(
  remoteAddress: string | undefined,
  method: string,
  path: string,
  authenticate: () => UserInfo | undefined,
): boolean {
  if (isLoopbackAddress(remoteAddress)) return true;
  const user = authenticate();
  if (!user) return false;
  if (user.groups.some((g) => (PRIVILEGED_GROUPS as readonly string[]).includes(g))) return true;
  throw inspectorForbidden(user, method.toLowerCase(), path);
}
