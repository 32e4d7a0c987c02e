import { rbacKinds } from '../registry/built-in-kinds.js';
import type { Clock } from '../time/clock.js';
import type { ObjectStore } from '../store/object-store.js';
import { PRIVILEGED_GROUPS, type BindingObject, type RbacDecision, type SourcedRule } from './authorizer.js';
import type {
  AuthorizationAllowedBy,
  AuthorizationDecisionFilter,
  AuthorizationDecisionRecord,
  AuthorizationDenial,
  AuthorizationRequestAttributes,
} from './decision-types.js';
import { analyzeDenial, copyRule, denialLine, type ExplainSource } from './explain.js';
import { rbacSourceFromStore } from './store-source.js';
import type { AuthorizationAttributes } from './types.js';

/** How many decisions are kept for `authorizationDecisions` (the report counts every request regardless). */
export const DECISION_LIMIT = 10_000;

/** One distinct request a user made, as the least-privilege report needs it. */
export interface RecordedRequest {
  attributes: AuthorizationRequestAttributes;
  /** The user's groups the first time (they decide what the default roles grant). */
  groups: readonly string[];
  count: number;
  denied: number;
}

/**
 * What one or more identical decisions share: the same request by the same user with the same groups, the
 * same verdict for the same reason. A denial has its own, since its analysis is of its moment.
 */
interface Outcome {
  request: RequestEntry;
  user: string;
  groups: readonly string[];
  check: 'request' | 'impersonation';
  method: string;
  path: string;
  allowed: boolean;
  reason: string;
  allowedBy: SourcedRule | undefined;
  denial: AuthorizationDenial | undefined;
}

interface RequestEntry extends RecordedRequest {
  last: Outcome | undefined;
}

// username → path → verb → name → request. A path names everything else a request is authorized on; the
// attributes of an impersonation check, which have no path, stand in for it.
type UsageTree = Map<string, Map<string, Map<string, Map<string, RequestEntry>>>>;

const roleBindingKind = rbacKinds.find((k) => k.kind === 'RoleBinding')!;

function publicAttributes(a: AuthorizationAttributes): AuthorizationRequestAttributes {
  return {
    verb: a.verb,
    resourceRequest: a.isResourceRequest,
    namespace: a.namespace,
    apiGroup: a.apiGroup,
    apiVersion: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    name: a.name,
    path: a.path,
  };
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function allowedBy(outcome: Outcome): AuthorizationAllowedBy | undefined {
  if (!outcome.allowed) return undefined;
  const by = outcome.allowedBy;
  if (!by) {
    const group = outcome.groups.find((g) => (PRIVILEGED_GROUPS as readonly string[]).includes(g));
    return { kind: 'privilegedGroup', group: group ?? PRIVILEGED_GROUPS[0] };
  }
  const name = by.binding.metadata?.name ?? '';
  const ref = by.binding.roleRef;
  return {
    kind: 'rbac',
    binding: by.bindingNamespace
      ? { kind: 'RoleBinding', name, namespace: by.bindingNamespace }
      : { kind: 'ClusterRoleBinding', name },
    role:
      ref.kind === 'Role'
        ? { kind: 'Role', name: ref.name, namespace: by.bindingNamespace }
        : { kind: ref.kind, name: ref.name },
    subject: { ...by.subject },
    rule: copyRule(by.rule),
  };
}

function toRecord(outcome: Outcome, seq: number, time: number): AuthorizationDecisionRecord {
  const by = allowedBy(outcome);
  return Object.freeze({
    seq,
    time: new Date(time),
    user: outcome.user,
    groups: outcome.groups,
    check: outcome.check,
    method: outcome.method,
    path: outcome.path,
    attributes: outcome.request.attributes,
    allowed: outcome.allowed,
    reason: outcome.reason,
    ...(by ? { allowedBy: by } : {}),
    ...(outcome.denial ? { denial: outcome.denial } : {}),
  });
}

/**
 * Records every authorization decision of one server. An allow costs a clock read, a few map lookups and
 * three array writes: decisions live in a ring of the last `limit`, as references to outcomes shared by
 * identical decisions, so nothing per request outlives it. A denial is also analysed (closest rules) and
 * logged on the spot, against the RBAC objects of that moment. Public records are built when asked for.
 */
export class AuthorizationRecorder {
  readonly #clock: Clock;
  readonly #log: (message: string) => void;
  readonly #source: ExplainSource;
  readonly #limit: number;
  readonly #times: Float64Array;
  readonly #outcomes: (Outcome | undefined)[];
  readonly #views: (AuthorizationDecisionRecord | undefined)[];
  #seq = 0;
  /** Decisions up to this `seq` were cleared; numbering goes on, so `after` filters stay valid. */
  #clearedThrough = 0;
  readonly #usage: UsageTree = new Map();
  readonly #listeners = new Set<(record: AuthorizationDecisionRecord) => void>();

  constructor(options: { store: ObjectStore; clock: Clock; log: (message: string) => void; limit?: number }) {
    this.#clock = options.clock;
    this.#log = options.log;
    this.#limit = Math.max(1, options.limit ?? DECISION_LIMIT);
    this.#times = new Float64Array(this.#limit);
    this.#outcomes = new Array<Outcome | undefined>(this.#limit).fill(undefined);
    this.#views = new Array<AuthorizationDecisionRecord | undefined>(this.#limit).fill(undefined);
    const { store } = options;
    this.#source = {
      ...rbacSourceFromStore({ store }),
      allRoleBindings: () => store.list({ kind: roleBindingKind }).items as unknown as BindingObject[],
    };
  }

  #entry(attributes: AuthorizationAttributes): RequestEntry {
    const { user, verb, name } = attributes;
    const path =
      attributes.path ||
      `\0${attributes.apiGroup}/${attributes.resource}/${attributes.subresource}/${attributes.namespace}`;
    let paths = this.#usage.get(user.username);
    if (!paths) this.#usage.set(user.username, (paths = new Map()));
    let verbs = paths.get(path);
    if (!verbs) paths.set(path, (verbs = new Map()));
    let names = verbs.get(verb);
    if (!names) verbs.set(verb, (names = new Map()));
    let entry = names.get(name);
    if (!entry) {
      entry = {
        attributes: publicAttributes(attributes),
        groups: user.groups,
        count: 0,
        denied: 0,
        last: undefined,
      };
      names.set(name, entry);
    }
    return entry;
  }

  /** Records one decision; logs it when it is a denial. `path` is the request's, for impersonation checks. */
  record(
    check: 'request' | 'impersonation',
    method: string,
    attributes: AuthorizationAttributes,
    decision: RbacDecision,
    path = attributes.path,
  ): void {
    const seq = ++this.#seq;
    const slot = (seq - 1) % this.#limit;
    this.#times[slot] = this.#clock.now().getTime();
    const entry = this.#entry(attributes);
    entry.count++;
    const { user } = attributes;
    let outcome = entry.last;
    if (
      !decision.allowed ||
      !outcome?.allowed ||
      outcome.reason !== decision.reason ||
      outcome.method !== method ||
      outcome.check !== check ||
      outcome.path !== path ||
      !sameGroups(outcome.groups, user.groups)
    ) {
      outcome = {
        request: entry,
        user: user.username,
        groups: user.groups,
        check,
        method,
        path,
        allowed: decision.allowed,
        reason: decision.reason,
        allowedBy: decision.allowedBy,
        denial: undefined,
      };
      entry.last = outcome;
    }
    this.#outcomes[slot] = outcome;
    this.#views[slot] = undefined;
    if (!decision.allowed) {
      entry.denied++;
      outcome.denial = analyzeDenial(this.#source, user, entry.attributes);
      this.#log(denialLine(this.#view(seq)));
    }
    if (this.#listeners.size > 0) this.#notify(this.#view(seq));
  }

  #notify(record: AuthorizationDecisionRecord): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(record);
      } catch (error) {
        // A listener's failure must not fail the request being authorized.
        this.#log(`authorization listener failed: ${String(error)}`);
      }
    }
  }

  /**
   * Calls `listener` with every decision recorded from now on, once analysed (a denial with its `denial`).
   * Returns the function that stops it. Without listeners, recording builds no public record.
   */
  subscribe(listener: (record: AuthorizationDecisionRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #view(seq: number): AuthorizationDecisionRecord {
    const slot = (seq - 1) % this.#limit;
    return (this.#views[slot] ??= toRecord(this.#outcomes[slot]!, seq, this.#times[slot]!));
  }

  /** The kept decisions (the last `limit`) that pass the filter, oldest first. */
  decisions(filter: AuthorizationDecisionFilter = {}): AuthorizationDecisionRecord[] {
    const { user, allowed, check, after } = filter;
    const result: AuthorizationDecisionRecord[] = [];
    const first = Math.max(this.#seq - this.#limit + 1, (after ?? 0) + 1, this.#clearedThrough + 1, 1);
    for (let seq = first; seq <= this.#seq; seq++) {
      const outcome = this.#outcomes[(seq - 1) % this.#limit]!;
      if (user !== undefined && outcome.user !== user) continue;
      if (allowed !== undefined && outcome.allowed !== allowed) continue;
      if (check !== undefined && outcome.check !== check) continue;
      result.push(this.#view(seq));
    }
    return result;
  }

  /**
   * Forgets the decisions recorded so far (`decisions()` starts empty; `seq` numbers go on). What the RBAC
   * report is built from, every request since start, is kept: it covers a whole test run.
   */
  clear(): void {
    this.#clearedThrough = this.#seq;
  }

  /** Every distinct request the user made (allowed or denied), since the server started. */
  requestsOf(username: string): RecordedRequest[] {
    const requests: RecordedRequest[] = [];
    for (const verbs of this.#usage.get(username)?.values() ?? []) {
      for (const names of verbs.values()) {
        for (const { attributes, groups, count, denied } of names.values()) {
          requests.push({ attributes, groups, count, denied });
        }
      }
    }
    return requests;
  }

  /** Every user that made a request. */
  users(): string[] {
    return [...this.#usage.keys()];
  }
}
