import { DurationSyntaxError, parseGoDuration } from '../time/duration.js';
import { MESSAGE_STATUS_CODES, RETRY_AFTER_STATUS_CODES, STATUS_FAULT_CODES } from './fault-status.js';
import type { FaultRule } from './types.js';

/** The verbs a rule may name: the ones this server serves, and `*`. */
export const FAULT_VERBS: ReadonlySet<string> = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  '*',
]);

const RULE_FIELDS: readonly (keyof FaultRule)[] = [
  'id',
  'verb',
  'resource',
  'group',
  'namespace',
  'name',
  'user',
  'times',
  'after',
  'latency',
  'status',
  'message',
  'retryAfterSeconds',
  'reset',
  'watchError',
  'endWatchAfter',
];

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// `*`, `pods`, `pods/log`, `*/scale`: RBAC's resource forms. `pods/*` is not a wildcard there either.
const RESOURCE_PATTERN = /^(\*|[a-z0-9][a-z0-9.-]*)(\/[a-z0-9][a-z0-9.-]*)?$/;

/** What a rule does to a request it affects, besides an optional delay. */
export type FaultAction =
  | { type: 'status'; code: number; message?: string; retryAfterSeconds?: number }
  | { type: 'reset' }
  | { type: 'watchError' }
  | { type: 'endWatch'; afterEvents: number };

/** A validated rule: the fields to match, the counters' limits, and the action. */
export interface FaultSpec {
  /** The rule as given, without unset fields: what listings echo. */
  readonly rule: FaultRule;
  readonly id: string | undefined;
  /** The verb to match; `undefined` matches any. */
  readonly verb: string | undefined;
  readonly resource: string | undefined;
  readonly group: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly user: string | undefined;
  readonly times: number | undefined;
  readonly after: number;
  readonly latencyMs: number | undefined;
  /** `undefined` for a latency-only rule. */
  readonly action: FaultAction | undefined;
}

/** A rule that cannot be accepted; the message says which field and why. */
export class FaultRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultRuleError';
  }
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function optionalString(rule: Record<string, unknown>, field: keyof FaultRule, allowEmpty: boolean) {
  const value = rule[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new FaultRuleError(
      `${field} must be a ${allowEmpty ? '' : 'non-empty '}string, not ${describe(value)}`,
    );
  }
  return value;
}

function optionalInteger(rule: Record<string, unknown>, field: keyof FaultRule, minimum: number) {
  const value = rule[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new FaultRuleError(`${field} must be an integer of at least ${minimum}, not ${describe(value)}`);
  }
  return value;
}

function optionalBoolean(rule: Record<string, unknown>, field: keyof FaultRule) {
  const value = rule[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean')
    throw new FaultRuleError(`${field} must be true or false, not ${describe(value)}`);
  return value;
}

function latencyMilliseconds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new FaultRuleError(`latency must be milliseconds of at least 0, not ${describe(value)}`);
    }
    return value;
  }
  if (typeof value === 'string') {
    let nanoseconds: bigint;
    try {
      nanoseconds = parseGoDuration(value);
    } catch (error) {
      if (error instanceof DurationSyntaxError) {
        throw new FaultRuleError(`latency ${describe(value)} is not a Go duration (${error.message})`);
      }
      throw error;
    }
    if (nanoseconds < 0n) throw new FaultRuleError(`latency must not be negative, not ${describe(value)}`);
    return Number(nanoseconds) / 1e6;
  }
  throw new FaultRuleError(
    `latency must be milliseconds or a Go duration such as "1.5s", not ${describe(value)}`,
  );
}

function statusAction(rule: Record<string, unknown>): FaultAction | undefined {
  const code = rule.status;
  const message = optionalString(rule, 'message', false);
  const retryAfterSeconds = optionalInteger(rule, 'retryAfterSeconds', 0);
  if (code === undefined) {
    if (message !== undefined) throw new FaultRuleError('message needs a status');
    if (retryAfterSeconds !== undefined) throw new FaultRuleError('retryAfterSeconds needs a status');
    return undefined;
  }
  if (typeof code !== 'number' || !STATUS_FAULT_CODES.includes(code)) {
    throw new FaultRuleError(
      `status ${describe(code)} is not supported; use one of ${STATUS_FAULT_CODES.join(', ')}`,
    );
  }
  if (message !== undefined && !MESSAGE_STATUS_CODES.includes(code)) {
    throw new FaultRuleError(
      `message is not used with status ${code}: kube-apiserver derives that message from the request (message goes with ${MESSAGE_STATUS_CODES.join(', ')})`,
    );
  }
  if (retryAfterSeconds !== undefined && !RETRY_AFTER_STATUS_CODES.includes(code)) {
    throw new FaultRuleError(
      `retryAfterSeconds is not used with status ${code} (it goes with ${RETRY_AFTER_STATUS_CODES.join(', ')})`,
    );
  }
  return {
    type: 'status',
    code,
    ...(message !== undefined ? { message } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}

function chooseAction(rule: Record<string, unknown>, hasLatency: boolean): FaultAction | undefined {
  const candidates: FaultAction[] = [];
  const status = statusAction(rule);
  if (status) candidates.push(status);
  if (optionalBoolean(rule, 'reset')) candidates.push({ type: 'reset' });
  if (optionalBoolean(rule, 'watchError')) candidates.push({ type: 'watchError' });
  const endWatchAfter = optionalInteger(rule, 'endWatchAfter', 0);
  if (endWatchAfter !== undefined) candidates.push({ type: 'endWatch', afterEvents: endWatchAfter });
  if (candidates.length > 1) {
    throw new FaultRuleError(
      'a rule has one action: status, reset, watchError or endWatchAfter (latency may go with any)',
    );
  }
  if (candidates.length === 0 && !hasLatency) {
    throw new FaultRuleError(
      'the rule does nothing: give latency, status, reset, watchError or endWatchAfter',
    );
  }
  return candidates[0];
}

function resourceField(rule: Record<string, unknown>): string | undefined {
  const resource = optionalString(rule, 'resource', false);
  if (resource !== undefined && !RESOURCE_PATTERN.test(resource)) {
    throw new FaultRuleError(
      `resource ${describe(resource)} is not a plural resource: use e.g. "pods", "pods/log", "*" or "*/status"`,
    );
  }
  return resource;
}

function verbField(rule: Record<string, unknown>, action: FaultAction | undefined): string | undefined {
  const verb = optionalString(rule, 'verb', false);
  if (verb !== undefined && !FAULT_VERBS.has(verb)) {
    throw new FaultRuleError(`verb ${describe(verb)} is not one of ${[...FAULT_VERBS].join(', ')}`);
  }
  if (action?.type === 'watchError' || action?.type === 'endWatch') {
    const field = action.type === 'watchError' ? 'watchError' : 'endWatchAfter';
    if (verb !== undefined && verb !== 'watch' && verb !== '*') {
      throw new FaultRuleError(
        `${field} applies to watches: set verb to "watch" or leave it out, not ${describe(verb)}`,
      );
    }
    return 'watch';
  }
  return verb === '*' ? undefined : verb;
}

/**
 * Validates one rule as a test wrote it (from code, a YAML/JSON file or an HTTP body): unknown fields,
 * wrong types, unsupported codes and contradictory actions are refused with a `FaultRuleError`.
 */
export function parseFaultRule(value: unknown): FaultSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FaultRuleError(`a rule must be an object, not ${describe(value)}`);
  }
  const rule = value as Record<string, unknown>;
  for (const field of Object.keys(rule)) {
    if (!(RULE_FIELDS as readonly string[]).includes(field)) {
      throw new FaultRuleError(`unknown field ${describe(field)} (rule fields: ${RULE_FIELDS.join(', ')})`);
    }
  }
  const id = optionalString(rule, 'id', false);
  if (id !== undefined && !ID_PATTERN.test(id)) {
    throw new FaultRuleError(
      `id ${describe(id)} must be 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  const latencyMs = latencyMilliseconds(rule.latency);
  const action = chooseAction(rule, latencyMs !== undefined);
  const group = optionalString(rule, 'group', true);
  const cleaned = Object.fromEntries(
    RULE_FIELDS.filter((field) => rule[field] !== undefined).map((field) => [field, rule[field]]),
  ) as FaultRule;
  return {
    rule: cleaned,
    id,
    verb: verbField(rule, action),
    resource: resourceField(rule),
    group: group === '*' ? undefined : group,
    namespace: optionalString(rule, 'namespace', true),
    name: optionalString(rule, 'name', false),
    user: optionalString(rule, 'user', false),
    times: optionalInteger(rule, 'times', 1),
    after: optionalInteger(rule, 'after', 0) ?? 0,
    latencyMs,
    action,
  };
}

/**
 * Validates a list of rules; the error names the rule, counting from 1 (`rule 2: ...`). A single rule
 * object counts as a list of one when `allowSingle` is set (HTTP bodies).
 */
export function parseFaultRules(value: unknown, allowSingle = false): FaultSpec[] {
  if (!Array.isArray(value)) {
    if (allowSingle && value !== null && typeof value === 'object') return [parseFaultRule(value)];
    throw new FaultRuleError(`expected a list of rules, not ${describe(value)}`);
  }
  return value.map((item, index) => {
    try {
      return parseFaultRule(item);
    } catch (error) {
      if (error instanceof FaultRuleError) throw new FaultRuleError(`rule ${index + 1}: ${error.message}`);
      throw error;
    }
  });
}
