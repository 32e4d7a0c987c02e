import { isIP } from 'node:net';
import { KUBERNETES_SERVICE_IP } from '../pki/certificates.js';
import { isDeepStrictEqual } from 'node:util';
import { endpointsKind, serviceKind } from '../registry/kinds/core-kinds.js';
import { endpointSliceKind } from '../registry/kinds/group-kinds.js';
import { namespaceKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';

/** The name of the Service, Endpoints and EndpointSlice through which pods reach the apiserver. */
export const API_SERVER_SERVICE = 'kubernetes';
/** The first address of kubeadm's service range, which the `kubernetes` Service always gets. */
export const API_SERVER_CLUSTER_IP = KUBERNETES_SERVICE_IP;

/** Where the apiserver listens, as its endpoints publish it. */
export interface ApiServerEndpoint {
  /** The address the server listens on; a wildcard or a name is published as 127.0.0.1. */
  host: string;
  port: number;
}

function publishedIp(host: string): string {
  if (isIP(host) === 0 || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host;
}

function createOrUpdate(store: ObjectStore, kind: ResourceKind, desired: KubeObject): void {
  const name = desired.metadata!.name!;
  const current = store.get(kind, 'default', name);
  if (!current) {
    const obj = structuredClone(desired);
    kind.defaultOnCreate?.(obj);
    kind.normalizeOnWrite?.(obj);
    store.create(kind, obj);
    return;
  }
  const { metadata: _metadata, ...wanted } = desired;
  const { metadata: _stored, ...have } = current;
  if (isDeepStrictEqual({ ...have, ...wanted }, have)) return;
  const next = { ...structuredClone(current), ...structuredClone(wanted) } as KubeObject;
  kind.normalizeOnWrite?.(next, current);
  store.update(kind, next);
}

/**
 * What kube-apiserver keeps in the `default` namespace about itself: the `kubernetes` Service (cluster IP
 * 10.96.0.1, port 443 named `https`), and the Endpoints and EndpointSlice pointing at where it really listens.
 * A Service already there is left alone; the Endpoints and EndpointSlice are brought up to date (a
 * `--data-dir` restart may listen on another port). Nothing happens without a `default` namespace.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controlplane/controller/kubernetesservice/controller.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controlplane/reconcilers/endpointsadapter.go
 */
export function ensureApiServerService(store: ObjectStore, endpoint: ApiServerEndpoint): void {
  if (!store.get(namespaceKind, '', 'default')) return;
  const ip = publishedIp(endpoint.host);
  const metadata = { name: API_SERVER_SERVICE, namespace: 'default' };
  if (!store.get(serviceKind, 'default', API_SERVER_SERVICE)) {
    createOrUpdate(store, serviceKind, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...metadata, labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        clusterIP: API_SERVER_CLUSTER_IP,
        clusterIPs: [API_SERVER_CLUSTER_IP],
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: endpoint.port }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
      },
    });
  }
  createOrUpdate(store, endpointsKind, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...metadata, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port: endpoint.port, protocol: 'TCP' }] }],
  });
  createOrUpdate(store, endpointSliceKind, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...metadata, labels: { 'kubernetes.io/service-name': API_SERVER_SERVICE } },
    addressType: isIP(ip) === 6 ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port: endpoint.port, protocol: 'TCP' }],
  });
}
