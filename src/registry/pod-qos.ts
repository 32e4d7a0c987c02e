/**
 * A pod's quality-of-service class, as kube-apiserver computes it on create, and the defaulting it depends on
 * (requests taken from limits).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/helper/qos/qos.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/v1/defaults.go
 */

import { isJsonObject, type JsonObject } from '../json/json-object.js';

/** `Guaranteed`, `Burstable` or `BestEffort`. */
export type PodQosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The resources `ComputePodQOS` looks at (`isSupportedQoSComputeResource`). */
const QOS_RESOURCES = ['cpu', 'memory'] as const;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** Scale of the exact integers quantities are compared in: nano units, the finest a quantity keeps. */
const NANO_EXPONENT = 9;

/**
 * A `resource.Quantity` as an exact count of nano units (`"100m"` → 100000000n), or undefined when the string
 * is not a quantity. Precision below a nano unit is rounded up, as `Quantity` does.
 */
export function parseQuantity(text: string): bigint | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponentPart, suffix = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  let digits = BigInt(`${whole}${fraction}` || '0');
  let exponent = -fraction.length + NANO_EXPONENT;
  if (exponentPart) exponent += Number(exponentPart.slice(1));
  else if (suffix in BINARY_SUFFIXES) digits *= BINARY_SUFFIXES[suffix]!;
  else exponent += DECIMAL_SUFFIXES[suffix]!;
  let value: bigint;
  if (exponent >= 0) value = digits * 10n ** BigInt(exponent);
  else {
    const divisor = 10n ** BigInt(-exponent);
    value = (digits + divisor - 1n) / divisor;
  }
  return sign === '-' ? -value : value;
}

function quantityOf(value: unknown): bigint {
  if (typeof value === 'number') return parseQuantity(String(value)) ?? 0n;
  return typeof value === 'string' ? (parseQuantity(value) ?? 0n) : 0n;
}

function containersOf(spec: JsonObject): JsonObject[] {
  return [spec.containers, spec.initContainers].flatMap((list) =>
    Array.isArray(list) ? list.filter(isJsonObject) : [],
  );
}

/**
 * `SetDefaults_Pod`: a container (or init container) with limits but no request for a resource requests its
 * limit. Pods only: a workload's pod template is not defaulted this way.
 */
export function defaultRequestsFromLimits(spec: JsonObject): void {
  for (const container of containersOf(spec)) {
    const resources = container.resources;
    if (!isJsonObject(resources) || !isJsonObject(resources.limits)) continue;
    const requests = isJsonObject(resources.requests) ? resources.requests : {};
    for (const [name, limit] of Object.entries(resources.limits)) {
      if (!(name in requests)) requests[name] = limit;
    }
    if (Object.keys(requests).length > 0) resources.requests = requests;
  }
}

/**
 * `ComputePodQOS`: BestEffort when no container requests or limits cpu or memory, Guaranteed when every
 * container limits both and the pod's summed requests equal its summed limits, Burstable otherwise.
 * Zero quantities count as unset.
 */
export function computePodQos(spec: JsonObject): PodQosClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const container of containersOf(spec)) {
    const resources = isJsonObject(container.resources) ? container.resources : {};
    const add = (into: Map<string, bigint>, list: unknown): Set<string> => {
      const found = new Set<string>();
      if (!isJsonObject(list)) return found;
      for (const name of QOS_RESOURCES) {
        const quantity = quantityOf(list[name]);
        if (quantity <= 0n) continue;
        found.add(name);
        into.set(name, (into.get(name) ?? 0n) + quantity);
      }
      return found;
    };
    add(requests, resources.requests);
    const limited = add(limits, resources.limits);
    if (!limited.has('cpu') || !limited.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      if (limits.get(name) !== request) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
