import { rootCaCertPublisher, serviceAccountController } from './namespace-defaults-controllers.js';
import type { ClusterComponent } from './cluster-context.js';
import { deploymentController } from './workloads/deployment-controller.js';
import { jobController } from './workloads/job-controller.js';
import { ttlAfterFinishedController } from './workloads/ttl-after-finished-controller.js';
import { cronJobController } from './workloads/cronjob-controller.js';
import { daemonSetController } from './workloads/daemonset-controller.js';
import { statefulSetController } from './workloads/statefulset-controller.js';
import { replicaSetController, replicationControllerController } from './workloads/replica-set-controller.js';
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
  serviceAccountController,
  rootCaCertPublisher,
  deploymentController,
  replicaSetController,
  replicationControllerController,
  statefulSetController,
  daemonSetController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  endpointsController,
  endpointSliceController,
  nodeLifecycleController,
  taintEvictionController,
  scheduler,
  kubelet,
];

/** Controllers kube-controller-manager knows but does not run unless named (`bootstrap-signer`, ...). */
export const controllersOffByDefault: readonly string[] = [];
