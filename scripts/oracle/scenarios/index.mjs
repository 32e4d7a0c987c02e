// Every scenario of a run, in order.
import { authScenarios } from './auth.mjs';
import { discoveryScenarios } from './discovery.mjs';
import { protocolScenarios } from './protocol.mjs';
import { verbScenarios } from './verbs.mjs';

/** All scenarios. */
export function allScenarios() {
  return [...discoveryScenarios(), ...authScenarios(), ...protocolScenarios(), ...verbScenarios()];
}
