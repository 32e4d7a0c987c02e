import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { podKind } from '../../registry/built-in-kinds.js';
import { replicaSetKind } from '../../registry/apps-kinds.js';
import { replicationControllerKind } from '../../registry/kinds/core-kinds.js';
import type { KubeObject, ResourceKind } from '../../registry/resource-kind.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from '../cluster-context.js';
import {
  availableAt,
  comparePodsForDeletion,
  controllerOf,
  controllerRefTo,
  isPodActive,
  isPodAvailable,
  isPodReady,
  meta,
  podFromTemplate,
  selects,
  specOf,
  statusOf,
} from './pods.js';
import { keyOf, ReconcileQueue, splitKey } from '../reconcile-queue.js';
import { kubeTimestamp } from '../../store/object-store.js';

/** What differs between the ReplicaSet and the ReplicationController controllers. */
interface ReplicaControllerShape {
  name: string;
  kind: ResourceKind;
  /** The event source (`replicaset-controller`). */
  component: string;
  /** The selector as a `metav1.LabelSelector`. */
  selectorOf(owner: KubeObject): unknown;
}

/** kube-controller-manager's `burstReplicas`: at most this many pods created or deleted per sync. */
const BURST_REPLICAS = 500;

/** The pods a controller owns in its namespace, adopting orphans its selector matches (`ClaimPods`). */
function claimPods(context: ClusterContext, shape: ReplicaControllerShape, owner: KubeObject): KubeObject[] {
  const { namespace } = meta(owner);
  const selector = shape.selectorOf(owner);
  const claimed: KubeObject[] = [];
  for (const pod of context.store.list({ kind: podKind, namespace }).items) {
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.uid === meta(owner).uid) claimed.push(pod);
      continue;
    }
    if (meta(owner).deletionTimestamp || pod.metadata?.deletionTimestamp || !selects(selector, pod)) continue;
    // An orphan the selector matches is adopted, as the ControllerRefManager does.
    const adopted = structuredClone(pod);
    adopted.metadata!.ownerReferences = [...meta(pod).ownerReferences, controllerRefTo(owner, shape.kind)];
    try {
      claimed.push(context.writers['kube-controller-manager'].update(podKind, adopted));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }
  return claimed;
}

/**
 * Creates or deletes pods so that `spec.replicas` are active, as `manageReplicas` does, with the
 * SuccessfulCreate / SuccessfulDelete events (FailedCreate / FailedDelete when the API refuses).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/replicaset/replica_set.go
 */
function manageReplicas(
  context: ClusterContext,
  shape: ReplicaControllerShape,
  owner: KubeObject,
  active: KubeObject[],
): string | undefined {
  const desired = Number(specOf(owner).replicas ?? 1);
  const diff = active.length - desired;
  const event = (type: 'Normal' | 'Warning', reason: string, message: string): void =>
    context.recordEvent({ involvedObject: owner, type, reason, message, component: shape.component });
  if (diff < 0) {
    const ref = controllerRefTo(owner, shape.kind);
    for (let i = 0; i < Math.min(-diff, BURST_REPLICAS); i++) {
      const pod = podFromTemplate(specOf(owner).template, meta(owner).namespace, `${meta(owner).name}-`, ref);
      try {
        const created = context.writers['kube-controller-manager'].create(podKind, pod);
        event('Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        event('Warning', 'FailedCreate', `Error creating: ${message}`);
        return message;
      }
    }
  } else if (diff > 0) {
    // Pods of this owner sharing a node rank higher: they go first (getPodsRankedByRelatedPodsOnSameNode).
    const perNode = new Map<string, number>();
    for (const pod of active) {
      const node = specOf(pod).nodeName as string | undefined;
      if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    const ranks = new Map(active.map((pod) => [pod, perNode.get(specOf(pod).nodeName as string) ?? 0]));
    const victims = [...active].sort(comparePodsForDeletion(ranks)).slice(0, Math.min(diff, BURST_REPLICAS));
    for (const pod of victims) {
      try {
        deleteObject(context, podKind, meta(pod).namespace, meta(pod).name, {
          preconditions: { uid: meta(pod).uid },
        });
        event('Normal', 'SuccessfulDelete', `Deleted pod: ${meta(pod).name}`);
      } catch (error) {
        if (error instanceof ApiError && error.code === 404) continue;
        const message = error instanceof Error ? error.message : String(error);
        event('Warning', 'FailedDelete', `Error deleting: ${message}`);
        return message;
      }
    }
  }
  return undefined;
}

/**
 * The status `calculateStatus` computes: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
 * observedGeneration, and the ReplicaFailure condition while creating or deleting fails.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/replicaset/replica_set_utils.go
 */
function calculateStatus(
  context: ClusterContext,
  owner: KubeObject,
  active: KubeObject[],
  failure: string | undefined,
): Record<string, unknown> {
  const spec = specOf(owner);
  const templateLabels = (spec.template?.metadata?.labels as Record<string, string> | undefined) ?? {};
  const minReadySeconds = Number(spec.minReadySeconds ?? 0);
  const now = context.clock.now();
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of active) {
    const labels = meta(pod).labels;
    if (Object.entries(templateLabels).every(([key, value]) => labels[key] === value)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  const previous = statusOf(owner);
  let conditions = ((previous.conditions as Record<string, unknown>[] | undefined) ?? []).filter(
    (condition) => condition.type !== 'ReplicaFailure',
  );
  if (failure) {
    const existing = (previous.conditions as Record<string, unknown>[] | undefined)?.find(
      (condition) => condition.type === 'ReplicaFailure',
    );
    const desired = Number(spec.replicas ?? 1);
    conditions = [
      ...conditions,
      existing ?? {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: kubeTimestamp(now),
        reason: active.length < desired ? 'FailedCreate' : 'FailedDelete',
        message: failure,
      },
    ];
  }
  return {
    replicas: active.length,
    ...(fullyLabeled ? { fullyLabeledReplicas: fullyLabeled } : {}),
    ...(ready ? { readyReplicas: ready } : {}),
    ...(available ? { availableReplicas: available } : {}),
    observedGeneration: meta(owner).generation,
    ...(conditions.length > 0 ? { conditions } : {}),
  };
}

function replicaController(shape: ReplicaControllerShape): ClusterComponent {
  return {
    name: shape.name,
    start(context) {
      const ownerKey = storageKeyOf(shape.kind);
      const podKey = storageKeyOf(podKind);
      const writer = context.writers['kube-controller-manager'];
      const sync = (key: string) => {
        const [namespace, name] = splitKey(key);
        const owner = context.store.get(shape.kind, namespace, name);
        if (!owner) return;
        const pods = claimPods(context, shape, owner);
        const active = pods.filter(isPodActive);
        const failure = meta(owner).deletionTimestamp
          ? undefined
          : manageReplicas(context, shape, owner, active);
        const current = context.store.get(shape.kind, namespace, name);
        if (!current || current.metadata?.uid !== owner.metadata?.uid) return;
        const after = claimPods(context, shape, current).filter(isPodActive);
        const status = calculateStatus(context, current, after, failure);
        if (!isDeepStrictEqual(status, statusOf(current))) {
          writer.updateStatus(shape.kind, { ...current, status });
        }
        // A Ready pod becomes available after minReadySeconds: look again then.
        const minReadySeconds = Number(specOf(current).minReadySeconds ?? 0);
        if (minReadySeconds > 0) {
          const now = context.clock.now().getTime();
          const next = after
            .map((pod) => availableAt(pod, minReadySeconds))
            .filter((at): at is number => at !== undefined && at > now)
            .sort((a, b) => a - b)[0];
          if (next !== undefined) return { requeueAfterMs: next - now };
        }
        return undefined;
      };
      const queue = new ReconcileQueue(shape.name, context.timers, sync, context.log);
      const enqueueOwnersOfPod = (pod: KubeObject | undefined): void => {
        if (!pod) return;
        const ref = controllerOf(pod);
        if (ref) {
          if (ref.kind === shape.kind.kind) queue.add(`${meta(pod).namespace}/${ref.name}`);
          return;
        }
        // An orphan: every owner whose selector matches it may adopt it.
        for (const owner of context.store.list({ kind: shape.kind, namespace: meta(pod).namespace }).items) {
          if (selects(shape.selectorOf(owner), pod)) queue.add(keyOf(owner));
        }
      };
      const unsubscribe = context.store.subscribe((event) => {
        if (event.kindKey === ownerKey) {
          if (event.type !== 'DELETED') queue.add(keyOf(event.object));
        } else if (event.kindKey === podKey) {
          enqueueOwnersOfPod(event.object);
          if (event.previous && controllerOf(event.previous)?.uid !== controllerOf(event.object)?.uid) {
            enqueueOwnersOfPod(event.previous);
          }
        }
      });
      for (const owner of context.store.list({ kind: shape.kind }).items) queue.add(keyOf(owner));
      return () => {
        unsubscribe();
        queue.stop();
      };
    },
  };
}

/**
 * kube-controller-manager's `replicaset` controller.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/replicaset/replica_set.go
 */
export const replicaSetController: ClusterComponent = replicaController({
  name: 'replicaset',
  kind: replicaSetKind,
  component: 'replicaset-controller',
  selectorOf: (owner) => specOf(owner).selector,
});

/**
 * kube-controller-manager's `replicationcontroller` controller: the ReplicaSet controller over
 * ReplicationControllers, whose selector is a map of labels.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/replication/replication_controller.go
 */
export const replicationControllerController: ClusterComponent = replicaController({
  name: 'replicationcontroller',
  kind: replicationControllerKind,
  component: 'replication-controller',
  selectorOf: (owner) => ({ matchLabels: specOf(owner).selector ?? {} }),
});
