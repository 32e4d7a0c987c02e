import type { KubeObject } from '../resource-kind.js';
import { objectField, objectItems } from './fields.js';

// 10.96.0.0/12 is kubeadm's default service CIDR; .0 is the network address, .1 the `kubernetes` service.
const SERVICE_CIDR_BASE = (10 << 24) | (96 << 16);
const SERVICE_CIDR_SIZE = 1 << 20;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

const allocatedClusterIPs = new Set<string>(['10.96.0.1']);
const allocatedNodePorts = new Set<number>();

function ipv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** A service IP from 10.96.0.0/12 not handed out before in this process (random, as the allocator). */
export function allocateClusterIP(): string {
  for (;;) {
    const offset = 2 + Math.floor(Math.random() * (SERVICE_CIDR_SIZE - 3));
    const ip = ipv4(SERVICE_CIDR_BASE + offset);
    if (!allocatedClusterIPs.has(ip)) {
      allocatedClusterIPs.add(ip);
      return ip;
    }
  }
}

/** A node port in 30000-32767 not handed out before in this process. */
export function allocateNodePort(): number {
  const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  if (allocatedNodePorts.size >= span) allocatedNodePorts.clear();
  for (;;) {
    const port = NODE_PORT_MIN + Math.floor(Math.random() * span);
    if (!allocatedNodePorts.has(port)) {
      allocatedNodePorts.add(port);
      return port;
    }
  }
}

/**
 * What a created Service gets from `SetDefaults_Service` and the service REST's allocators: type
 * ClusterIP, sessionAffinity None, TCP ports whose targetPort is the port, a cluster IP (headless `None`
 * kept), single-stack IPv4 families, node ports for NodePort and LoadBalancer services, an empty
 * load-balancer status. ExternalName services get neither IPs nor families.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/v1/defaults.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/service/storage/alloc.go
 */
export function defaultService(service: KubeObject): void {
  const spec = objectField(service, 'spec');
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  const type = spec.type;
  const needsNodePorts = type === 'NodePort' || type === 'LoadBalancer';
  for (const port of objectItems(spec.ports)) {
    port.protocol ??= 'TCP';
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') {
      port.targetPort = port.port;
    }
    if (needsNodePorts && (port.nodePort === undefined || port.nodePort === 0))
      port.nodePort = allocateNodePort();
  }
  if (type !== 'ExternalName') {
    const given = typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? spec.clusterIP : undefined;
    const clusterIP = given ?? allocateClusterIP();
    spec.clusterIP = clusterIP;
    spec.clusterIPs ??= [clusterIP];
    // A headless service with a selector asks for every family the cluster has (initIPFamilyFields).
    const selector = spec.selector;
    const hasSelector = selector !== null && typeof selector === 'object' && Object.keys(selector).length > 0;
    const headlessWithSelector = clusterIP === 'None' && hasSelector;
    spec.ipFamilyPolicy ??= headlessWithSelector ? 'RequireDualStack' : 'SingleStack';
    spec.ipFamilies ??= ['IPv4'];
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (needsNodePorts) spec.externalTrafficPolicy ??= 'Cluster';
  if (type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  const status = objectField(service, 'status');
  status.loadBalancer ??= {};
}

/**
 * On an update, carries the allocated values a client may leave out (cluster IPs, IP families and policy,
 * the node port of each port kept) over from the stored Service, then defaults as on create (allocating
 * what a type change newly needs), as the service REST's `patchAllocatedValues` and defaulting do.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/service/storage/storage.go
 */
export function keepAllocatedServiceValues(service: KubeObject, current: KubeObject): void {
  const spec = objectField(service, 'spec');
  const old = objectField(structuredClone(current), 'spec');
  const type = spec.type ?? 'ClusterIP';
  if (type !== 'ExternalName' && old.type !== 'ExternalName') {
    if (spec.clusterIP === undefined || spec.clusterIP === '') {
      spec.clusterIP = old.clusterIP;
      spec.clusterIPs ??= old.clusterIPs;
    }
    spec.ipFamilies ??= old.ipFamilies;
    spec.ipFamilyPolicy ??= old.ipFamilyPolicy;
  }
  if (type === 'NodePort' || type === 'LoadBalancer') {
    const oldPorts = objectItems(old.ports);
    for (const port of objectItems(spec.ports)) {
      if (port.nodePort !== undefined && port.nodePort !== 0) continue;
      const protocol = port.protocol ?? 'TCP';
      const match = oldPorts.find((p) => p.port === port.port && (p.protocol ?? 'TCP') === protocol);
      if (match?.nodePort !== undefined) port.nodePort = match.nodePort;
    }
  }
  defaultService(service);
}
