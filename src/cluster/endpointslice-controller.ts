import { isDeepStrictEqual } from 'node:util';
import { deleteObject } from '../lifecycle/delete-object.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import { endpointSliceKind } from '../registry/kinds/group-kinds.js';
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

/** The label the endpointslice controller marks its slices with. */
export const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const CONTROLLER = 'endpointslice-controller.k8s.io';
const SERVICE_NAME = 'kubernetes.io/service-name';
const MAX_ENDPOINTS_PER_SLICE = 100;

function endpointOf(context: ClusterContext, endpoint: ServiceEndpoint): Json {
  const zone = endpoint.nodeName
    ? context.store.get(nodeKind, '', endpoint.nodeName)?.metadata?.labels?.['topology.kubernetes.io/zone']
    : undefined;
  return {
    addresses: [endpoint.ip],
    conditions: { ready: endpoint.ready, serving: endpoint.serving, terminating: endpoint.terminating },
    ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
    targetRef: podReference(endpoint.pod),
    ...(zone ? { zone } : {}),
  };
}

function reconcile(
  context: ClusterContext,
  namespace: string,
  name: string,
  service: KubeObject | undefined,
): void {
  const { store } = context;
  const owned = store
    .list({ kind: endpointSliceKind, namespace })
    .items.filter(
      (slice) =>
        slice.metadata?.labels?.[SERVICE_NAME] === name &&
        slice.metadata?.labels?.[MANAGED_BY] === CONTROLLER,
    );
  // A deleted Service's slices go with it through their owner reference (the garbage collector).
  if (!service || !selectorOf(service)) return;
  const groups = new Map<string, { ports: ServiceEndpoint['ports']; endpoints: Json[] }>();
  for (const endpoint of serviceEndpoints(store, service)) {
    if (
      endpoint.ports.length === 0 &&
      ((service.spec as Json | undefined)?.ports as unknown[] | undefined)?.length
    )
      continue;
    const key = portsKey(endpoint.ports);
    const group = groups.get(key) ?? { ports: endpoint.ports, endpoints: [] };
    groups.set(key, group);
    group.endpoints.push(endpointOf(context, endpoint));
  }
  const desired: { ports: ServiceEndpoint['ports'] | null; endpoints: Json[] }[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      desired.push({ ports: group.ports, endpoints: group.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  // A Service without endpoints keeps one placeholder slice, as upstream's reconciler does.
  if (desired.length === 0) desired.push({ ports: null, endpoints: [] });
  const labels: Record<string, string> = {
    ...(service.metadata?.labels ?? {}),
    [MANAGED_BY]: CONTROLLER,
    [SERVICE_NAME]: name,
  };
  if ((service.spec as Json | undefined)?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  const writer = context.writers['kube-controller-manager'];
  const unused = [...owned];
  for (const want of desired) {
    const index = unused.findIndex((slice) => isDeepStrictEqual(slice.ports ?? null, want.ports));
    const slice = index >= 0 ? unused.splice(index, 1)[0] : unused.shift();
    const body = { addressType: 'IPv4', endpoints: want.endpoints, ports: want.ports };
    if (!slice) {
      writer.create(endpointSliceKind, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${name}-`,
          namespace,
          labels,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              name,
              uid: service.metadata?.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        ...body,
      });
      continue;
    }
    const same =
      isDeepStrictEqual(slice.endpoints ?? [], want.endpoints) &&
      isDeepStrictEqual(slice.ports ?? null, want.ports) &&
      isDeepStrictEqual(slice.metadata?.labels ?? {}, labels);
    if (same) continue;
    writer.update(endpointSliceKind, {
      ...structuredClone(slice),
      metadata: { ...slice.metadata, labels },
      ...body,
    });
  }
  for (const slice of unused) deleteObject(context, endpointSliceKind, namespace, slice.metadata?.name ?? '');
}

/**
 * kube-controller-manager's endpointslice controller (`endpointslice` in `--controllers`): EndpointSlices
 * for every Service with a selector, labelled with the service's name and `managed-by`, owned by the
 * Service; endpoints with their ready, serving and terminating conditions, node and pod; at most 100 per
 * slice, one set of ports per slice; an empty placeholder slice for a Service without endpoints.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/endpointslice/reconciler.go
 */
export const endpointSliceController: ClusterComponent = {
  name: 'endpointslice',
  start(context) {
    return watchServices('endpointslice', context, (namespace, name, service) =>
      reconcile(context, namespace, name, service),
    );
  },
};
