import { POD_TEMPLATE_SPEW } from './pod-template-spew.generated.js';
import { goJsonValue, goMarshalSorted } from './go-json.js';
import { SpewPrinter } from './spew.js';

const printer = new SpewPrinter(POD_TEMPLATE_SPEW);

/** FNV-1a, 32 bits, over bytes: Go's `hash/fnv.New32a`. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * apimachinery's `rand.SafeEncodeString`: every byte mapped into an alphabet without vowels and look-alikes.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go
 */
export function safeEncodeString(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) out += ALPHANUMS[byte % ALPHANUMS.length];
  return out;
}

/** go-spew's `%#v` of a core/v1 PodTemplateSpec, as `hashutil.DeepHashObject` writes it. */
export function spewPodTemplate(template: unknown): string {
  return printer.print(template ?? {}, POD_TEMPLATE_SPEW.root);
}

/**
 * The pod-template-hash of a template: FNV-1a of its spew text, then the collision count as 8 little-endian
 * bytes, rendered with `SafeEncodeString`, as the deployment controller names its ReplicaSets.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/controller_utils.go (ComputeHash)
 */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let hash = fnv32a(Buffer.from(spewPodTemplate(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}

/** FNV-1, 32 bits: Go's `hash/fnv.New32`. */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed;
  for (const byte of bytes) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash ^= byte;
  }
  return hash >>> 0;
}

/**
 * The StatefulSet (and DaemonSet) revision patch `getPatch` makes of a pod template:
 * `{"spec":{"template":{"$patch":"replace",...}}}`, Go's JSON with sorted keys.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/statefulset/stateful_set_utils.go
 */
export function revisionPatch(template: unknown): string {
  const encoded = goJsonValue(POD_TEMPLATE_SPEW, template ?? {}, POD_TEMPLATE_SPEW.root) as Record<
    string,
    unknown
  >;
  return goMarshalSorted({ spec: { template: { ...encoded, $patch: 'replace' } } });
}

/**
 * `HashControllerRevision`: FNV-1 of the revision's data, then the collision count's decimal digits,
 * rendered with `SafeEncodeString`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/history/controller_history.go
 */
export function controllerRevisionHash(data: string, probe?: number | null): string {
  let hash = fnv32(Buffer.from(data, 'utf8'));
  if (probe !== undefined && probe !== null) hash = fnv32(Buffer.from(String(probe), 'utf8'), hash);
  return safeEncodeString(String(hash));
}
