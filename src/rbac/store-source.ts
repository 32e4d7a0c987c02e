import { rbacKinds } from '../registry/built-in-kinds.js';
import type { ServerContext } from '../server/server-context.js';
import type { BindingObject, RbacSource, RoleObject } from './authorizer.js';

const [roleKind, roleBindingKind, clusterRoleKind, clusterRoleBindingKind] = rbacKinds as [
  (typeof rbacKinds)[number],
  (typeof rbacKinds)[number],
  (typeof rbacKinds)[number],
  (typeof rbacKinds)[number],
];

/** Reads RBAC objects from the object store, so changes take effect on the next request. */
export function rbacSourceFromStore(server: Pick<ServerContext, 'store'>): RbacSource {
  const { store } = server;
  return {
    clusterRoleBindings: () =>
      store.list({ kind: clusterRoleBindingKind }).items as unknown as BindingObject[],
    roleBindings: (namespace) =>
      store.list({ kind: roleBindingKind, namespace }).items as unknown as BindingObject[],
    clusterRole: (name) => store.get(clusterRoleKind, '', name) as RoleObject | undefined,
    role: (namespace, name) => store.get(roleKind, namespace, name) as RoleObject | undefined,
  };
}
