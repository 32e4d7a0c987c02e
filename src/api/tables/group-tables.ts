/**
 * Table printers of the batch, networking, discovery, policy, autoscaling and storage kinds: `printJob`,
 * `printCronJob`, `printIngress`, `printIngressClass`, `printNetworkPolicy`, `printPodDisruptionBudget`,
 * `printHorizontalPodAutoscaler`, `printStorageClass` and `printEndpointSlice`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 */
import { humanDuration } from './human-duration.js';
import {
  ageColumn,
  ageOf,
  asList,
  asNumber,
  asObj,
  asString,
  boolPointer,
  column,
  containerCells,
  formatLabelSelector,
  isDeleting,
  listWithMore,
  loadBalancerAddresses,
  nameColumn,
  nameOf,
  since,
  type KindPrinter,
  type Obj,
} from './common.js';

const containersColumn = column('Containers', 'Names of each container in the template.', 1);
const imagesColumn = column('Images', 'Images referenced by each container in the template.', 1);
const selectorColumn = column('Selector', 'A label query over pods that should match the pod count.', 1);

const hasCondition = (status: Obj, type: string) =>
  asList(status.conditions).some((condition) => condition.type === type && condition.status === 'True');

/** `printJob`'s Status cell (1.33). */
function jobStatus(job: Obj): string {
  const status = asObj(job.status);
  if (hasCondition(status, 'Complete')) return 'Complete';
  if (hasCondition(status, 'Failed')) return 'Failed';
  if (isDeleting(job)) return 'Terminating';
  if (hasCondition(status, 'Suspended')) return 'Suspended';
  if (hasCondition(status, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(status, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** `printJob`. */
function jobCells(job: Obj, now: Date): unknown[] {
  const spec = asObj(job.spec);
  const status = asObj(job.status);
  const succeeded = asNumber(status.succeeded);
  let completions: string;
  if (typeof spec.completions === 'number') {
    completions = `${succeeded}/${spec.completions}`;
  } else {
    const parallelism = asNumber(spec.parallelism);
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }
  const start = typeof status.startTime === 'string' ? Date.parse(status.startTime) : NaN;
  const end = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : NaN;
  let duration = '';
  if (!Number.isNaN(start)) duration = humanDuration((Number.isNaN(end) ? now.getTime() : end) - start);
  return [
    nameOf(job),
    jobStatus(job),
    completions,
    duration,
    ageOf(job, now),
    ...containerCells(spec.template),
    formatLabelSelector(spec.selector),
  ];
}

const jobPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column('Status', 'Status of the job.'),
    column('Completions', 'The completion status of the job.'),
    column('Duration', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  cells: jobCells,
  emptyRows: [],
};

/** `printCronJob`. */
function cronJobCells(cronJob: Obj, now: Date): unknown[] {
  const spec = asObj(cronJob.spec);
  const status = asObj(cronJob.status);
  const jobSpec = asObj(asObj(spec.jobTemplate).spec);
  return [
    nameOf(cronJob),
    asString(spec.schedule),
    asString(spec.timeZone) || '<none>',
    boolPointer(spec.suspend),
    asList(status.active).length,
    status.lastScheduleTime ? since(status.lastScheduleTime, now) : '<none>',
    ageOf(cronJob, now),
    ...containerCells(jobSpec.template),
    formatLabelSelector(jobSpec.selector),
  ];
}

const cronJobPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column(
      'Timezone',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
    ),
    column(
      'Suspend',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.',
    ),
    column('Active', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  cells: cronJobCells,
  emptyRows: [],
};

/** `formatHosts`: up to three hosts, `*` when none. */
function ingressHosts(rules: Obj[]): string {
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === max) more = true;
    if (!more && asString(rule.host)) hosts.push(asString(rule.host));
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - max} more...` : hosts.join(',');
}

/** `printIngress`. */
function ingressCells(ingress: Obj, now: Date): unknown[] {
  const spec = asObj(ingress.spec);
  return [
    nameOf(ingress),
    asString(spec.ingressClassName) || '<none>',
    ingressHosts(asList(spec.rules)),
    loadBalancerAddresses(asObj(ingress.status).loadBalancer),
    asList(spec.tls).length > 0 ? '80, 443' : '80',
    ageOf(ingress, now),
  ];
}

const ingressPrinter: KindPrinter = {
  columns: [
    nameColumn,
    column('Class', 'The name of the IngressClass resource.'),
    column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells: ingressCells,
  emptyRows: [],
};

/** `printIngressClass`: parameters as `Kind[.group]/name`. */
function ingressClassCells(ingressClass: Obj, now: Date): unknown[] {
  const spec = asObj(ingressClass.spec);
  let parameters = '<none>';
  if (spec.parameters !== undefined && spec.parameters !== null) {
    const ref = asObj(spec.parameters);
    parameters = asString(ref.kind);
    if (typeof ref.apiGroup === 'string') parameters += `.${ref.apiGroup}`;
    parameters += `/${asString(ref.name)}`;
  }
  return [nameOf(ingressClass), asString(spec.controller), parameters, ageOf(ingressClass, now)];
}

/** `intstr` rendered as `%v`, or `N/A` when unset. */
const intOrStringOrNA = (value: unknown): string =>
  typeof value === 'number' || typeof value === 'string' ? String(value) : 'N/A';

/** One metric of `formatHPAMetrics`: `name: current/target`. */
function hpaMetric(spec: Obj, current: Obj | undefined): string {
  const type = asString(spec.type);
  const source = asObj(spec[type.charAt(0).toLowerCase() + type.slice(1)]);
  const target = asObj(source.target);
  const currentSource = current ? asObj(current[type.charAt(0).toLowerCase() + type.slice(1)]) : {};
  const currentValue = asObj(currentSource.current);
  if (type === 'Resource' || type === 'ContainerResource') {
    const name = asString(source.name);
    if (target.type === 'Utilization' && typeof target.averageUtilization === 'number') {
      const now =
        typeof currentValue.averageUtilization === 'number'
          ? `${currentValue.averageUtilization}%`
          : '<unknown>';
      return `${name}: ${now}/${target.averageUtilization}%`;
    }
    const now = currentValue.averageValue !== undefined ? String(currentValue.averageValue) : '<unknown>';
    return `${name}: ${now}/${String(target.averageValue ?? target.value ?? '')}`;
  }
  const now =
    currentValue.averageValue !== undefined
      ? String(currentValue.averageValue)
      : currentValue.value !== undefined
        ? String(currentValue.value)
        : '<unknown>';
  const wanted = target.averageValue ?? target.value ?? '';
  return `${now}/${String(wanted)}${target.averageValue !== undefined ? ' (avg)' : ''}`;
}

/** `formatHPAMetrics`: the first two metrics, then ` + N more...`; `<none>` without metrics. */
function hpaTargets(hpa: Obj): string {
  const spec = asObj(hpa.spec);
  const metrics = asList(spec.metrics);
  if (metrics.length === 0) return '<none>';
  const status = asObj(hpa.status);
  const currentMetrics = asList(status.currentMetrics);
  const list = metrics.map((metric, i) => hpaMetric(metric, currentMetrics[i]));
  const max = 2;
  return list.length > max
    ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...`
    : list.join(', ');
}

/** `printHorizontalPodAutoscaler`. */
function hpaCells(hpa: Obj, now: Date): unknown[] {
  const spec = asObj(hpa.spec);
  const ref = asObj(spec.scaleTargetRef);
  return [
    nameOf(hpa),
    `${asString(ref.kind)}/${asString(ref.name)}`,
    hpaTargets(hpa),
    typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>',
    asNumber(spec.maxReplicas),
    asNumber(asObj(hpa.status).currentReplicas),
    ageOf(hpa, now),
  ];
}

/** `printStorageClass`: the default class is marked `(default)`. */
function storageClassCells(storageClass: Obj, now: Date): unknown[] {
  const annotations = asObj(asObj(storageClass.metadata).annotations);
  const isDefault =
    annotations['storageclass.kubernetes.io/is-default-class'] === 'true' ||
    annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  return [
    isDefault ? `${nameOf(storageClass)} (default)` : nameOf(storageClass),
    asString(storageClass.provisioner),
    asString(storageClass.reclaimPolicy) || 'Delete',
    asString(storageClass.volumeBindingMode) || 'Immediate',
    storageClass.allowVolumeExpansion === true,
    ageOf(storageClass, now),
  ];
}

/** `printEndpointSlice`: up to three ports and addresses. */
function endpointSliceCells(slice: Obj, now: Date): unknown[] {
  const ports = asList(slice.ports).map((port) =>
    typeof port.port === 'number' ? String(port.port) : typeof port.name === 'string' ? port.name : '*',
  );
  const addresses = asList(slice.endpoints).flatMap((endpoint) =>
    (Array.isArray(endpoint.addresses) ? endpoint.addresses : []).map(asString),
  );
  return [
    nameOf(slice),
    asString(slice.addressType),
    listWithMore(ports, ports.length, 3),
    listWithMore(addresses, addresses.length, 3),
    ageOf(slice, now),
  ];
}

/** The printers of this module, keyed by kind as `toTable`'s printer map is. */
/** `printPriorityClass`. */
function priorityClassCells(priorityClass: Obj, now: Date): unknown[] {
  return [
    nameOf(priorityClass),
    asNumber(priorityClass.value),
    priorityClass.globalDefault === true,
    ageOf(priorityClass, now),
    asString(priorityClass.preemptionPolicy) || '<unset>',
  ];
}

export const groupPrinters: Readonly<Record<string, KindPrinter>> = {
  PriorityClass: {
    columns: [
      nameColumn,
      column('Value', 'value represents the integer value of this priority class.', 0, 'integer'),
      column(
        'Global-Default',
        'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
        0,
        'boolean',
      ),
      ageColumn,
      column('PreemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
    ],
    cells: priorityClassCells,
    emptyRows: [],
  },
  Job: jobPrinter,
  CronJob: cronJobPrinter,
  Ingress: ingressPrinter,
  IngressClass: {
    columns: [
      nameColumn,
      column('Controller', 'Controller that is responsible for handling this class'),
      column('Parameters', 'A reference to a resource with additional parameters'),
      ageColumn,
    ],
    cells: ingressClassCells,
    emptyRows: [],
  },
  NetworkPolicy: {
    columns: [
      nameColumn,
      column('Pod-Selector', 'Selects the pods to which this NetworkPolicy object applies.'),
      ageColumn,
    ],
    cells: (policy, now) => [
      nameOf(policy),
      formatLabelSelector(asObj(policy.spec).podSelector ?? {}),
      ageOf(policy, now),
    ],
    emptyRows: [],
  },
  PodDisruptionBudget: {
    columns: [
      nameColumn,
      column(
        'Min Available',
        'The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".',
      ),
      column(
        'Max Unavailable',
        'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".',
      ),
      column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.'),
      ageColumn,
    ],
    cells: (pdb, now) => {
      const spec = asObj(pdb.spec);
      return [
        nameOf(pdb),
        intOrStringOrNA(spec.minAvailable),
        intOrStringOrNA(spec.maxUnavailable),
        asNumber(asObj(pdb.status).disruptionsAllowed),
        ageOf(pdb, now),
      ];
    },
    emptyRows: [],
  },
  HorizontalPodAutoscaler: {
    columns: [
      nameColumn,
      column('Reference', 'The reference to the resource being scaled.'),
      column('Targets', 'The current and target metrics.'),
      column(
        'MinPods',
        'The lower limit for the number of pods that can be set by the autoscaler, default 1.',
      ),
      column('MaxPods', 'The upper limit for the number of pods that can be set by the autoscaler.'),
      column('Replicas', 'Current number of replicas of pods managed by this autoscaler.'),
      ageColumn,
    ],
    cells: hpaCells,
    emptyRows: [],
  },
  StorageClass: {
    columns: [
      nameColumn,
      column('Provisioner', 'Indicates the type of the provisioner.'),
      column(
        'ReclaimPolicy',
        'Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy.',
      ),
      column(
        'VolumeBindingMode',
        'VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.',
      ),
      column(
        'AllowVolumeExpansion',
        'AllowVolumeExpansion shows whether the storage class allow volume expand.',
        0,
        'boolean',
      ),
      ageColumn,
    ],
    cells: storageClassCells,
    emptyRows: [],
  },
  EndpointSlice: {
    columns: [
      nameColumn,
      column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
      column('Ports', 'Ports are the ports of the endpoints in this EndpointSlice.'),
      column('Endpoints', 'Endpoints of this EndpointSlice.'),
      ageColumn,
    ],
    cells: endpointSliceCells,
    emptyRows: [],
  },
};
