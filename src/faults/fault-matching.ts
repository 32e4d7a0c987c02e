import { resourceMatches } from '../rbac/rule-matching.js';
import type { FaultSpec } from './parse-fault-rule.js';

/** What a rule is matched against: a resource request's attributes and its (effective) user. */
export interface FaultRequestAttributes {
  verb: string;
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  username: string;
}

/**
 * Whether a rule's match fields all accept the request. A field left out accepts anything; `resource`
 * follows RBAC (`pods` is not `pods/log`, `*` is everything, `*\/status` any status subresource).
 */
export function faultRuleMatches(spec: FaultSpec, request: FaultRequestAttributes): boolean {
  if (spec.verb !== undefined && spec.verb !== request.verb) return false;
  if (spec.group !== undefined && spec.group !== request.apiGroup) return false;
  if (spec.namespace !== undefined && spec.namespace !== request.namespace) return false;
  if (spec.name !== undefined && spec.name !== request.name) return false;
  if (spec.user !== undefined && spec.user !== request.username) return false;
  if (spec.resource !== undefined) {
    const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
    if (!resourceMatches({ verbs: [], resources: [spec.resource] }, combined, request.subresource))
      return false;
  }
  return true;
}
