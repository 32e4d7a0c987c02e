import { isDeepStrictEqual } from 'node:util';
import { deleteObject } from '../lifecycle/delete-object.js';
import { endpointsKind } from '../registry/kinds/core-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ClusterComponent, ClusterContext } from './cluster-context.js';
import {
  podReference,
  portsKey,
  selectorOf,
  serviceEndpoints,
  type ServiceEndpoint,
} from './service-endpoints.js';
import { watchServices } from './service-watch.js';

type Json = Record<string, unknown>;

/**
 * The subsets of a Service's Endpoints: ready pods in `addresses`, the others in `notReadyAddresses`
 * (terminating pods left out unless `publishNotReadyAddresses`), one subset per set of resolved ports.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/endpoint/endpoints_controller.go (syncService)
 */
export function endpointSubsets(service: KubeObject, endpoints: readonly ServiceEndpoint[]): Json[] {
  const publishNotReady = (service.spec as Json | undefined)?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: ServiceEndpoint['ports']; ready: Json[]; notReady: Json[] }>();
  for (const endpoint of endpoints) {
    if (endpoint.terminating && !publishNotReady) continue;
    if (
      endpoint.ports.length === 0 &&
      ((service.spec as Json | undefined)?.ports as unknown[] | undefined)?.length
    )
      continue;
    const key = portsKey(endpoint.ports);
    const group = groups.get(key) ?? { ports: endpoint.ports, ready: [], notReady: [] };
    groups.set(key, group);
    const address = {
      ip: endpoint.ip,
      ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
      targetRef: podReference(endpoint.pod),
    };
    (endpoint.serving ? group.ready : group.notReady).push(address);
  }
  return [...groups.values()].map((group) => ({
    ...(group.ready.length > 0 ? { addresses: group.ready } : {}),
    ...(group.notReady.length > 0 ? { notReadyAddresses: group.notReady } : {}),
    ...(group.ports.length > 0 ? { ports: group.ports } : {}),
  }));
}

function labelsFor(service: KubeObject): Record<string, string> {
  const labels = { ...(service.metadata?.labels ?? {}) };
  if ((service.spec as Json | undefined)?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return labels;
}

function reconcile(
  context: ClusterContext,
  namespace: string,
  name: string,
  service: KubeObject | undefined,
  gone?: KubeObject,
): void {
  const current = context.store.get(endpointsKind, namespace, name);
  if (!service) {
    if (current && gone && selectorOf(gone)) deleteObject(context, endpointsKind, namespace, name);
    return;
  }
  if (!selectorOf(service)) return;
  const subsets = endpointSubsets(service, serviceEndpoints(context.store, service));
  const labels = labelsFor(service);
  const writer = context.writers['kube-controller-manager'];
  if (!current) {
    writer.create(endpointsKind, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels },
      ...(subsets.length > 0 ? { subsets } : {}),
    });
    return;
  }
  const same =
    isDeepStrictEqual((current.subsets as unknown[] | undefined) ?? [], subsets) &&
    isDeepStrictEqual(current.metadata?.labels ?? {}, labels);
  if (same) return;
  const next = structuredClone(current);
  next.metadata = { ...next.metadata, labels };
  if (subsets.length > 0) next.subsets = subsets;
  else delete next.subsets;
  writer.update(endpointsKind, next);
}

/**
 * kube-controller-manager's endpoints controller (`endpoint` in `--controllers`): keeps an Endpoints object
 * for every Service with a selector. The `kubernetes` Service has none; its Endpoints are kube-apiserver's.
 */
export const endpointsController: ClusterComponent = {
  name: 'endpoint',
  start(context) {
    return watchServices('endpoints', context, (namespace, name, service, gone) =>
      reconcile(context, namespace, name, service, gone),
    );
  },
};
