import type { UserInfo } from '../auth/user-info.js';
import { ruleAllows } from './rule-matching.js';
import type {
  AuthorizationAttributes,
  AuthorizationDecision,
  PolicyRule,
  RoleRef,
  Subject,
} from './types.js';

/** A RoleBinding or ClusterRoleBinding as stored. */
export interface BindingObject {
  metadata?: { name?: string; namespace?: string };
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** A Role or ClusterRole as stored. */
export interface RoleObject {
  metadata?: { name?: string; namespace?: string };
  rules?: PolicyRule[] | null;
}

/** Where the authorizer reads RBAC objects from. */
export interface RbacSource {
  clusterRoleBindings(): Iterable<BindingObject>;
  roleBindings(namespace: string): Iterable<BindingObject>;
  clusterRole(name: string): RoleObject | undefined;
  role(namespace: string, name: string): RoleObject | undefined;
}

/** Groups whose members are allowed everything before RBAC is asked, as kube-apiserver's privileged group. */
export const PRIVILEGED_GROUPS = ['system:masters'] as const;

/** A rule together with where it came from. */
export interface SourcedRule {
  rule: PolicyRule;
  /** `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` */
  source: string;
  /** The binding that granted the role; `bindingNamespace` is empty for a ClusterRoleBinding. */
  binding: BindingObject;
  bindingNamespace: string;
  /** The binding's subject that names the user. */
  subject: Subject;
}

/** A decision of `authorize`, with the rule that allowed it when RBAC did. */
export interface RbacDecision extends AuthorizationDecision {
  allowedBy?: SourcedRule;
}

/**
 * Whether a subject names the user, as `appliesToUser`: service-account subjects default their namespace
 * to the binding's, and never match from a ClusterRoleBinding without one.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/rule.go
 */
export function subjectMatches(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      if (!namespace) return false;
      return user.username === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

/**
 * Visits every rule that applies to `user` in `namespace` (ClusterRoleBindings first, then the namespace's
 * RoleBindings), as `VisitRulesFor`. The visitor returns true to stop. Role-resolution errors are collected.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/rule.go
 */
export function visitRulesFor(
  source: RbacSource,
  user: UserInfo,
  namespace: string,
  visit: (rule: SourcedRule) => boolean,
): string[] {
  const errors: string[] = [];
  const visitBinding = (binding: BindingObject, bindingNamespace: string): boolean => {
    const subject = (binding.subjects ?? []).find((s) => subjectMatches(user, s, bindingNamespace));
    if (!subject) return false;
    const ref = binding.roleRef;
    let role: RoleObject | undefined;
    if (ref.kind === 'ClusterRole') {
      role = source.clusterRole(ref.name);
      if (!role) errors.push(`clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`);
    } else if (ref.kind === 'Role' && bindingNamespace) {
      role = source.role(bindingNamespace, ref.name);
      if (!role) errors.push(`role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`);
    } else {
      errors.push(`unsupported role reference kind: ${JSON.stringify(ref.kind)}`);
    }
    if (!role) return false;
    const name = binding.metadata?.name ?? '';
    const description = bindingNamespace
      ? `RoleBinding ${JSON.stringify(`${name}/${bindingNamespace}`)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, bindingNamespace)}`
      : `ClusterRoleBinding ${JSON.stringify(name)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, '')}`;
    for (const rule of role.rules ?? []) {
      if (visit({ rule, source: description, binding, bindingNamespace, subject })) return true;
    }
    return false;
  };
  for (const binding of source.clusterRoleBindings()) {
    if (visitBinding(binding, '')) return errors;
  }
  if (namespace) {
    for (const binding of source.roleBindings(namespace)) {
      if (visitBinding(binding, namespace)) return errors;
    }
  }
  return errors;
}

/**
 * The authorizer chain of a default kube-apiserver: the privileged `system:masters` group, then RBAC.
 * RBAC never denies; no matching rule is "no opinion", which the chain turns into a denial whose reason
 * carries role-resolution errors.
 * @see https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/auth/authorizer/rbac/rbac.go
 */
export function authorize(source: RbacSource, attributes: AuthorizationAttributes): RbacDecision {
  if (attributes.user.groups.some((g) => (PRIVILEGED_GROUPS as readonly string[]).includes(g))) {
    return { allowed: true, reason: '' };
  }
  let allowedBy: SourcedRule | undefined;
  const errors = visitRulesFor(source, attributes.user, attributes.namespace, (sourced) => {
    if (ruleAllows(attributes, sourced.rule)) {
      allowedBy = sourced;
      return true;
    }
    return false;
  });
  if (allowedBy !== undefined)
    return { allowed: true, reason: `RBAC: allowed by ${allowedBy.source}`, allowedBy };
  if (errors.length === 0) return { allowed: false, reason: '' };
  // utilerrors.NewAggregate prints each distinct message once, in brackets only when several remain.
  const unique = [...new Set(errors)];
  return { allowed: false, reason: `RBAC: ${unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`}` };
}

/**
 * The 403 message of `responsewriters.forbiddenMessage` and `NewForbidden`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
 */
export function forbiddenMessage(attributes: AuthorizationAttributes, reason: string): string {
  const user = attributes.user.username;
  let body: string;
  let prefix: string;
  if (!attributes.isResourceRequest) {
    prefix = 'forbidden: ';
    body = `User ${JSON.stringify(user)} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
  } else {
    const resource = attributes.subresource
      ? `${attributes.resource}/${attributes.subresource}`
      : attributes.resource;
    const qualified = attributes.apiGroup
      ? `${attributes.resource}.${attributes.apiGroup}`
      : attributes.resource;
    prefix = attributes.name
      ? `${qualified} ${JSON.stringify(attributes.name)} is forbidden: `
      : `${qualified} is forbidden: `;
    const where = attributes.namespace
      ? `in the namespace ${JSON.stringify(attributes.namespace)}`
      : 'at the cluster scope';
    body = `User ${JSON.stringify(user)} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.apiGroup)} ${where}`;
  }
  const sanitized = body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `${prefix}${sanitized}${reason ? `: ${reason}` : ''}`;
}
