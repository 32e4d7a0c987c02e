/**
 * Server-side Table conversion (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the column
 * definitions and cells kube-apiserver's printers produce, which kubectl prints verbatim.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/rest/table.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
 */

import type { ResourceKind } from '../registry/resource-kind.js';
import { workloadPrinters } from './tables/workload-tables.js';
import { CREATION_TIMESTAMP_DESCRIPTION, NAME_DESCRIPTION } from './tables/descriptions.js';
import { kindPrinters } from './tables/index.js';
import { humanDuration } from './tables/human-duration.js';

export { humanDuration };

/**
 * A `metav1.TableColumnDefinition`; every field is always serialized.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
 */
export interface TableColumn {
  name: string;
  /** An OpenAPI type: `string`, `integer`, `number`, `boolean` or `date`. */
  type: string;
  /** An OpenAPI format modifier; `name` marks the object's name column. */
  format: string;
  description: string;
  /** 0 for default columns; kubectl shows the others only with `-o wide`. */
  priority: number;
}

/**
 * A `metav1.TableRowCondition`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
 */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/**
 * A `metav1.TableRow`. `object` is `null` for `includeObject=None`, as `RawExtension` marshals a nil object.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
 */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: Record<string, unknown> | null;
}

/**
 * A `meta.k8s.io/v1` `Table`. `columnDefinitions` is `null` when headers are suppressed (watch events after
 * the first); `rows` is `null` for an empty list through the default convertor, which never allocates it.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
 */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[] | null;
  rows: TableRow[] | null;
}

type Obj = Record<string, unknown>;

const column = (name: string, type: string, description: string, priority = 0, format = ''): TableColumn => ({
  name,
  type,
  format,
  description,
  priority,
});
const nameColumn = column('Name', 'string', NAME_DESCRIPTION, 0, 'name');
const ageColumn = column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);

/**
 * The pod columns, `podColumnDefinitions` in `AddHandlers`. The server always sends all of them
 * (`printers/storage` generates with `Wide: true`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 */
export const podTableColumns: readonly TableColumn[] = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageColumn,
  column(
    'IP',
    'string',
    'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    1,
  ),
  column(
    'Node',
    'string',
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling ' +
      'by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes ' +
      'responsible for the lifecycle of this pod. This field should not be used to express a desire for the ' +
      'pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
    1,
  ),
  column(
    'Nominated Node',
    'string',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled ' +
      'right away as preemption victims receive their graceful termination periods. This field does not ' +
      'guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere ' +
      'if other nodes become available sooner. Scheduler may also decide to give the resources on this node to ' +
      'a higher priority pod that is created after preemption. As a result, this field may be different than ' +
      'PodSpec.nodeName when the pod is scheduled.',
    1,
  ),
  column(
    'Readiness Gates',
    'string',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its ' +
      'containers are ready AND all conditions specified in the readiness gates have status equal to "True" ' +
      'More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    1,
  ),
];

/**
 * The columns of the default convertor, for resources without a printer.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/rest/table.go
 */
export const defaultTableColumns: readonly TableColumn[] = [
  nameColumn,
  column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION),
];

const namespaceColumns: readonly TableColumn[] = [
  nameColumn,
  column('Status', 'string', 'The status of the namespace'),
  ageColumn,
];

const serviceAccountColumns: readonly TableColumn[] = [
  nameColumn,
  column(
    'Secrets',
    'string',
    'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are ' +
      'allowed to use. Pods are only limited to this list if this service account has a ' +
      '"kubernetes.io/enforce-mountable-secrets" annotation set to "true". The ' +
      '"kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate ' +
      'namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated ' +
      'service account token secrets for use outside of pods. Instead, tokens can be requested directly using ' +
      'the TokenRequest API, or service account token secrets can be manually created. More info: ' +
      'https://kubernetes.io/docs/concepts/configuration/secret',
  ),
  ageColumn,
];

const configMapColumns: readonly TableColumn[] = [
  nameColumn,
  column(
    'Data',
    'string',
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. " +
      'Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not ' +
      'overlap with the keys in the BinaryData field, this is enforced during validation process.',
  ),
  ageColumn,
];

const secretColumns: readonly TableColumn[] = [
  nameColumn,
  column(
    'Type',
    'string',
    'Used to facilitate programmatic handling of secret data. More info: ' +
      'https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  ),
  column(
    'Data',
    'string',
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The " +
      'serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly ' +
      'non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4',
  ),
  ageColumn,
];

/**
 * `leaseColumnDefinitions`: the holder is `spec.holderIdentity`, empty when none.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 */
const leaseColumns: readonly TableColumn[] = [
  nameColumn,
  column(
    'Holder',
    'string',
    'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is ' +
      'used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
  ),
  ageColumn,
];

const bindingColumns = (
  kind: 'roleBinding' | 'clusterRoleBinding',
  roleRefDescription: string,
): TableColumn[] => [
  nameColumn,
  column('Role', 'string', roleRefDescription),
  ageColumn,
  column('Users', 'string', `Users in the ${kind}`, 1),
  column('Groups', 'string', `Groups in the ${kind}`, 1),
  column('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, 1),
];
const roleBindingColumns = bindingColumns(
  'roleBinding',
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the ' +
    'RoleRef cannot be resolved, the Authorizer must return an error.',
);
const clusterRoleBindingColumns = bindingColumns(
  'clusterRoleBinding',
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the ' +
    'Authorizer must return an error.',
);

const asObj = (value: unknown): Obj | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
const asList = (value: unknown): Obj[] => (Array.isArray(value) ? value.map((v) => asObj(v) ?? {}) : []);
const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
const asNumber = (value: unknown): number => (typeof value === 'number' ? value : 0);
const sizeOf = (value: unknown): number => Object.keys(asObj(value) ?? {}).length;

/** Milliseconds since the epoch, or `undefined` for Go's zero time (an absent or null timestamp). */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `metav1.Time.Before`, where the zero time precedes every real one. */
function before(a: number | undefined, b: number | undefined): boolean {
  if (b === undefined) return false;
  return a === undefined || a < b;
}

/** `translateTimestampSince`. */
function since(timestamp: unknown, now: Date): string {
  const ms = timeOf(timestamp);
  return ms === undefined ? '<unknown>' : humanDuration(now.getTime() - ms);
}

const metadataOf = (obj: Obj): Obj => asObj(obj.metadata) ?? {};

function conditionTrue(conditions: Obj[], type: string): boolean {
  const condition = conditions.find((c) => c.type === type);
  return condition?.status === 'True';
}

/**
 * The cells of `printPod` (Name, Ready, Status, Restarts, Age, IP, Node, Nominated Node, Readiness Gates) for
 * a `v1` Pod, with the wide columns that the server always includes.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 */
export function podTableCells(pod: Obj, now: Date): unknown[] {
  const metadata = metadataOf(pod);
  const spec = asObj(pod.spec) ?? {};
  const status = asObj(pod.status) ?? {};
  const conditions = asList(status.conditions);
  const initContainerSpecs = asList(spec.initContainers);

  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = asList(spec.containers).length;
  let readyContainers = 0;
  let lastRestartDate: number | undefined;
  let lastRestartableInitContainerRestartDate: number | undefined;

  const podPhase = asString(status.phase);
  let reason = asString(status.reason) || podPhase;

  for (const condition of conditions) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated')
      reason = 'SchedulingGated';
  }

  const restartable = new Set<string>();
  for (const container of initContainerSpecs) {
    // A name repeated in the spec keeps its last definition, as the Go map does.
    restartable.delete(asString(container.name));
    if (container.restartPolicy === 'Always') {
      restartable.add(asString(container.name));
      totalContainers++;
    }
  }

  let initializing = false;
  const initStatuses = asList(status.initContainerStatuses);
  for (const [i, container] of initStatuses.entries()) {
    const state = asObj(container.state) ?? {};
    const terminated = asObj(state.terminated);
    const waiting = asObj(state.waiting);
    const lastTerminated = asObj(asObj(container.lastState)?.terminated);
    const isRestartable = restartable.has(asString(container.name));
    restarts += asNumber(container.restartCount);
    if (lastTerminated) {
      const finishedAt = timeOf(lastTerminated.finishedAt);
      if (before(lastRestartDate, finishedAt)) lastRestartDate = finishedAt;
    }
    if (isRestartable) {
      restartableInitContainerRestarts += asNumber(container.restartCount);
      if (lastTerminated) {
        const finishedAt = timeOf(lastTerminated.finishedAt);
        if (before(lastRestartableInitContainerRestartDate, finishedAt)) {
          lastRestartableInitContainerRestartDate = finishedAt;
        }
      }
    }
    if (terminated && asNumber(terminated.exitCode) === 0) continue;
    if (isRestartable && container.started === true) {
      if (container.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      const terminatedReason = asString(terminated.reason);
      if (terminatedReason === '') {
        const signal = asNumber(terminated.signal);
        reason = signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${asNumber(terminated.exitCode)}`;
      } else {
        reason = `Init:${terminatedReason}`;
      }
    } else if (waiting && asString(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${asString(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initContainerSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = asList(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      const state = asObj(container.state) ?? {};
      const terminated = asObj(state.terminated);
      const waiting = asObj(state.waiting);
      const lastTerminated = asObj(asObj(container.lastState)?.terminated);
      restarts += asNumber(container.restartCount);
      if (lastTerminated) {
        const finishedAt = timeOf(lastTerminated.finishedAt);
        if (before(lastRestartDate, finishedAt)) lastRestartDate = finishedAt;
      }
      if (waiting && asString(waiting.reason) !== '') {
        reason = asString(waiting.reason);
      } else if (terminated && asString(terminated.reason) !== '') {
        reason = asString(terminated.reason);
      } else if (terminated) {
        const signal = asNumber(terminated.signal);
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${asNumber(terminated.exitCode)}`;
      } else if (container.ready === true && asObj(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const deleting = metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null;
  if (deleting && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (deleting && podPhase !== 'Failed' && podPhase !== 'Succeeded') {
    reason = 'Terminating';
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestartDate !== undefined) {
    restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestartDate)} ago)`;
  }

  // Conversion to the internal type makes status.podIP authoritative over status.podIPs.
  const podIP = asString(status.podIP) || asString(asList(status.podIPs)[0]?.ip) || '<none>';
  const readinessGates = asList(spec.readinessGates);
  let readinessGatesCell = '<none>';
  if (readinessGates.length > 0) {
    const trueConditions = readinessGates.filter((gate) =>
      conditionTrue(conditions, asString(gate.conditionType)),
    );
    readinessGatesCell = `${trueConditions.length}/${readinessGates.length}`;
  }

  return [
    asString(metadata.name),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    since(metadata.creationTimestamp, now),
    podIP,
    asString(spec.nodeName) || '<none>',
    asString(status.nominatedNodeName) || '<none>',
    readinessGatesCell,
  ];
}

/** `podSuccessConditions` / `podFailedConditions`. */
function podRowConditions(pod: Obj): TableRowCondition[] | undefined {
  switch (asObj(pod.status)?.phase) {
    case 'Succeeded':
      return [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return undefined;
  }
}

/** Go's `time.Time.UTC().Format(time.RFC3339)`, which renders the zero time as year 1. */
function rfc3339(value: unknown): string {
  const ms = timeOf(value);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The default convertor's cells: the name and the creation timestamp in RFC3339 (the `date` column).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/rest/table.go
 */
export function defaultTableCells(obj: Obj, _now: Date): unknown[] {
  const metadata = metadataOf(obj);
  return [asString(metadata.name), rfc3339(metadata.creationTimestamp)];
}

/** `rbac.SubjectsStrings`, joined as `printRoleBinding` joins them. */
function subjectCells(binding: Obj): string[] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const subject of asList(binding.subjects)) {
    const name = asString(subject.name);
    if (subject.kind === 'ServiceAccount') serviceAccounts.push(`${asString(subject.namespace)}/${name}`);
    else if (subject.kind === 'User') users.push(name);
    else if (subject.kind === 'Group') groups.push(name);
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingCells(binding: Obj, now: Date): unknown[] {
  const metadata = metadataOf(binding);
  const roleRef = asObj(binding.roleRef) ?? {};
  return [
    asString(metadata.name),
    `${asString(roleRef.kind)}/${asString(roleRef.name)}`,
    since(metadata.creationTimestamp, now),
    ...subjectCells(binding),
  ];
}

interface Printer {
  columns: readonly TableColumn[];
  cells: (obj: Obj, now: Date) => unknown[];
  conditions?: (obj: Obj) => TableRowCondition[] | undefined;
  /** The list printers allocate their rows; the default convertor leaves an empty list's rows nil. */
  emptyRows: [] | null;
}

/** A kind's Table printer: its columns and how an object becomes a row (a CRD's printer columns). */
export type TablePrinter = Printer;

const nameOf = (obj: Obj) => asString(metadataOf(obj).name);
const ageOf = (obj: Obj, now: Date) => since(metadataOf(obj).creationTimestamp, now);

const PRINTERS: Record<string, Printer> = {
  Pod: { columns: podTableColumns, cells: podTableCells, conditions: podRowConditions, emptyRows: [] },
  Namespace: {
    columns: namespaceColumns,
    cells: (ns, now) => [nameOf(ns), asString(asObj(ns.status)?.phase), ageOf(ns, now)],
    emptyRows: [],
  },
  ServiceAccount: {
    columns: serviceAccountColumns,
    cells: (sa, now) => [nameOf(sa), asList(sa.secrets).length, ageOf(sa, now)],
    emptyRows: [],
  },
  ConfigMap: {
    columns: configMapColumns,
    cells: (cm, now) => [nameOf(cm), sizeOf(cm.data) + sizeOf(cm.binaryData), ageOf(cm, now)],
    emptyRows: [],
  },
  Secret: {
    columns: secretColumns,
    cells: (secret, now) => [nameOf(secret), asString(secret.type), sizeOf(secret.data), ageOf(secret, now)],
    emptyRows: [],
  },
  Lease: {
    columns: leaseColumns,
    cells: (lease, now) => [nameOf(lease), asString(asObj(lease.spec)?.holderIdentity), ageOf(lease, now)],
    emptyRows: [],
  },
  RoleBinding: { columns: roleBindingColumns, cells: bindingCells, emptyRows: [] },
  ClusterRoleBinding: { columns: clusterRoleBindingColumns, cells: bindingCells, emptyRows: [] },
  ...workloadPrinters,
  ...kindPrinters,
};

const DEFAULT_PRINTER: Printer = { columns: defaultTableColumns, cells: defaultTableCells, emptyRows: null };

/**
 * The printer of a built-in kind's objects, or undefined for the default Name/Created At columns (a custom
 * resource's printer comes from its CRD's `additionalPrinterColumns`).
 */
export function kindPrinter(kind: ResourceKind): TablePrinter | undefined {
  return kind.origin !== 'crd' && Object.hasOwn(PRINTERS, kind.kind) ? PRINTERS[kind.kind] : undefined;
}

/**
 * Converts objects of one kind to a `Table`: the printer columns for `Pod`, `Namespace`, `ServiceAccount`,
 * `ConfigMap`, `Secret`, `Lease`, `RoleBinding` and `ClusterRoleBinding`, the default Name/Created At columns for every
 * other kind (Roles and ClusterRoles included). Each row's `object` follows `includeObject`: the full object,
 * a `PartialObjectMetadata` (the default), or `null`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/tablegenerator.go
 */
export function toTable(
  objects: Record<string, unknown>[],
  opts: {
    kind: string;
    listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
    includeObject: 'None' | 'Metadata' | 'Object';
    noHeaders?: boolean;
    now: Date;
    /** Overrides the printer chosen by kind name (custom resources' `additionalPrinterColumns`). */
    printer?: TablePrinter | undefined;
  },
): Table {
  const printer = opts.printer ?? PRINTERS[opts.kind] ?? DEFAULT_PRINTER;
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now), object: null };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    if (opts.includeObject === 'Object') {
      row.object = obj;
    } else if (opts.includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(obj) };
    }
    return row;
  });

  const metadata: Table['metadata'] = {};
  const { resourceVersion, continue: continueToken, remainingItemCount } = opts.listMeta;
  if (resourceVersion) metadata.resourceVersion = resourceVersion;
  if (continueToken) metadata.continue = continueToken;
  if (remainingItemCount !== undefined) metadata.remainingItemCount = remainingItemCount;

  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns.map((c) => ({ ...c })),
    rows: rows.length > 0 ? rows : printer.emptyRows === null ? null : [],
  };
}
