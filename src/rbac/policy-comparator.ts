import { goQuoteList } from '../json/go-quote.js';
import type { PolicyRule } from './types.js';

/**
 * Whether `ownerRules` allow everything `servantRules` allow, and the servant rules' atoms that they do not,
 * exactly as `Covers`: each servant rule is broken down into one-verb, one-resource, one-name rules and
 * every piece must be covered by a single owner rule.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go
 */
export function covers(
  ownerRules: readonly PolicyRule[],
  servantRules: readonly PolicyRule[],
): { covered: boolean; uncovered: PolicyRule[] } {
  const uncovered: PolicyRule[] = [];
  for (const subrule of servantRules.flatMap(breakdownRule)) {
    if (!ownerRules.some((owner) => ruleCovers(owner, subrule))) uncovered.push(subrule);
  }
  return { covered: uncovered.length === 0, uncovered };
}

/**
 * A rule as the equivalent list of rules with at most one verb, resource and resource name each, as
 * `BreakdownRule` (non-resource URLs combine with verbs only).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const subrules: PolicyRule[] = [];
  const verbs = rule.verbs ?? [];
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of verbs) {
        if (names.length > 0) {
          for (const name of names) {
            subrules.push({
              apiGroups: [group],
              resources: [resource],
              verbs: [verb],
              resourceNames: [name],
            });
          }
        } else {
          subrules.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of verbs) subrules.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return subrules;
}

function has(set: readonly string[] | null | undefined, element: string): boolean {
  return (set ?? []).includes(element);
}

function hasAll(
  set: readonly string[] | null | undefined,
  contains: readonly string[] | null | undefined,
): boolean {
  const owning = new Set(set ?? []);
  return (contains ?? []).every((element) => owning.has(element));
}

function resourceCoversAll(
  setResources: readonly string[] | null | undefined,
  coversResources: readonly string[] | null | undefined,
): boolean {
  if (has(setResources, '*') || hasAll(setResources, coversResources)) return true;
  for (const path of coversResources ?? []) {
    if (has(setResources, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!has(setResources, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

/**
 * `nonResourceURLCovers`: the same path, or an owner path ending in `*` whose prefix the path starts with.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go
 */
export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  return ownerPath.endsWith('*') && subPath.startsWith(ownerPath.replace(/\*+$/, ''));
}

function nonResourceURLsCoversAll(
  set: readonly string[] | null | undefined,
  paths: readonly string[] | null | undefined,
): boolean {
  return (paths ?? []).every((path) => (set ?? []).some((owner) => nonResourceURLCovers(owner, path)));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbMatches = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groupMatches = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resourceMatches = resourceCoversAll(owner.resources, sub.resources);
  const nonResourceURLMatches = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const ownerNames = owner.resourceNames ?? [];
  const resourceNameMatches =
    (sub.resourceNames ?? []).length === 0
      ? ownerNames.length === 0
      : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbMatches && groupMatches && resourceMatches && resourceNameMatches && nonResourceURLMatches;
}

/** The key of a rule `CompactRules` may merge by verb (`simpleResource`). */
export interface SimpleResource {
  group: string;
  resource: string;
  resourceNameExist: boolean;
  resourceName: string;
}

/**
 * `isSimpleResourceRule`: one API group, one resource, at most one resource name and no non-resource URLs
 * (a present but empty `nonResourceURLs` is not nil to Go's `reflect.DeepEqual`, so not simple either).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/policy_compact.go
 */
export function isSimpleResourceRule(rule: PolicyRule): SimpleResource | undefined {
  const names = rule.resourceNames ?? [];
  if (names.length > 1 || (rule.nonResourceURLs ?? []).length > 0) return undefined;
  if ((rule.apiGroups ?? []).length !== 1 || (rule.resources ?? []).length !== 1) return undefined;
  if (rule.nonResourceURLs != null) return undefined;
  return {
    group: rule.apiGroups![0]!,
    resource: rule.resources![0]!,
    resourceNameExist: names.length > 0,
    resourceName: names[0] ?? '',
  };
}

/**
 * `CompactRules`: rules on a single group and resource (and name) that differ only by verb become one rule
 * with all their verbs, in order; every other rule is kept as it is. The input is not modified.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/rbac/validation/policy_compact.go
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simpleRules = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const simple = isSimpleResourceRule(rule);
    if (!simple) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify(simple);
    const existing = simpleRules.get(key);
    if (existing) existing.verbs = [...(existing.verbs ?? []), ...(rule.verbs ?? [])];
    else simpleRules.set(key, structuredClone(rule));
  }
  return [...compacted, ...simpleRules.values()];
}

/**
 * `CompactString`, the rendering of a rule in escalation errors:
 * `{APIGroups:[""], Resources:["pods"], ResourceNames:["x"], Verbs:["get" "list"]}`, empty fields left out.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/rbac/v1/evaluation_helpers.go
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  const field = (name: string, values: readonly string[] | null | undefined) => {
    if ((values ?? []).length > 0) parts.push(`${name}:${goQuoteList(values)}`);
  };
  field('APIGroups', rule.apiGroups);
  field('Resources', rule.resources);
  field('NonResourceURLs', rule.nonResourceURLs);
  field('ResourceNames', rule.resourceNames);
  field('Verbs', rule.verbs);
  return `{${parts.join(', ')}}`;
}
