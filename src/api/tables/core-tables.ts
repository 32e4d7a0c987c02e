/**
 * Table printers of the core/v1 kinds beyond pods, namespaces, service accounts, config maps and secrets:
 * `printService`, `printEndpoints`, `printEvent`, `printNode`, `printPersistentVolumeClaim`,
 * `printPersistentVolume`, `printResourceQuota`, `printLimitRange`, `printReplicationController`.
 * The server generates with `Wide: true`, so every column is filled.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
 */
import {
  ageColumn,
  ageOf,
  asList,
  asNumber,
  asObj,
  asString,
  column,
  containerCells,
  createdAtColumn,
  formatLabels,
  isDeleting,
  loadBalancerAddresses,
  nameColumn,
  nameOf,
  quantity,
  since,
  type KindPrinter,
  type Obj,
} from './common.js';

const serviceColumns = [
  nameColumn,
  column('Type', 'type determines how the Service is exposed.'),
  column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
  column(
    'External-IP',
    'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
  ),
  column('Port(s)', 'The list of ports that are exposed by this service.'),
  ageColumn,
  column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
];

/** `getServiceExternalIP` with `wide` set. */
function serviceExternalIP(service: Obj): string {
  const spec = asObj(service.spec);
  const externalIPs = (Array.isArray(spec.externalIPs) ? spec.externalIPs : []).map(asString);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIps = loadBalancerAddresses(asObj(service.status).loadBalancer);
      if (externalIPs.length > 0) return [...(lbIps ? lbIps.split(',') : []), ...externalIPs].join(',');
      return lbIps || '<pending>';
    }
    case 'ExternalName':
      return asString(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** `makePortString`: `port[:nodePort]/protocol`, comma-joined. */
function servicePorts(ports: unknown): string {
  const list = asList(ports).map((port) => {
    const protocol = asString(port.protocol);
    const nodePort = asNumber(port.nodePort);
    return nodePort > 0
      ? `${asNumber(port.port)}:${nodePort}/${protocol}`
      : `${asNumber(port.port)}/${protocol}`;
  });
  return list.length === 0 ? '<none>' : list.join(',');
}

const servicePrinter: KindPrinter = {
  columns: serviceColumns,
  cells: (service, now) => {
    const spec = asObj(service.spec);
    return [
      nameOf(service),
      asString(spec.type),
      asString(spec.clusterIP) || '<none>',
      serviceExternalIP(service),
      servicePorts(spec.ports),
      ageOf(service, now),
      formatLabels(spec.selector),
    ];
  },
  emptyRows: [],
};

/** `formatEndpoints` with no port filter: up to three `ip:port`, then ` + N more...`. */
export function formatEndpoints(endpoints: Obj): string {
  const subsets = asList(endpoints.subsets);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = asList(subset.addresses).map((address) => asString(address.ip));
    const ports = asList(subset.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const ip of addresses) if (list.length < max) list.push(ip);
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const ip of addresses) {
        if (list.length < max)
          list.push(ip.includes(':') ? `[${ip}]:${asNumber(port.port)}` : `${ip}:${asNumber(port.port)}`);
      }
    }
  }
  const joined = list.join(',');
  return count > max ? `${joined} + ${count - max} more...` : joined;
}

const endpointsPrinter: KindPrinter = {
  columns: [nameColumn, column('Endpoints', 'Endpoints of the service'), ageColumn],
  cells: (endpoints, now) => [nameOf(endpoints), formatEndpoints(endpoints), ageOf(endpoints, now)],
  emptyRows: [],
};

const eventColumns = [
  column('Last Seen', 'The last time the event was observed.'),
  column('Type', 'The type of the event.'),
  column('Reason', 'The reason of the event.'),
  column('Object', 'The object the event is about.'),
  column('Subobject', 'The subobject the event is about.', 1),
  column('Source', 'The component reporting the event.', 1),
  column('Message', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'The first time the event was observed.', 1),
  column('Count', 'The number of times this event has occurred.', 1),
  column('Name', 'The name of the event.', 1),
];

/**
 * An events.k8s.io/v1 Event seen as the internal core Event the printer reads (the two share storage
 * upstream, and its conversion maps `regarding`, `note` and the `deprecated*` fields back).
 */
function asCoreEvent(event: Obj): Obj {
  if (event.apiVersion !== 'events.k8s.io/v1') return event;
  return {
    metadata: event.metadata,
    involvedObject: event.regarding,
    message: event.note,
    reason: event.reason,
    type: event.type,
    source: event.deprecatedSource,
    firstTimestamp: event.deprecatedFirstTimestamp,
    lastTimestamp: event.deprecatedLastTimestamp,
    count: event.deprecatedCount,
    eventTime: event.eventTime,
    series: event.series,
    reportingComponent: event.reportingController,
    reportingInstance: event.reportingInstance,
  };
}

/** `printEvent`. */
function eventCells(input: Obj, now: Date): unknown[] {
  const event = asCoreEvent(input);
  const firstTimestamp = event.firstTimestamp
    ? since(event.firstTimestamp, now)
    : since(event.eventTime, now);
  let lastTimestamp = event.lastTimestamp ? since(event.lastTimestamp, now) : firstTimestamp;
  let count = asNumber(event.count);
  const series = event.series === undefined || event.series === null ? undefined : asObj(event.series);
  if (series) {
    lastTimestamp = since(series.lastObservedTime, now);
    count = asNumber(series.count);
  } else if (count === 0) {
    count = 1;
  }
  const involved = asObj(event.involvedObject);
  const kind = asString(involved.kind).toLowerCase();
  const target = asString(involved.name) ? `${kind}/${asString(involved.name)}` : kind;
  const source = asObj(event.source);
  const component = asString(source.component) || asString(event.reportingComponent);
  const instance = asString(source.host) || asString(event.reportingInstance);
  return [
    lastTimestamp,
    asString(event.type),
    asString(event.reason),
    target,
    asString(involved.fieldPath),
    instance ? `${component}, ${instance}` : component,
    asString(event.message).trim(),
    firstTimestamp,
    count,
    nameOf(input),
  ];
}

const eventPrinter: KindPrinter = { columns: eventColumns, cells: eventCells, emptyRows: [] };

const nodeColumns = [
  nameColumn,
  column('Status', 'The status of the node'),
  column('Roles', 'The roles of the node'),
  ageColumn,
  column('Version', 'Kubelet Version reported by the node.'),
  column(
    'Internal-IP',
    'List of addresses reachable to the node. Queried from cloud provider, if available.',
    1,
  ),
  column(
    'External-IP',
    'List of addresses reachable to the node. Queried from cloud provider, if available.',
    1,
  ),
  column(
    'OS-Image',
    'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
    1,
  ),
  column(
    'Kernel-Version',
    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    1,
  ),
  column(
    'Container-Runtime',
    'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
    1,
  ),
];

/** `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`, sorted. */
function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(asObj(asObj(node.metadata).labels))) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && asString(value)) {
      roles.add(asString(value));
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(status: Obj, type: string): string {
  return asString(asList(status.addresses).find((address) => address.type === type)?.address) || '<none>';
}

/** `printNode`. */
function nodeCells(node: Obj, now: Date): unknown[] {
  const status = asObj(node.status);
  const ready = asList(status.conditions).find((condition) => condition.type === 'Ready');
  const states = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (asObj(node.spec).unschedulable === true) states.push('SchedulingDisabled');
  const info = asObj(status.nodeInfo);
  return [
    nameOf(node),
    states.join(','),
    nodeRoles(node),
    ageOf(node, now),
    asString(info.kubeletVersion),
    nodeAddress(status, 'InternalIP'),
    nodeAddress(status, 'ExternalIP'),
    asString(info.osImage) || '<unknown>',
    asString(info.kernelVersion) || '<unknown>',
    asString(info.containerRuntimeVersion) || '<unknown>',
  ];
}

const nodePrinter: KindPrinter = { columns: nodeColumns, cells: nodeCells, emptyRows: [] };

const ACCESS_MODE_SHORT: Readonly<Record<string, string>> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** `GetAccessModesAsString`: the short forms in RWO, ROX, RWX, RWOP order, comma-joined. */
function accessModes(value: unknown): string {
  const modes = new Set((Array.isArray(value) ? value : []).map(asString));
  return Object.entries(ACCESS_MODE_SHORT)
    .filter(([mode]) => modes.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** `GetPersistentVolumeClaimClass` / `GetPersistentVolumeClass`: the beta annotation wins. */
function storageClassOf(obj: Obj, spec: Obj): string {
  const annotation = asObj(asObj(obj.metadata).annotations)['volume.beta.kubernetes.io/storage-class'];
  return typeof annotation === 'string' ? annotation : asString(spec.storageClassName);
}

const unsetIfEmpty = (value: unknown): string => asString(value) || '<unset>';

const pvcColumns = [
  nameColumn,
  column('Status', 'The phase of the claim.'),
  column('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
  column('Capacity', 'capacity represents the actual resources of the underlying volume.'),
  column('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
  column('StorageClass', 'storageClassName is the name of the StorageClass required by the claim.'),
  column(
    'VolumeAttributesClass',
    'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
  ),
  ageColumn,
  column('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', 1),
];

/** `printPersistentVolumeClaim`: capacity and access modes only once bound. */
function pvcCells(claim: Obj, now: Date): unknown[] {
  const spec = asObj(claim.spec);
  const status = asObj(claim.status);
  const bound = asString(spec.volumeName) !== '';
  return [
    nameOf(claim),
    isDeleting(claim) ? 'Terminating' : asString(status.phase),
    asString(spec.volumeName),
    bound ? quantity(asObj(status.capacity).storage) : '',
    bound ? accessModes(status.accessModes) : '',
    storageClassOf(claim, spec),
    unsetIfEmpty(spec.volumeAttributesClassName),
    ageOf(claim, now),
    unsetIfEmpty(spec.volumeMode),
  ];
}

const pvColumns = [
  nameColumn,
  column('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
  column('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
  column(
    'Reclaim Policy',
    'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.',
  ),
  column('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
  column(
    'Claim',
    'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
  ),
  column(
    'StorageClass',
    'storageClassName is the name of StorageClass to which this persistent volume belongs.',
  ),
  column('VolumeAttributesClass', 'Name of VolumeAttributesClass to which this persistent volume belongs.'),
  column('Reason', 'reason is a brief CamelCase string that describes any failure.'),
  ageColumn,
  column(
    'VolumeMode',
    'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.',
    1,
  ),
];

/** `printPersistentVolume`. */
function pvCells(volume: Obj, now: Date): unknown[] {
  const spec = asObj(volume.spec);
  const status = asObj(volume.status);
  const claimRef = spec.claimRef === undefined || spec.claimRef === null ? undefined : asObj(spec.claimRef);
  return [
    nameOf(volume),
    quantity(asObj(spec.capacity).storage),
    accessModes(spec.accessModes),
    asString(spec.persistentVolumeReclaimPolicy),
    isDeleting(volume) ? 'Terminating' : asString(status.phase),
    claimRef ? `${asString(claimRef.namespace)}/${asString(claimRef.name)}` : '',
    storageClassOf(volume, spec),
    unsetIfEmpty(spec.volumeAttributesClassName),
    asString(status.reason),
    ageOf(volume, now),
    unsetIfEmpty(spec.volumeMode),
  ];
}

/** `printResourceQuota`: `resource: used/hard` for each hard limit, `limits.*` in their own column. */
function resourceQuotaCells(quota: Obj, now: Date): unknown[] {
  const status = asObj(quota.status);
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(asObj(asObj(quota.spec).hard)).sort()) {
    const text = `${resource}: ${quantity(asObj(status.used)[resource])}/${quantity(asObj(status.hard)[resource])}`;
    (resource.split('.')[0] === 'limits' && resource.includes('.') ? limits : requests).push(text);
  }
  return [nameOf(quota), ageOf(quota, now), requests.join(', '), limits.join(', ')];
}

/** Go's `Time.UTC().Format(time.RFC3339)`. */
function rfc3339(value: unknown): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const replicationControllerColumns = [
  nameColumn,
  column('Desired', 'Number of desired pods'),
  column('Current', 'Number of actual replicas'),
  column('Ready', 'Number of ready replicas'),
  ageColumn,
  column('Containers', 'Names of each container in the template.', 1),
  column('Images', 'Images referenced by each container in the template.', 1),
  column('Selector', 'Label selector for pods. Pods that match this selector are counted.', 1),
];

/** `printReplicationController`. */
function replicationControllerCells(rc: Obj, now: Date): unknown[] {
  const spec = asObj(rc.spec);
  const status = asObj(rc.status);
  return [
    nameOf(rc),
    asNumber(spec.replicas),
    asNumber(status.replicas),
    asNumber(status.readyReplicas),
    ageOf(rc, now),
    ...containerCells(spec.template),
    formatLabels(spec.selector),
  ];
}

/** The printers of this module, keyed by kind as `toTable`'s printer map is. */
export const corePrinters: Readonly<Record<string, KindPrinter>> = {
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  Event: eventPrinter,
  Node: nodePrinter,
  PersistentVolumeClaim: { columns: pvcColumns, cells: pvcCells, emptyRows: [] },
  PersistentVolume: { columns: pvColumns, cells: pvCells, emptyRows: [] },
  ResourceQuota: {
    columns: [
      nameColumn,
      ageColumn,
      column('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      column(
        'Limit',
        'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
      ),
    ],
    cells: resourceQuotaCells,
    emptyRows: [],
  },
  LimitRange: {
    columns: [nameColumn, createdAtColumn],
    cells: (limitRange) => [nameOf(limitRange), rfc3339(asObj(limitRange.metadata).creationTimestamp)],
    emptyRows: [],
  },
  ReplicationController: {
    columns: replicationControllerColumns,
    cells: replicationControllerCells,
    emptyRows: [],
  },
};
