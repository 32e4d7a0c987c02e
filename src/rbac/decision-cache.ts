import { rbacKinds } from '../registry/built-in-kinds.js';
import type { ObjectStore } from '../store/object-store.js';
import { authorize, type RbacDecision } from './authorizer.js';
import { rbacSourceFromStore } from './store-source.js';
import type { AuthorizationAttributes } from './types.js';

const CACHE_LIMIT = 10_000;

function cacheKey(a: AuthorizationAttributes): string {
  const { user } = a;
  // A NUL cannot appear in any of these (names, paths, verbs), so the fields cannot run into each other.
  return [
    user.username,
    user.groups.join('\u0001'),
    a.verb,
    a.isResourceRequest ? 'r' : 'n',
    a.path,
    a.namespace,
    a.apiGroup,
    a.apiVersion,
    a.resource,
    a.subresource,
    a.name,
  ].join('\u0000');
}

/**
 * `authorize` against the store, remembering decisions until an RBAC object changes. A request's
 * decision depends only on its attributes (user, groups, verb, resource, namespace, name, path) and the
 * Roles, ClusterRoles and bindings, so the same request from the same user is decided once: walking every
 * binding of the bootstrap policy was the costliest step of an authorized GET after TLS.
 */
export function cachedAuthorizer(store: ObjectStore): (attributes: AuthorizationAttributes) => RbacDecision {
  const source = rbacSourceFromStore({ store });
  const cache = new Map<string, RbacDecision>();
  let cachedAt = -1;
  const rbacVersion = () => {
    let version = 0;
    for (const kind of rbacKinds) version = Math.max(version, store.lastChangeOf(kind));
    return version;
  };
  return (attributes) => {
    const version = rbacVersion();
    if (version !== cachedAt || cache.size >= CACHE_LIMIT) {
      cache.clear();
      cachedAt = version;
    }
    const key = cacheKey(attributes);
    let decision = cache.get(key);
    if (!decision) {
      decision = authorize(source, attributes);
      cache.set(key, decision);
    }
    return decision;
  };
}
