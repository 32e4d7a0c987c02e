import { controllerWriter, type ControllerWriter } from '../api/write-path.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import type { ServerContext } from '../server/server-context.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import { ClockTimers, type ForegroundLoad } from './clock-timers.js';
import type { ClusterComponent, ClusterComponentName, ClusterContext } from './cluster-context.js';
import { enabledControllers } from './controllers-flag.js';
import { eventRecorder } from './event-recorder.js';

/** What turns the parts of the simulated cluster on and off. */
export interface ClusterOptions {
  /** kube-controller-manager's `--controllers` list (`['*']`, `['*', '-deployment']`, `[]` for none). */
  controllers: readonly string[];
  /** Whether the scheduler binds pending pods. */
  scheduler: boolean;
  /** Whether the kubelet runs bound pods. */
  kubelet: boolean;
}

/** A running simulated cluster. */
export interface RunningCluster {
  /** The names of the parts that run. */
  readonly running: readonly string[];
  stop(): void;
}

/**
 * Starts the parts of the cluster that act behind the API: the enabled controllers, the scheduler and the
 * kubelet, each writing through the API's write path under its own field manager.
 */
export function startCluster(
  deps: {
    store: ObjectStore;
    registry: KindRegistry;
    clock: Clock;
    onCreated: ServerContext['onCreated'];
    caCert: string;
    log(message: string): void;
    /** The API's load, which the cluster gives way to (see `ClockTimers`). */
    load?: ForegroundLoad;
  },
  components: readonly ClusterComponent[],
  options: ClusterOptions,
  offByDefault: readonly string[] = [],
): RunningCluster {
  const controllerNames = components
    .map((component) => component.name)
    .filter((name) => name !== 'scheduler' && name !== 'kubelet');
  const enabled = enabledControllers(options.controllers, controllerNames, offByDefault);
  if (options.scheduler) enabled.add('scheduler');
  if (options.kubelet) enabled.add('kubelet');
  const timers = new ClockTimers(deps.clock, deps.load ? { load: deps.load } : {});
  const writerFor = (manager: ClusterComponentName): ControllerWriter =>
    controllerWriter({ store: deps.store, clock: deps.clock, onCreated: deps.onCreated }, manager);
  const writers: Record<ClusterComponentName, ControllerWriter> = {
    'kube-controller-manager': writerFor('kube-controller-manager'),
    'kube-scheduler': writerFor('kube-scheduler'),
    kubelet: writerFor('kubelet'),
  };
  const context: ClusterContext = {
    store: deps.store,
    registry: deps.registry,
    clock: deps.clock,
    timers,
    caCert: deps.caCert,
    writers,
    recordEvent: eventRecorder(
      (component) =>
        component === 'kubelet'
          ? writers.kubelet
          : component === 'default-scheduler'
            ? writers['kube-scheduler']
            : writers['kube-controller-manager'],
      deps.registry,
      deps.clock,
      deps.log,
    ),
    log: deps.log,
  };
  const running = components.filter((component) => enabled.has(component.name));
  const stops = running.map((component) => component.start(context));
  return {
    running: running.map((component) => component.name),
    stop() {
      timers.stop();
      for (const stop of stops.reverse()) stop();
    },
  };
}
