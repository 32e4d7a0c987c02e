/**
 * The Table printers of the apps/v1 kinds: the columns and cells of `printDeployment`, `printReplicaSet`,
 * `printStatefulSet`, `printDaemonSet` and `printControllerRevision`, which `kubectl get` prints verbatim.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/printers/internalversion/printers.go
 */
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../../store/label-selector.js';
import {
  ageColumn,
  ageOf,
  asNumber,
  asObj,
  asString,
  column,
  containerCells,
  formatLabels,
  nameColumn,
  type KindPrinter,
  type Obj,
} from './common.js';

const READY_DESCRIPTION = 'Number of the pod with ready state';
const containersColumn = column('Containers', 'Names of each container in the template.', 1);
const imagesColumn = column('Images', 'Images referenced by each container in the template.', 1);

/** `metav1.LabelSelectorAsSelector(...).String()`, `<invalid>` when it does not convert. */
function selectorCell(selector: unknown): string {
  try {
    return labelSelectorFromMetav1(
      selector === undefined || selector === null ? undefined : (selector as Metav1LabelSelector),
    ).toString();
  } catch {
    return '<invalid>';
  }
}

const deploymentPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column('Ready', READY_DESCRIPTION),
    column(
      'Up-to-date',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column(
      'Selector',
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
      1,
    ),
  ],
  cells(deployment, now) {
    const spec = asObj(deployment.spec);
    const status = asObj(deployment.status);
    return [
      asString(asObj(deployment.metadata).name),
      `${asNumber(status.readyReplicas)}/${asNumber(spec.replicas)}`,
      asNumber(status.updatedReplicas),
      asNumber(status.availableReplicas),
      ageOf(deployment, now),
      ...containerCells(spec.template),
      selectorCell(spec.selector),
    ];
  },
  emptyRows: [],
};

const replicaSetPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column(
      'Desired',
      'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset',
      0,
      'integer',
    ),
    column(
      'Current',
      'Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset',
      0,
      'integer',
    ),
    column(
      'Ready',
      'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.',
      0,
      'integer',
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column(
      'Selector',
      'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      1,
    ),
  ],
  cells(rs, now) {
    const spec = asObj(rs.spec);
    const status = asObj(rs.status);
    return [
      asString(asObj(rs.metadata).name),
      asNumber(spec.replicas),
      asNumber(status.replicas),
      asNumber(status.readyReplicas),
      ageOf(rs, now),
      ...containerCells(spec.template),
      selectorCell(spec.selector),
    ];
  },
  emptyRows: [],
};

const statefulSetPrinter: KindPrinter = {
  columns: [nameColumn, column('Ready', READY_DESCRIPTION), ageColumn, containersColumn, imagesColumn],
  cells(sts, now) {
    const spec = asObj(sts.spec);
    const status = asObj(sts.status);
    return [
      asString(asObj(sts.metadata).name),
      `${asNumber(status.readyReplicas)}/${asNumber(spec.replicas)}`,
      ageOf(sts, now),
      ...containerCells(spec.template),
    ];
  },
  emptyRows: [],
};

const daemonSetPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column(
      'Desired',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
      0,
      'integer',
    ),
    column(
      'Current',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
      0,
      'integer',
    ),
    column(
      'Ready',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
      0,
      'integer',
    ),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
    column(
      'Available',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      0,
      'integer',
    ),
    column(
      'Node Selector',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column(
      'Selector',
      'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      1,
    ),
  ],
  cells(ds, now) {
    const spec = asObj(ds.spec);
    const status = asObj(ds.status);
    return [
      asString(asObj(ds.metadata).name),
      asNumber(status.desiredNumberScheduled),
      asNumber(status.currentNumberScheduled),
      asNumber(status.numberReady),
      asNumber(status.updatedNumberScheduled),
      asNumber(status.numberAvailable),
      formatLabels(asObj(asObj(spec.template).spec).nodeSelector),
      ageOf(ds, now),
      ...containerCells(spec.template),
      selectorCell(spec.selector),
    ];
  },
  emptyRows: [],
};

/** `metav1.GetControllerOf` formatted as `formatResourceName` with kind: `daemonset.apps/web`. */
function controllerName(revision: Obj): string {
  const owners = asObj(revision.metadata).ownerReferences;
  const controller = Array.isArray(owners) ? owners.map(asObj).find((o) => o.controller === true) : undefined;
  if (!controller) return '<none>';
  const apiVersion = asString(controller.apiVersion);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = asString(controller.kind);
  const name = asString(controller.name);
  if (!kind && !group) return name;
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${name}`;
}

const controllerRevisionPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column('Controller', 'Controller of the object'),
    column('Revision', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells: (revision, now) => [
    asString(asObj(revision.metadata).name),
    controllerName(revision),
    asNumber(revision.revision),
    ageOf(revision, now),
  ],
  emptyRows: [],
};

/** The apps/v1 printers, by kind. */
export const workloadPrinters: Readonly<Record<string, KindPrinter>> = {
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  StatefulSet: statefulSetPrinter,
  DaemonSet: daemonSetPrinter,
  ControllerRevision: controllerRevisionPrinter,
};
