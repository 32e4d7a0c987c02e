import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { kubeTimestamp, type ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import type { DeletionRequest } from './deletion-policy.js';

/** The stores whose pods a kubelet runs: their bound pods are deleted gracefully. */
const kubeletRuns = new WeakMap<ObjectStore, number>();

/**
 * Turns on the graceful deletion of bound pods for a store while a kubelet runs for it: a pod on a node then
 * gets `deletionTimestamp` and `deletionGracePeriodSeconds` and stays `Terminating` until its kubelet deletes
 * it. Without a kubelet (the static API) a pod goes at once, as if a kubelet had confirmed at once: on a
 * cluster whose kubelet is gone, it would stay Terminating for ever. Returns the function that turns it off.
 */
export function enableGracefulPodDeletion(store: ObjectStore): () => void {
  kubeletRuns.set(store, (kubeletRuns.get(store) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    kubeletRuns.set(store, (kubeletRuns.get(store) ?? 1) - 1);
  };
}

/** What a graceful deletion decided: nothing to do here, or the object marked (or left) as pending. */
export type GracefulOutcome = { pending: KubeObject } | { marked: KubeObject } | undefined;

/**
 * The pod strategy's `CheckGracefulDelete` and the generic `BeforeDelete`: the grace period is the
 * request's, else the pod's `terminationGracePeriodSeconds`; 0 for a pod not bound to a node or already
 * finished; negative becomes 1. A first deletion sets `deletionTimestamp` to now plus the period; a later one
 * may only shorten it. Undefined when the pod goes now (period 0) or the kind is not a pod.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/registry/core/pod/strategy.go (CheckGracefulDelete)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go (BeforeDelete)
 */
export function gracefulPodDeletion(
  deps: { store: ObjectStore; clock: Clock },
  kind: ResourceKind,
  current: KubeObject,
  request: DeletionRequest,
): GracefulOutcome {
  if (kind.group !== '' || kind.resource !== 'pods' || !(kubeletRuns.get(deps.store) ?? 0)) return undefined;
  const spec = (current.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (current.status as { phase?: string } | undefined)?.phase;
  let period = request.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 0;
  if (!spec.nodeName || phase === 'Failed' || phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  const metadata = current.metadata ?? {};
  const marked = structuredClone(current);
  const markedMeta = marked.metadata!;
  if (metadata.deletionTimestamp) {
    const grace = metadata.deletionGracePeriodSeconds as number | null | undefined;
    if (grace === undefined || grace === null) return undefined;
    if (period >= grace) return { pending: current };
    const start = Date.parse(metadata.deletionTimestamp) - grace * 1000;
    markedMeta.deletionTimestamp = kubeTimestamp(new Date(start + period * 1000));
  } else {
    if (period === 0) return undefined;
    markedMeta.deletionTimestamp = kubeTimestamp(new Date(deps.clock.now().getTime() + period * 1000));
  }
  markedMeta.deletionGracePeriodSeconds = period;
  // A period of 0 with finalizers still pending is the finalizers' business.
  if (period === 0) return undefined;
  return { marked };
}
