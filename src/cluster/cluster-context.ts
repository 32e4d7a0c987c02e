import type { ControllerWriter } from '../api/write-path.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import type { ClockTimers } from './clock-timers.js';

/** The component of a cluster an event or a write comes from, as its field manager and event source. */
export type ClusterComponentName = 'kube-controller-manager' | 'kube-scheduler' | 'kubelet';

/**
 * What the parts of the simulated cluster (nodes, scheduler, kubelet, kube-controller-manager's controllers)
 * share: they read the store (`get`, `list`, `scan`, `subscribe`) and write only through the API's write path
 * (`writers`), so that every write is defaulted, validated, versioned, watched and in managedFields as on a
 * cluster; time-based behaviour uses `timers`, which follow the server's clock (a fake clock moves them).
 */
export interface ClusterContext {
  store: ObjectStore;
  registry: KindRegistry;
  clock: Clock;
  timers: ClockTimers;
  /** The cluster CA's certificate (PEM), which the root-ca-cert-publisher puts in every namespace. */
  caCert: string;
  /** The write path bound to each component's field manager. */
  writers: Record<ClusterComponentName, ControllerWriter>;
  /** Records a core/v1 Event about an object, as the component's event recorder does. */
  recordEvent(event: ClusterEvent): void;
  log(message: string): void;
}

/** An Event as `record.EventRecorder.Event(object, type, reason, message)` makes it. */
export interface ClusterEvent {
  involvedObject: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `source.component`: `deployment-controller`, `default-scheduler`, `kubelet`, ... */
  component: string;
  /** `source.host`, for the kubelet's events. */
  host?: string;
}

/**
 * One part of the simulated cluster: a controller of kube-controller-manager (named as in its `--controllers`
 * flag: `deployment`, `replicaset`, `job`, ...), the scheduler or the kubelet.
 */
export interface ClusterComponent {
  /** The name `--controllers` turns it on and off by (`deployment`), or `scheduler` / `kubelet`. */
  readonly name: string;
  /** Starts reacting to the store; returns the function that stops it. */
  start(context: ClusterContext): () => void;
}
