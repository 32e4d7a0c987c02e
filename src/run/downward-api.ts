/**
 * The downward API as the kubelet resolves it, for environment variables (`fieldRef`, `resourceFieldRef`) and
 * `downwardAPI` volume items.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kubelet_pods.go (podFieldSelectorRuntimeValue)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/fieldpath/fieldpath.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/api/v1/resource/helpers.go
 */
import { isJsonObject, type JsonObject } from '../json/json-object.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { parseQuantity } from '../registry/pod-qos.js';
import { goQuote } from '../json/go-quote.js';

/** Why a pod's environment or volume cannot be made, in the kubelet's words. */
export class PodConfigError extends Error {}

/**
 * What the node offers, in nano units (as `parseQuantity` counts them): the limits of a container that sets
 * none, as `defaultPodLimitsForDownwardAPI` takes them from the node's allocatable.
 */
export interface NodeAllocatable {
  cpu: bigint;
  memory: bigint;
  'ephemeral-storage': bigint;
}

/** `fieldpath.FormatMap`: `key="value"` lines in key order, as a downward-API file of labels holds them. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${goQuote(map![key]!)}`)
    .join('\n');
}

function stringMap(value: unknown): Record<string, string> {
  return isJsonObject(value) ? (value as Record<string, string>) : {};
}

/** `metadata.labels['key']` → `['metadata.labels', 'key']`, as `SplitMaybeSubscriptedPath` splits it. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  const match = /^([^[]+)\[(.*)\]$/.exec(fieldPath);
  if (!match) return undefined;
  const subscript = match[2]!;
  const quoted = /^'(.*)'$/.exec(subscript) ?? /^"(.*)"$/.exec(subscript);
  return quoted ? [match[1]!, quoted[1]!] : undefined;
}

/** The pod's IPs, as its status lists them. */
export function podIps(pod: KubeObject): string[] {
  const status = (pod.status ?? {}) as { podIP?: unknown; podIPs?: unknown };
  const listed = Array.isArray(status.podIPs)
    ? status.podIPs.flatMap((entry) =>
        isJsonObject(entry) && typeof entry.ip === 'string' ? [entry.ip] : [],
      )
    : [];
  if (listed.length > 0) return listed;
  return typeof status.podIP === 'string' && status.podIP ? [status.podIP] : [];
}

/**
 * The value of a `fieldRef`: in an environment variable, also `spec.nodeName`, `spec.serviceAccountName`
 * and the `status` IPs (`forEnv`), as `podFieldSelectorRuntimeValue` resolves them; in a volume, the
 * metadata fields only, `metadata.labels` and `metadata.annotations` whole included.
 */
export function podFieldValue(pod: KubeObject, fieldPath: string, { forEnv }: { forEnv: boolean }): string {
  const spec = (pod.spec ?? {}) as { nodeName?: string; serviceAccountName?: string };
  const status = (pod.status ?? {}) as { hostIP?: string; hostIPs?: unknown };
  if (forEnv) {
    switch (fieldPath) {
      case 'spec.nodeName':
        return spec.nodeName ?? '';
      case 'spec.serviceAccountName':
        return spec.serviceAccountName ?? '';
      case 'status.hostIP':
        return status.hostIP ?? '';
      case 'status.hostIPs': {
        const ips = Array.isArray(status.hostIPs)
          ? status.hostIPs.flatMap((entry) =>
              isJsonObject(entry) && typeof entry.ip === 'string' ? [entry.ip] : [],
            )
          : [];
        return (ips.length > 0 ? ips : status.hostIP ? [status.hostIP] : []).join(',');
      }
      case 'status.podIP':
        return podIps(pod)[0] ?? '';
      case 'status.podIPs':
        return podIps(pod).join(',');
    }
  }
  const metadata = pod.metadata ?? {};
  const subscripted = splitSubscript(fieldPath);
  if (subscripted) {
    const [path, key] = subscripted;
    if (path === 'metadata.labels') return stringMap(metadata.labels)[key] ?? '';
    if (path === 'metadata.annotations') return stringMap(metadata.annotations)[key] ?? '';
    throw new PodConfigError(`fieldPath "${path}" does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.name':
      return metadata.name ?? '';
    case 'metadata.namespace':
      return metadata.namespace ?? '';
    case 'metadata.uid':
      return metadata.uid ?? '';
  }
  if (!forEnv) {
    if (fieldPath === 'metadata.labels') return formatMap(stringMap(metadata.labels));
    if (fieldPath === 'metadata.annotations') return formatMap(stringMap(metadata.annotations));
  }
  throw new PodConfigError(`unsupported fieldPath: ${fieldPath}`);
}

/** What a `resourceFieldRef` names. */
export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

function quantity(value: unknown): bigint | undefined {
  if (typeof value === 'number') return parseQuantity(String(value));
  return typeof value === 'string' ? parseQuantity(value) : undefined;
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) return 0n;
  const quotient = numerator / denominator;
  return quotient * denominator === numerator || numerator < 0n ? quotient : quotient + 1n;
}

/**
 * The value of a `resourceFieldRef`: the container's limit (the node's allocatable when it sets none) or
 * request, divided by `divisor` and rounded up, as `ExtractContainerResourceValue` computes it (CPU in
 * millicores, the rest in whole units).
 */
export function resourceFieldValue(
  pod: KubeObject,
  container: JsonObject,
  selector: ResourceFieldSelector,
  allocatable: NodeAllocatable,
): string {
  let target = container;
  if (selector.containerName) {
    const containers = [
      ...((pod.spec as { containers?: unknown[] } | undefined)?.containers ?? []),
      ...((pod.spec as { initContainers?: unknown[] } | undefined)?.initContainers ?? []),
    ].filter(isJsonObject);
    const named = containers.find((candidate) => candidate.name === selector.containerName);
    if (!named) throw new PodConfigError(`container ${selector.containerName} not found`);
    target = named;
  }
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(selector.resource);
  if (!match) throw new PodConfigError(`unsupported container resource : ${selector.resource}`);
  const [, bound, resource] = match as unknown as [string, 'limits' | 'requests', keyof NodeAllocatable];
  const resources = isJsonObject(target.resources) ? target.resources : {};
  const limits = isJsonObject(resources.limits) ? resources.limits : {};
  const requests = isJsonObject(resources.requests) ? resources.requests : {};
  let amount: bigint;
  if (bound === 'limits') amount = quantity(limits[resource]) ?? allocatable[resource];
  else amount = quantity(requests[resource]) ?? 0n;
  let divisor = quantity(selector.divisor ?? '1') ?? 1_000_000_000n;
  if (divisor === 0n) divisor = 1_000_000_000n;
  if (resource === 'cpu') {
    // As MilliValue() does: each side in whole millicores, rounded up, before the division.
    const milli = (nano: bigint) => ceilDiv(nano, 1_000_000n);
    return String(ceilDiv(milli(amount), milli(divisor)));
  }
  const whole = (nano: bigint) => ceilDiv(nano, 1_000_000_000n);
  return String(ceilDiv(whole(amount), whole(divisor)));
}
