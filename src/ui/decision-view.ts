import type { AuthorizationDecisionRecord } from '../rbac/decision-types.js';
import { denialReason, describeBinding, explainDecision, resourceLabel } from '../rbac/explain.js';

/** One authorization decision as the web inspector's request list shows it (plain JSON, sent as an event). */
export interface InspectorDecision {
  seq: number;
  /** ISO 8601, by the server's clock. */
  time: string;
  user: string;
  groups: readonly string[];
  check: 'request' | 'impersonation';
  method: string;
  path: string;
  verb: string;
  /** `pods`, `pods/log`, `deployments.apps`; empty for a non-resource request (the path says it). */
  resource: string;
  namespace: string;
  name: string;
  allowed: boolean;
  /** In one line: the binding that allowed it, or what the closest rule lacked and the rule it needs. */
  reason: string;
  /** The decision in a few lines, as `server.explain(decision)` writes it. */
  explanation: string;
}

function reasonOf(record: AuthorizationDecisionRecord): string {
  const by = record.allowedBy;
  if (by?.kind === 'privilegedGroup') return `member of ${by.group}: allowed before RBAC is asked`;
  if (by) return `by ${describeBinding(by.binding, by.role)}`;
  if (record.denial) return denialReason(record, record.denial);
  return record.reason || (record.allowed ? 'allowed' : 'no RBAC rule allows it');
}

/** The inspector's view of a recorded decision. */
export function inspectorDecision(record: AuthorizationDecisionRecord): InspectorDecision {
  const a = record.attributes;
  return {
    seq: record.seq,
    time: record.time.toISOString(),
    user: record.user,
    groups: record.groups,
    check: record.check,
    method: record.method,
    path: record.path,
    verb: a.verb,
    resource: a.resourceRequest ? resourceLabel(a) : '',
    namespace: a.namespace,
    name: a.name,
    allowed: record.allowed,
    reason: reasonOf(record),
    explanation: explainDecision(record),
  };
}
