import type { AuthorizationAttributes, PolicyRule } from './types.js';

/**
 * Whether one rule allows the request, exactly as the RBAC authorizer's `RuleAllows`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/rbac/v1/evaluation_helpers.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/auth/authorizer/rbac/rbac.go
 */
export function ruleAllows(attributes: AuthorizationAttributes, rule: PolicyRule): boolean {
  if (attributes.isResourceRequest) {
    const combined = attributes.subresource
      ? `${attributes.resource}/${attributes.subresource}`
      : attributes.resource;
    return (
      verbMatches(rule, attributes.verb) &&
      apiGroupMatches(rule, attributes.apiGroup) &&
      resourceMatches(rule, combined, attributes.subresource) &&
      resourceNameMatches(rule, attributes.name)
    );
  }
  return verbMatches(rule, attributes.verb) && nonResourceURLMatches(rule, attributes.path);
}

/** `VerbMatches`: `*` or the exact verb. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === '*' || v === verb);
}

/** `APIGroupMatches`: `*` or the exact group (`""` is core). */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

/**
 * `ResourceMatches`: `*`, the exact `resource[/subresource]`, or `*\/subresource` when the request has that
 * subresource. `pods` does not cover `pods/log`; `pods/*` is not a wildcard.
 */
export function resourceMatches(
  rule: PolicyRule,
  combinedRequestedResource: string,
  subresource: string,
): boolean {
  for (const resource of rule.resources ?? []) {
    if (resource === '*') return true;
    if (resource === combinedRequestedResource) return true;
    if (subresource && resource === `*/${subresource}`) return true;
  }
  return false;
}

/** `ResourceNameMatches`: an empty list matches any name; otherwise the (non-empty) name must be listed. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return names.includes(name);
}

/** `NonResourceURLMatches`: `*`, the exact path, or a prefix ending in `*`. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === '*') return true;
    if (url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))) return true;
  }
  return false;
}
