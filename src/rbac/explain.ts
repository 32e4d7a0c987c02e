import type { UserInfo } from '../auth/user-info.js';
import { splitServiceAccountUsername } from '../auth/impersonation.js';
import { subjectMatches, type BindingObject, type RbacSource, type RoleObject } from './authorizer.js';
import type {
  AuthorizationDecisionRecord,
  AuthorizationDenial,
  AuthorizationMismatch,
  AuthorizationNearMiss,
  AuthorizationRequestAttributes,
  RbacObjectReference,
  RbacPolicyRule,
} from './decision-types.js';
import {
  apiGroupMatches,
  nonResourceURLMatches,
  resourceMatches,
  resourceNameMatches,
  verbMatches,
} from './rule-matching.js';
import type { PolicyRule, Subject } from './types.js';

/** An `RbacSource` that can also list the RoleBindings of every namespace, for explaining denials. */
export interface ExplainSource extends RbacSource {
  allRoleBindings(): Iterable<BindingObject>;
}

const MAX_CLOSEST = 3;
/** Verbs whose requests never carry a name, so `resourceNames` can never allow them. */
export const UNNAMED_VERBS: ReadonlySet<string> = new Set(['create', 'deletecollection']);

const list = (values: readonly string[] | undefined): string =>
  `[${(values ?? []).map((v) => (v === '' ? '""' : v)).join(', ')}]`;

/** `pods`, `pods/log`, `deployments.apps`, `deployments.apps/scale`. */
export function resourceLabel(
  a: Pick<AuthorizationRequestAttributes, 'resource' | 'subresource' | 'apiGroup'>,
) {
  const resource = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  return a.subresource ? `${resource}/${a.subresource}` : resource;
}

/**
 * The request in words: `list pods in namespace "default"`, `get pods/log "web" in namespace "default"`,
 * `list namespaces at the cluster scope`, `get path "/metrics"`.
 */
export function describeRequest(a: AuthorizationRequestAttributes): string {
  if (!a.resourceRequest) return `${a.verb} path ${JSON.stringify(a.path)}`;
  const name = a.name ? ` ${JSON.stringify(a.name)}` : '';
  const where = a.namespace ? `in namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `${a.verb} ${resourceLabel(a)}${name} ${where}`;
}

function bindingReference(binding: BindingObject, namespace: string): RbacObjectReference {
  const name = binding.metadata?.name ?? '';
  return namespace ? { kind: 'RoleBinding', name, namespace } : { kind: 'ClusterRoleBinding', name };
}

function roleReference(binding: BindingObject, namespace: string): RbacObjectReference {
  const { kind, name } = binding.roleRef;
  return kind === 'Role' ? { kind, name, namespace } : { kind, name };
}

/** `RoleBinding "x/ns" → Role "y"`, in the authorizer's `name/namespace` order. */
export function describeBinding(binding: RbacObjectReference, role: RbacObjectReference): string {
  const name = binding.namespace ? `${binding.name}/${binding.namespace}` : binding.name;
  return `${binding.kind} ${JSON.stringify(name)} → ${role.kind} ${JSON.stringify(role.name)}`;
}

/** A rule as one line: `{apiGroups: [""], resources: [pods], verbs: [get, list]}`. */
export function describeRule(rule: RbacPolicyRule): string {
  const parts: string[] = [];
  if (rule.nonResourceURLs?.length) parts.push(`nonResourceURLs: ${list(rule.nonResourceURLs)}`);
  if (rule.apiGroups?.length) parts.push(`apiGroups: ${list(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`resources: ${list(rule.resources)}`);
  if (rule.resourceNames?.length) parts.push(`resourceNames: ${list(rule.resourceNames)}`);
  parts.push(`verbs: ${list(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** A plain, mutable copy of a (frozen) stored rule. */
export function copyRule(rule: PolicyRule): RbacPolicyRule {
  const copy: RbacPolicyRule = { verbs: [...(rule.verbs ?? [])] };
  if (rule.apiGroups) copy.apiGroups = [...rule.apiGroups];
  if (rule.resources) copy.resources = [...rule.resources];
  if (rule.resourceNames) copy.resourceNames = [...rule.resourceNames];
  if (rule.nonResourceURLs) copy.nonResourceURLs = [...rule.nonResourceURLs];
  return copy;
}

/**
 * Why a subject that does not name the user nearly does: the usual slips with service accounts (another
 * namespace, none in a ClusterRoleBinding, `User` instead of `ServiceAccount`) and a user name's case.
 */
function nearSubject(user: UserInfo, subject: Subject, bindingNamespace: string): string | undefined {
  const account = splitServiceAccountUsername(user.username);
  if (account) {
    if (subject.kind === 'ServiceAccount' && subject.name === account.name) {
      const namespace = subject.namespace || bindingNamespace;
      if (!namespace) {
        return `its subject ServiceAccount ${JSON.stringify(subject.name)} has no namespace, which never matches in a ClusterRoleBinding`;
      }
      return `its subject is ServiceAccount ${JSON.stringify(subject.name)} in namespace ${JSON.stringify(namespace)}, not ${JSON.stringify(account.namespace)}`;
    }
    if (subject.kind === 'User' && subject.name === account.name) {
      return `its subject is User ${JSON.stringify(subject.name)}; the service account is ServiceAccount ${JSON.stringify(account.name)} (namespace ${JSON.stringify(account.namespace)})`;
    }
    return undefined;
  }
  if (
    subject.kind === 'User' &&
    subject.name !== user.username &&
    subject.name.toLowerCase() === user.username.toLowerCase()
  ) {
    return `its subject is User ${JSON.stringify(subject.name)}; user names are case-sensitive`;
  }
  return undefined;
}

interface Analysis {
  mismatches: AuthorizationMismatch[];
  /** Whether the rule concerns this resource (or path) at all. */
  relevant: boolean;
}

function scopeMismatch(a: AuthorizationRequestAttributes, bindingNamespace: string): AuthorizationMismatch[] {
  if (!bindingNamespace || bindingNamespace === a.namespace) return [];
  if (!a.resourceRequest) {
    return [
      {
        field: 'scope',
        message: `it is a RoleBinding (in ${JSON.stringify(bindingNamespace)}): only a ClusterRoleBinding grants non-resource URLs`,
      },
    ];
  }
  if (!a.namespace) {
    return [
      {
        field: 'scope',
        message: `it is a RoleBinding (in ${JSON.stringify(bindingNamespace)}): a cluster-scoped or all-namespaces request needs a ClusterRoleBinding`,
      },
    ];
  }
  return [
    {
      field: 'namespace',
      message: `it is bound in namespace ${JSON.stringify(bindingNamespace)}, not ${JSON.stringify(a.namespace)}`,
    },
  ];
}

/** What keeps one rule, bound in `bindingNamespace` ('' for a ClusterRoleBinding), from allowing a request. */
export function analyzeRule(
  a: AuthorizationRequestAttributes,
  rule: PolicyRule,
  bindingNamespace: string,
): Analysis {
  const mismatches = scopeMismatch(a, bindingNamespace);
  if (!verbMatches(rule, a.verb)) {
    mismatches.push({
      field: 'verb',
      message: `verb ${JSON.stringify(a.verb)} is not in ${list(rule.verbs)}`,
    });
  }
  if (!a.resourceRequest) {
    if (!rule.nonResourceURLs?.length) return { mismatches, relevant: false };
    if (nonResourceURLMatches(rule, a.path)) return { mismatches, relevant: true };
    const top = a.path.split('/')[1] ?? '';
    mismatches.push({
      field: 'nonResourceURL',
      message: `path ${JSON.stringify(a.path)} is not in nonResourceURLs ${list(rule.nonResourceURLs)}`,
    });
    return {
      mismatches,
      relevant: rule.nonResourceURLs.some((url) => url.replace(/\*+$/, '').split('/')[1] === top),
    };
  }
  if (!rule.resources?.length) return { mismatches, relevant: false };
  let relevant = true;
  if (!apiGroupMatches(rule, a.apiGroup)) {
    mismatches.push({
      field: 'apiGroup',
      message: `API group ${JSON.stringify(a.apiGroup)} is not in apiGroups ${list(rule.apiGroups)}`,
    });
  }
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!resourceMatches(rule, combined, a.subresource)) {
    const resources = rule.resources;
    if (a.subresource && resources.includes(a.resource)) {
      mismatches.push({
        field: 'subresource',
        message: `it grants ${a.resource} but not the subresource ${combined}, which needs its own entry`,
      });
    } else if (!a.subresource && resources.some((r) => r.startsWith(`${a.resource}/`))) {
      mismatches.push({
        field: 'resource',
        message: `it grants subresources of ${a.resource} (${list(resources)}) but not ${a.resource} itself`,
      });
    } else {
      mismatches.push({
        field: 'resource',
        message: `resource ${JSON.stringify(combined)} is not in resources ${list(resources)}`,
      });
      relevant = false;
    }
  }
  if (!resourceNameMatches(rule, a.name)) {
    const names = list(rule.resourceNames);
    let message: string;
    if (a.name) message = `name ${JSON.stringify(a.name)} is not in resourceNames ${names}`;
    else if (a.verb === 'list' || a.verb === 'watch')
      message = `it is limited to resourceNames ${names}; a ${a.verb} matches those only with fieldSelector=metadata.name=<name>`;
    else
      message = `it is limited to resourceNames ${names}; a ${a.verb} names no object, so it never matches`;
    mismatches.push({ field: 'resourceName', message });
  }
  return { mismatches, relevant };
}

/** The least rule allowing exactly this request, and where it must be bound. */
export function neededRule(a: AuthorizationRequestAttributes): AuthorizationDenial['needs'] {
  if (!a.resourceRequest) {
    return { kind: 'ClusterRole', rule: { nonResourceURLs: [a.path], verbs: [a.verb] } };
  }
  const rule: RbacPolicyRule = {
    verbs: [a.verb],
    apiGroups: [a.apiGroup],
    resources: [a.subresource ? `${a.resource}/${a.subresource}` : a.resource],
  };
  if (a.name && !UNNAMED_VERBS.has(a.verb)) rule.resourceNames = [a.name];
  return a.namespace ? { kind: 'Role', namespace: a.namespace, rule } : { kind: 'ClusterRole', rule };
}

function isBootstrap(binding: BindingObject): boolean {
  const labels = (binding.metadata as { labels?: Record<string, string> } | undefined)?.labels;
  return labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

/**
 * Why RBAC denied a request: every rule bound to the user (or to a subject nearly naming it), in any
 * namespace, is compared with the request, and those that concern its resource or path are ranked by how
 * many things kept them from applying. Runs only on denials, so it may look at everything.
 */
export function analyzeDenial(
  source: ExplainSource,
  user: UserInfo,
  attributes: AuthorizationRequestAttributes,
): AuthorizationDenial {
  const candidates: { miss: AuthorizationNearMiss; score: number; order: number }[] = [];
  const boundRoles: AuthorizationDenial['boundRoles'] = [];
  const visit = (binding: BindingObject, bindingNamespace: string): void => {
    const subjects = binding.subjects ?? [];
    let subjectMiss: string | undefined;
    if (!subjects.some((s) => subjectMatches(user, s, bindingNamespace))) {
      for (const s of subjects) subjectMiss ??= nearSubject(user, s, bindingNamespace);
      if (!subjectMiss) return;
    }
    const bindingRef = bindingReference(binding, bindingNamespace);
    const roleRef = roleReference(binding, bindingNamespace);
    if (!subjectMiss && !isBootstrap(binding)) boundRoles.push({ binding: bindingRef, role: roleRef });
    const leading: AuthorizationMismatch[] = subjectMiss ? [{ field: 'subject', message: subjectMiss }] : [];
    let role: RoleObject | undefined;
    const ref = binding.roleRef;
    if (ref.kind === 'ClusterRole') role = source.clusterRole(ref.name);
    else if (ref.kind === 'Role' && bindingNamespace) role = source.role(bindingNamespace, ref.name);
    if (!role) {
      const what = ref.kind === 'ClusterRole' ? 'clusterrole' : 'role';
      const mismatches = [
        ...leading,
        ...scopeMismatch(attributes, bindingNamespace),
        {
          field: 'role' as const,
          message: `${what}.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`,
        },
      ];
      candidates.push({
        miss: { binding: bindingRef, role: roleRef, mismatches },
        score: mismatches.length - 0.5,
        order: candidates.length,
      });
      return;
    }
    for (const rule of role.rules ?? []) {
      const { mismatches, relevant } = analyzeRule(attributes, rule, bindingNamespace);
      if (!relevant) continue;
      mismatches.unshift(...leading);
      candidates.push({
        miss: { binding: bindingRef, role: roleRef, rule: copyRule(rule), mismatches },
        score: mismatches.length,
        order: candidates.length,
      });
    }
  };
  for (const binding of source.clusterRoleBindings()) visit(binding, '');
  for (const binding of source.allRoleBindings()) visit(binding, binding.metadata?.namespace ?? '');
  candidates.sort((x, y) => x.score - y.score || x.order - y.order);
  const best = candidates[0]?.score ?? 0;
  return {
    closest: candidates
      .filter((c) => c.score <= best + 1)
      .slice(0, MAX_CLOSEST)
      .map((c) => c.miss),
    boundRoles,
    needs: neededRule(attributes),
  };
}

function whyNothingClose(record: AuthorizationDecisionRecord, denial: AuthorizationDenial): string {
  const a = record.attributes;
  const what = a.resourceRequest ? resourceLabel({ ...a, subresource: '' }) : `path ${a.path}`;
  if (denial.boundRoles.length === 0)
    return `only the defaults are bound to it, and they do not grant ${what}`;
  return `no role bound to it grants ${what}`;
}

function needsText(needs: AuthorizationDenial['needs']): string {
  const where = needs.kind === 'Role' ? `a Role in ${JSON.stringify(needs.namespace)}` : 'a ClusterRole';
  return `${where} with ${describeRule(needs.rule)}`;
}

/**
 * The one line a denial is logged as: `forbidden: <user> cannot <request> (<METHOD> <path>): closest:
 * <binding>: <why>; needs <rule>`.
 */
export function denialLine(record: AuthorizationDecisionRecord): string {
  const a = record.attributes;
  const via = record.check === 'impersonation' ? ', impersonation' : '';
  const line = `forbidden: ${record.user} cannot ${describeRequest(a)} (${record.method} ${record.path}${via})`;
  return record.denial ? `${line}: ${denialReason(record, record.denial)}` : line;
}

/** Why a request was denied, in the words of its log line: `closest: <binding>: <why>; needs <rule>`. */
export function denialReason(record: AuthorizationDecisionRecord, denial: AuthorizationDenial): string {
  const [closest] = denial.closest;
  const why = closest
    ? `closest: ${describeBinding(closest.binding, closest.role)}: ${closest.mismatches.map((m) => m.message).join('; ')}`
    : whyNothingClose(record, denial);
  return `${why}; needs ${needsText(denial.needs)}`;
}

/**
 * A decision in a few lines: what was asked, the verdict, and for an allow the binding and rule behind it,
 * for a denial the closest rules and what each lacked, and the rule that would allow it.
 */
export function explainDecision(record: AuthorizationDecisionRecord): string {
  const a = record.attributes;
  const lines = [
    `${record.allowed ? 'ALLOWED' : 'DENIED'}: ${record.user} ${record.allowed ? '' : 'cannot '}${describeRequest(a)} (${record.method} ${record.path}${record.check === 'impersonation' ? ', impersonation check' : ''})`,
  ];
  const by = record.allowedBy;
  if (by?.kind === 'privilegedGroup') {
    lines.push(`  as a member of ${by.group}, which is allowed everything before RBAC is asked`);
  } else if (by) {
    lines.push(`  by ${describeBinding(by.binding, by.role)}, rule ${describeRule(by.rule)}`);
    lines.push(`  (${record.reason})`);
  }
  const denial = record.denial;
  if (denial) {
    if (denial.closest.length > 0) {
      lines.push('  closest rules that did not match:');
      for (const miss of denial.closest) {
        lines.push(
          `  - ${describeBinding(miss.binding, miss.role)}${miss.rule ? `, rule ${describeRule(miss.rule)}` : ''}`,
        );
        for (const m of miss.mismatches) lines.push(`      ${m.message}`);
      }
    } else {
      lines.push(`  ${whyNothingClose(record, denial)}`);
    }
    if (denial.boundRoles.length > 0) {
      lines.push(
        `  bound to it: ${denial.boundRoles.map((b) => describeBinding(b.binding, b.role)).join(', ')}`,
      );
    }
    lines.push(`  needs: ${needsText(denial.needs)}`);
    if (record.reason) lines.push(`  (${record.reason})`);
  }
  return lines.join('\n');
}
