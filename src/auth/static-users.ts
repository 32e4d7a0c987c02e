import { FakeApiServerError } from '../errors/developer-error.js';
import type { StaticUser } from '../types.js';
import type { UserInfo } from './user-info.js';

/**
 * Indexes static users by bearer token, as kube-apiserver's `--token-auth-file` authenticator does. Users
 * without a token are still valid (they authenticate with client certificates from the handle).
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#static-token-file
 */
export function staticTokenUsers(users: readonly StaticUser[]): Map<string, UserInfo> {
  const byToken = new Map<string, UserInfo>();
  for (const user of users) {
    if (!user.name)
      throw new FakeApiServerError(
        'INVALID_OPTION',
        'a static user has no name',
        'users: [{ name, groups, token }]',
      );
    if (!user.token) continue;
    if (byToken.has(user.token)) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `static users ${byToken.get(user.token)!.username} and ${user.name} share a token`,
      );
    }
    byToken.set(user.token, {
      username: user.name,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: [...(user.groups ?? [])],
    });
  }
  return byToken;
}
