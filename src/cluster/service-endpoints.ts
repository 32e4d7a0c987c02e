import { podKind } from '../registry/built-in-kinds.js';
import { podCondition } from '../registry/pod-conditions.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';

type Json = Record<string, unknown>;

/** A port of a Service resolved against one pod. */
export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One pod behind a Service, as both endpoints controllers see it. */
export interface ServiceEndpoint {
  pod: KubeObject;
  ip: string;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  ports: ResolvedPort[];
}

/** The Service's selector, or undefined when it has none (its endpoints are somebody else's business). */
export function selectorOf(service: KubeObject): Record<string, string> | undefined {
  const selector = (service.spec as Json | undefined)?.selector as Record<string, string> | null | undefined;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

/**
 * A Service's `targetPort` for a pod: a number as it is, a name looked up among the pod's container
 * ports (`podutil.FindPort`); undefined when the pod has no port of that name.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/api/v1/pod/util.go (FindPort)
 */
export function findPort(pod: KubeObject, servicePort: Json): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = (servicePort.protocol as string | undefined) ?? 'TCP';
  const asNumber = /^\d+$/.test(String(target)) ? Number(target) : undefined;
  if (asNumber !== undefined) return asNumber;
  for (const container of ((pod.spec as Json | undefined)?.containers as Json[] | undefined) ?? []) {
    for (const port of (container.ports as Json[] | undefined) ?? []) {
      if (port.name === target && ((port.protocol as string | undefined) ?? 'TCP') === protocol)
        return port.containerPort as number;
    }
  }
  return undefined;
}

/**
 * The pods behind a Service: those of its namespace its selector matches that have an IP and are not
 * finished, each with its readiness (the pod's Ready condition, or always with
 * `publishNotReadyAddresses`), whether it is terminating, and the Service's ports resolved for it (a named
 * port the pod lacks is left out for that pod).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/util/endpoint/controller_utils.go (ShouldPodBeInEndpoints)
 */
export function serviceEndpoints(store: ObjectStore, service: KubeObject): ServiceEndpoint[] {
  const selector = selectorOf(service);
  if (!selector) return [];
  const spec = (service.spec ?? {}) as Json;
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const namespace = service.metadata?.namespace ?? '';
  const matches = (pod: KubeObject) => {
    const labels = pod.metadata?.labels ?? {};
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
  };
  const result: ServiceEndpoint[] = [];
  for (const pod of store.list({ kind: podKind, namespace }, matches).items) {
    const status = (pod.status ?? {}) as Json;
    const ip = status.podIP as string | undefined;
    if (!ip || status.phase === 'Succeeded' || status.phase === 'Failed') continue;
    const ready = podCondition(status, 'Ready')?.status === 'True';
    const terminating = Boolean(pod.metadata?.deletionTimestamp);
    const ports: ResolvedPort[] = [];
    for (const servicePort of (spec.ports as Json[] | undefined) ?? []) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue;
      ports.push({
        ...(servicePort.name ? { name: servicePort.name as string } : {}),
        port,
        protocol: (servicePort.protocol as string | undefined) ?? 'TCP',
        ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol as string } : {}),
      });
    }
    const nodeName = (pod.spec as Json | undefined)?.nodeName as string | undefined;
    result.push({
      pod,
      ip,
      ...(nodeName ? { nodeName } : {}),
      ready: !terminating && (ready || publishNotReady),
      serving: ready || publishNotReady,
      terminating,
      ports,
    });
  }
  return result.sort((a, b) => compareIps(a.ip, b.ip));
}

function compareIps(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

/** The reference to a pod an endpoint carries. */
export function podReference(pod: KubeObject): Json {
  return {
    kind: 'Pod',
    namespace: pod.metadata?.namespace,
    name: pod.metadata?.name,
    uid: pod.metadata?.uid,
  };
}

/** The key of a port list, to group endpoints that expose the same ports. */
export function portsKey(ports: readonly ResolvedPort[]): string {
  return JSON.stringify(ports);
}
