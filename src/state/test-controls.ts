import type { ControlApi } from '../control/control-api.js';
import { registerMountEndpoints } from '../sa-dir/control-endpoints.js';
import type { ServiceAccountMounts } from '../sa-dir/mounts.js';
import { ClockControl, registerClockEndpoint, type ClockFollowers } from '../server/clock-control.js';
import type { ServerContext } from '../server/server-context.js';
import type { StartedFakeApiServer } from '../types.js';
import { registerStateEndpoints } from './control-endpoints.js';
import { StateControl } from './state-control.js';

/** The handle's methods for state and time. */
export type StateAndClockMethods = Pick<
  StartedFakeApiServer,
  'apply' | 'get' | 'list' | 'delete' | 'snapshot' | 'restore' | 'reset' | 'advanceClock' | 'setClock'
>;

/** State and clock control of one server, wired to its control API. */
export interface TestControls {
  readonly state: StateControl;
  readonly clock: ClockControl;
  /** The methods to spread into the started handle. */
  readonly handleMethods: StateAndClockMethods;
  /** Takes the snapshot `reset()` returns to; call once start-up is complete. */
  captureStartup(): void;
  /** Stops following the clock. */
  stop(): void;
}

/**
 * Builds the state and clock controls of a server and registers their endpoints under
 * `/fake-apiserver/v1/` (`reset`, `snapshots`, `snapshots/NAME/restore`, `clock`, `mounts`), so that
 * tests without the handle (vitest workers, other languages) can do the same.
 */
export function createTestControls(
  server: ServerContext & { control: ControlApi },
  mounts: ServiceAccountMounts,
  runs?: ClockFollowers,
): TestControls {
  const state = new StateControl(server);
  const followers: ClockFollowers = {
    refreshDue: async () => {
      await Promise.all([mounts.refreshDue(), runs?.refreshDue()]);
    },
  };
  const clock = new ClockControl(server.clock, followers);
  registerStateEndpoints(server.control, state);
  registerClockEndpoint(server.control, clock);
  registerMountEndpoints(server.control, mounts);
  return {
    state,
    clock,
    handleMethods: {
      apply: (manifests) => state.apply(manifests),
      get: (reference) => state.get(reference),
      list: (query) => state.list(query),
      delete: (reference) => state.delete(reference),
      snapshot: () => state.snapshot(),
      restore: async (snapshot) => {
        state.restore(snapshot);
      },
      reset: async () => {
        state.reset();
      },
      advanceClock: (duration) => clock.advance(duration),
      setClock: (time) => clock.set(time),
    },
    captureStartup: () => state.captureStartup(),
    stop: () => clock.stop(),
  };
}
