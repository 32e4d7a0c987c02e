import type { BindingObject, RbacSource, RoleObject } from './authorizer.js';

/** RBAC objects given as plain lists, as upstream's `NewTestRuleResolver` takes them. */
export interface StaticPolicy {
  roles?: RoleObject[];
  roleBindings?: BindingObject[];
  clusterRoles?: RoleObject[];
  clusterRoleBindings?: BindingObject[];
}

/** An `RbacSource` over fixed lists: for evaluating a policy that is not (or not yet) in the store. */
export function staticRbacSource(policy: StaticPolicy): RbacSource {
  return {
    clusterRoleBindings: () => policy.clusterRoleBindings ?? [],
    roleBindings: (namespace) =>
      (policy.roleBindings ?? []).filter((b) => b.metadata?.namespace === namespace),
    clusterRole: (name) => (policy.clusterRoles ?? []).find((r) => r.metadata?.name === name),
    role: (namespace, name) =>
      (policy.roles ?? []).find((r) => r.metadata?.namespace === namespace && r.metadata?.name === name),
  };
}
