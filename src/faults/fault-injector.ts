import { faultRuleMatches, type FaultRequestAttributes } from './fault-matching.js';
import { FaultRuleError, type FaultSpec } from './parse-fault-rule.js';
import type { InjectedFault } from './types.js';

/** A rule the injector holds (or held), with its live counters. */
export class HeldFaultRule {
  matches = 0;
  hits = 0;

  constructor(
    readonly id: string,
    readonly spec: FaultSpec,
  ) {}

  /** Whether `times` is used up. */
  get spent(): boolean {
    return this.spec.times !== undefined && this.hits >= this.spec.times;
  }

  /** The rule as given, with its id and counters. */
  snapshot(): InjectedFault {
    return { id: this.id, ...this.spec.rule, hits: this.hits, matches: this.matches, spent: this.spent };
  }
}

/** A rule id that is already taken. */
export class DuplicateFaultRuleError extends FaultRuleError {}

/**
 * The fault rules of one server, in the order they were added, with their counters. For each request
 * every unspent matching rule counts a match; the first one past its `after` takes the request and
 * counts a hit, and the rules after it do not see the request.
 */
export class FaultInjector {
  #rules: HeldFaultRule[] = [];
  #nextId = 1;

  /** Whether any rule is held (spent ones too): the pipeline's only cost when this is false. */
  get hasRules(): boolean {
    return this.#rules.length > 0;
  }

  /**
   * Adds validated rules, all or none: an id given twice, or already held, throws
   * `DuplicateFaultRuleError`. Ids left out are generated (`fault-N`).
   */
  add(specs: readonly FaultSpec[]): HeldFaultRule[] {
    const taken = new Set(this.#rules.map((rule) => rule.id));
    for (const spec of specs) {
      if (spec.id === undefined) continue;
      if (taken.has(spec.id)) throw new DuplicateFaultRuleError(`fault rule "${spec.id}" already exists`);
      taken.add(spec.id);
    }
    const added = specs.map((spec) => {
      let id = spec.id;
      if (id === undefined) {
        do id = `fault-${this.#nextId++}`;
        while (taken.has(id));
        taken.add(id);
      }
      return new HeldFaultRule(id, spec);
    });
    this.#rules = [...this.#rules, ...added];
    return added;
  }

  /** Takes one rule out, by id or as returned by `add`; `undefined` when it is not held. */
  remove(which: string | HeldFaultRule): InjectedFault | undefined {
    const rule = this.#rules.find((candidate) => candidate === which || candidate.id === which);
    if (!rule) return undefined;
    this.#rules = this.#rules.filter((candidate) => candidate !== rule);
    return rule.snapshot();
  }

  /** Takes every rule out and returns them as they were. */
  clear(): InjectedFault[] {
    const removed = this.#rules.map((rule) => rule.snapshot());
    this.#rules = [];
    return removed;
  }

  /** One rule with its counters, or `undefined`. */
  get(id: string): InjectedFault | undefined {
    const rule = this.#rules.find((candidate) => candidate.id === id);
    return rule?.snapshot();
  }

  /** Every rule held, spent ones included, with its counters. */
  list(): InjectedFault[] {
    return this.#rules.map((rule) => rule.snapshot());
  }

  /** Counts the request against the rules and returns the rule that takes it, if any. */
  decide(request: FaultRequestAttributes): HeldFaultRule | undefined {
    for (const rule of this.#rules) {
      if (rule.spent || !faultRuleMatches(rule.spec, request)) continue;
      rule.matches++;
      if (rule.matches <= rule.spec.after) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }
}
