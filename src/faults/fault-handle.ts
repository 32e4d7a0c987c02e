import { FakeApiServerError } from '../errors/developer-error.js';
import type { FaultInjector, HeldFaultRule } from './fault-injector.js';
import { FaultRuleError, parseFaultRule, parseFaultRules } from './parse-fault-rule.js';
import type { FaultHandle, FaultRule, InjectedFault } from './types.js';

/** The fault methods of `StartedFakeApiServer`. */
export interface FaultHandleMethods {
  injectFault(rule: FaultRule): FaultHandle;
  clearFaults(): InjectedFault[];
  faults(): InjectedFault[];
}

function developerError(where: string, error: unknown): unknown {
  if (!(error instanceof FaultRuleError)) return error;
  return new FakeApiServerError(
    'INVALID_FAULT_RULE',
    `${where}: ${error.message}`,
    'see "Injecting faults" in the README for the rule fields',
  );
}

/**
 * Adds rules given in code (the `faults` option), all or none; a bad rule is a `FakeApiServerError` naming
 * it: `faults option, rule 2: unknown field "stauts" ...`.
 */
export function addFaultRules(injector: FaultInjector, rules: readonly FaultRule[], where: string): void {
  try {
    injector.add(parseFaultRules(rules));
  } catch (error) {
    throw developerError(where, error);
  }
}

/** Builds `injectFault`, `clearFaults` and `faults` over one server's injector. */
export function faultHandleMethods(injector: FaultInjector): FaultHandleMethods {
  return {
    injectFault(rule) {
      let held: HeldFaultRule;
      try {
        [held] = injector.add([parseFaultRule(rule)]) as [HeldFaultRule];
      } catch (error) {
        throw developerError('fault rule', error);
      }
      // The counters live on the held rule: after remove() or clearFaults() they keep their last values.
      return {
        id: held.id,
        get hits() {
          return held.hits;
        },
        get matches() {
          return held.matches;
        },
        get spent() {
          return held.spent;
        },
        remove: () => injector.remove(held) !== undefined,
      };
    },
    clearFaults: () => injector.clear(),
    faults: () => injector.list(),
  };
}
