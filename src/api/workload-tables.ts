/**
 * The Table printers of the apps/v1 kinds: the columns and cells of `printDeployment`, `printReplicaSet`,
 * `printStatefulSet`, `printDaemonSet` and `printControllerRevision`, which `kubectl get` prints verbatim.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/printers/internalversion/printers.go
 */
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../store/label-selector.js';
import { humanDuration, type TableColumn } from './table.js';

type Obj = Record<string, unknown>;

/** A printer as the Table conversion uses it: columns, and the cells of one object. */
export interface WorkloadPrinter {
  columns: readonly TableColumn[];
  cells: (obj: Obj, now: Date) => unknown[];
  emptyRows: [];
}

// Swagger descriptions, from the generated types_swagger_doc_generated.go files (k8s.io/api).
const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may ' +
  'allow a client to request the generation of an appropriate name automatically. Name is primarily intended ' +
  'for creation idempotence and configuration definition. Cannot be updated. More info: ' +
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not ' +
  'guaranteed to be set in happens-before order across separate operations. Clients may not set this value. ' +
  'It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. ' +
  'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const READY_DESCRIPTION = 'Number of the pod with ready state';
const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';
const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

const column = (name: string, type: string, description: string, priority = 0, format = ''): TableColumn => ({
  name,
  type,
  format,
  description,
  priority,
});

const nameColumn = column('Name', 'string', NAME_DESCRIPTION, 0, 'name');
const ageColumn = column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);
const containersColumn = column('Containers', 'string', CONTAINERS_DESCRIPTION, 1);
const imagesColumn = column('Images', 'string', IMAGES_DESCRIPTION, 1);

const asObj = (value: unknown): Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
const asNumber = (value: unknown): number => (typeof value === 'number' ? value : 0);
const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

function age(obj: Obj, now: Date): string {
  const created = Date.parse(asString(asObj(obj.metadata).creationTimestamp));
  return Number.isNaN(created) ? '<unknown>' : humanDuration(now.getTime() - created);
}

/** `layoutContainerCells`: names and images, comma-joined. */
function containerCells(spec: Obj): [string, string] {
  const podSpec = asObj(asObj(spec.template).spec);
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers.map(asObj) : [];
  return [
    containers.map((c) => asString(c.name)).join(','),
    containers.map((c) => asString(c.image)).join(','),
  ];
}

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

/** `labels.FormatLabels`: `k=v` pairs sorted by key, `<none>` for none. */
function formatLabels(map: unknown): string {
  const entries = Object.entries(asObj(map)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

const deploymentPrinter: WorkloadPrinter = {
  columns: [
    nameColumn,
    column('Ready', 'string', READY_DESCRIPTION),
    column(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column(
      'Selector',
      'string',
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
      age(deployment, now),
      ...containerCells(spec),
      selectorCell(spec.selector),
    ];
  },
  emptyRows: [],
};

const replicaSetPrinter: WorkloadPrinter = {
  columns: [
    nameColumn,
    column(
      'Desired',
      'integer',
      'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset',
    ),
    column(
      'Current',
      'integer',
      'Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset',
    ),
    column(
      'Ready',
      'integer',
      'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.',
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column(
      'Selector',
      'string',
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
      age(rs, now),
      ...containerCells(spec),
      selectorCell(spec.selector),
    ];
  },
  emptyRows: [],
};

const statefulSetPrinter: WorkloadPrinter = {
  columns: [
    nameColumn,
    column('Ready', 'string', READY_DESCRIPTION),
    ageColumn,
    containersColumn,
    imagesColumn,
  ],
  cells(sts, now) {
    const spec = asObj(sts.spec);
    const status = asObj(sts.status);
    return [
      asString(asObj(sts.metadata).name),
      `${asNumber(status.readyReplicas)}/${asNumber(spec.replicas)}`,
      age(sts, now),
      ...containerCells(spec),
    ];
  },
  emptyRows: [],
};

const daemonSetPrinter: WorkloadPrinter = {
  columns: [
    nameColumn,
    column(
      'Desired',
      'integer',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
    ),
    column(
      'Current',
      'integer',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
    ),
    column(
      'Ready',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    ),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    column(
      'Node Selector',
      'string',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column(
      'Selector',
      'string',
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
      age(ds, now),
      ...containerCells(spec),
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

const controllerRevisionPrinter: WorkloadPrinter = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells: (revision, now) => [
    asString(asObj(revision.metadata).name),
    controllerName(revision),
    asNumber(revision.revision),
    age(revision, now),
  ],
  emptyRows: [],
};

/** The apps/v1 printers, by kind. */
export const workloadPrinters: Readonly<Record<string, WorkloadPrinter>> = {
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  StatefulSet: statefulSetPrinter,
  DaemonSet: daemonSetPrinter,
  ControllerRevision: controllerRevisionPrinter,
};
