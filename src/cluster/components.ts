import type { ClusterComponent } from './cluster-context.js';
import { endpointSliceController } from './endpointslice-controller.js';
import { endpointsController } from './endpoints-controller.js';
import { kubelet } from './kubelet.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { taintEvictionController } from './taint-eviction.js';
import { scheduler } from './scheduler.js';

/**
 * Every part of the simulated cluster, by the name `--controllers` knows it. A controller of
 * kube-controller-manager is added here; `scheduler` and `kubelet` are turned off by their own options.
 */
export const clusterComponents: readonly ClusterComponent[] = [
  endpointsController,
  endpointSliceController,
  nodeLifecycleController,
  taintEvictionController,
  scheduler,
  kubelet,
];

/** Controllers kube-controller-manager knows but does not run unless named (`bootstrap-signer`, ...). */
export const controllersOffByDefault: readonly string[] = [];
