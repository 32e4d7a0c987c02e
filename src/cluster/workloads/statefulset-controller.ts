import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { statefulSetKind } from '../../registry/apps-kinds.js';
import { podKind } from '../../registry/built-in-kinds.js';
import { persistentVolumeClaimKind } from '../../registry/kinds/core-kinds.js';
import type { KubeObject } from '../../registry/resource-kind.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from '../cluster-context.js';
import { revisionPatch } from './pod-template-hash.js';
import {
  availableAt,
  controllerOf,
  controllerRefTo,
  isPodAvailable,
  isPodReady,
  meta,
  podFromTemplate,
  podPhase,
  specOf,
  statusOf,
  type Fields,
} from './pods.js';
import { keyOf, ReconcileQueue, splitKey, type SyncResult } from '../reconcile-queue.js';
import { ensureUpdateRevision, ownedRevisions, truncateHistory } from './revisions.js';

const COMPONENT = 'statefulset-controller';
const REVISION_LABEL = 'controller-revision-hash';
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

function ordinalOf(set: KubeObject, pod: KubeObject): number | undefined {
  const prefix = `${meta(set).name}-`;
  const name = meta(pod).name;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

function isRunningAndReady(pod: KubeObject): boolean {
  return podPhase(pod) === 'Running' && isPodReady(pod);
}

function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

function revisionOfPod(pod: KubeObject): string {
  return meta(pod).labels[REVISION_LABEL] ?? '';
}

/**
 * One sync of a StatefulSet, as `defaultStatefulSetControl.UpdateStatefulSet` (v1.33): revisions, pods
 * `<set>-<ordinal>` (from `spec.ordinals.start`) with their identity (hostname, subdomain, the pod-name,
 * pod-index and controller-revision-hash labels) and claims, OrderedReady (one pod at a time, each Running and
 * Ready — and available after minReadySeconds — before the next; scale-down from the highest ordinal) or
 * Parallel, RollingUpdate from the highest ordinal down to the partition, or OnDelete; failed pods replaced;
 * the status (replicas, ready, available, current, updated, revisions, collisionCount).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/statefulset/stateful_set_control.go
 */
class StatefulSetSync {
  requeueAfterMs: number | undefined;

  constructor(
    private readonly context: ClusterContext,
    private set: KubeObject,
  ) {}

  get #writer() {
    return this.context.writers['kube-controller-manager'];
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.context.recordEvent({ involvedObject: this.set, type, reason, message, component: COMPONENT });
  }

  /** `recordPodEvent`: `SuccessfulCreate`, "create Pod web-0 in StatefulSet web successful". */
  #podEvent(verb: 'create' | 'update' | 'delete', pod: KubeObject, error?: unknown): void {
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    if (error === undefined) {
      this.#event(
        'Normal',
        `Successful${title}`,
        `${verb} Pod ${meta(pod).name} in StatefulSet ${meta(this.set).name} successful`,
      );
    } else {
      const message = error instanceof Error ? error.message : String(error);
      this.#event(
        'Warning',
        `Failed${title}`,
        `${verb} Pod ${meta(pod).name} in StatefulSet ${meta(this.set).name} failed error: ${message}`,
      );
    }
  }

  #pods(): KubeObject[] {
    const { namespace, uid } = meta(this.set);
    return this.context.store
      .list({ kind: podKind, namespace })
      .items.filter((pod) => controllerOf(pod)?.uid === uid);
  }

  run(): SyncResult {
    const set = this.set;
    const spec = specOf(set);
    const status: Fields = structuredClone(statusOf(set));
    const revisions = ownedRevisions(this.context, set);
    const labels = (spec.template?.metadata?.labels as Record<string, string> | undefined) ?? {};
    const patch = revisionPatch(spec.template);
    const { revision: updateRevision, collisionCount } = ensureUpdateRevision(
      this.context,
      set,
      statefulSetKind,
      patch,
      labels,
      revisions,
      // getStatefulSetRevisions: a nil count is 0, hashed and written back (status.collisionCount: 0).
      (status.collisionCount as number | undefined) ?? 0,
    );
    const currentRevisionName =
      revisions.find((revision) => meta(revision).name === status.currentRevision) && status.currentRevision
        ? (status.currentRevision as string)
        : meta(updateRevision).name;
    const currentRevision =
      revisions.find((revision) => meta(revision).name === currentRevisionName) ?? updateRevision;

    if (!meta(set).deletionTimestamp) this.#updatePods(currentRevision, updateRevision, status);

    const pods = this.#pods();
    const minReadySeconds = Number(spec.minReadySeconds ?? 0);
    const now = this.context.clock.now();
    const replicas = Number(spec.replicas ?? 1);
    let counts = { replicas: 0, ready: 0, available: 0, current: 0, updated: 0 };
    for (const pod of pods) {
      counts.replicas++;
      if (isRunningAndReady(pod)) {
        counts.ready++;
        if (isPodAvailable(pod, minReadySeconds, now)) counts.available++;
      }
      if (!isTerminating(pod)) {
        if (revisionOfPod(pod) === meta(currentRevision).name) counts.current++;
        if (revisionOfPod(pod) === meta(updateRevision).name) counts.updated++;
      }
    }
    let currentName = meta(currentRevision).name;
    if (
      spec.updateStrategy?.type === 'RollingUpdate' &&
      counts.updated === replicas &&
      counts.ready === replicas &&
      counts.replicas === replicas
    ) {
      counts = { ...counts, current: counts.updated };
      currentName = meta(updateRevision).name;
    }
    const next: Fields = {
      observedGeneration: meta(set).generation,
      replicas: counts.replicas,
      ...(counts.ready ? { readyReplicas: counts.ready } : {}),
      ...(counts.current ? { currentReplicas: counts.current } : {}),
      ...(counts.updated ? { updatedReplicas: counts.updated } : {}),
      currentRevision: currentName,
      updateRevision: meta(updateRevision).name,
      ...(collisionCount !== undefined ? { collisionCount } : {}),
      ...(status.conditions ? { conditions: status.conditions } : {}),
      availableReplicas: counts.available,
    };
    if (!isDeepStrictEqual(next, statusOf(this.set))) {
      this.set = this.#writer.updateStatus(statefulSetKind, { ...this.set, status: next });
    }
    const live = new Set([currentName, meta(updateRevision).name, ...pods.map(revisionOfPod)]);
    truncateHistory(
      this.context,
      ownedRevisions(this.context, this.set),
      live,
      Number(spec.revisionHistoryLimit ?? 10),
    );
    if (minReadySeconds > 0) {
      const pending = pods
        .map((pod) => availableAt(pod, minReadySeconds))
        .filter((at): at is number => at !== undefined && at > now.getTime())
        .sort((a, b) => a - b)[0];
      if (pending !== undefined) this.requeueAfterMs = pending - now.getTime();
    }
    return this.requeueAfterMs === undefined ? undefined : { requeueAfterMs: this.requeueAfterMs };
  }

  /**
   * The pod for an ordinal, at a revision (`newVersionedStatefulSetPod`): the template the revision recorded
   * (`ApplyRevision`), the identity and the storage.
   */
  #newPod(ordinal: number, revision: KubeObject, template: Fields | undefined): KubeObject {
    const set = this.set;
    const name = `${meta(set).name}-${ordinal}`;
    const pod = podFromTemplate(template, meta(set).namespace, '', controllerRefTo(set, statefulSetKind));
    delete pod.metadata!.generateName;
    pod.metadata!.name = name;
    pod.metadata!.labels = {
      ...(pod.metadata!.labels as Record<string, string> | undefined),
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
      [REVISION_LABEL]: meta(revision).name,
    };
    const podSpec = specOf(pod);
    podSpec.hostname = name;
    if (specOf(set).serviceName) podSpec.subdomain = specOf(set).serviceName;
    const claims = (specOf(set).volumeClaimTemplates as Fields[] | undefined) ?? [];
    if (claims.length > 0) {
      const volumes = ((podSpec.volumes as Fields[] | undefined) ?? []).filter(
        (volume) => !claims.some((claim) => claim.metadata?.name === volume.name),
      );
      podSpec.volumes = [
        ...claims.map((claim) => ({
          name: claim.metadata?.name,
          persistentVolumeClaim: { claimName: `${claim.metadata?.name}-${name}` },
        })),
        ...volumes,
      ];
    }
    return pod;
  }

  /** `createPersistentVolumeClaims`: each claim template's claim for a pod, if missing. */
  #createClaims(pod: KubeObject): void {
    const set = this.set;
    const claims = (specOf(set).volumeClaimTemplates as Fields[] | undefined) ?? [];
    for (const template of claims) {
      const name = `${template.metadata?.name}-${meta(pod).name}`;
      if (this.context.store.get(persistentVolumeClaimKind, meta(set).namespace, name)) continue;
      const labels = {
        ...((template.metadata?.labels as Record<string, string> | undefined) ?? {}),
        ...((specOf(set).selector?.matchLabels as Record<string, string> | undefined) ?? {}),
      };
      const retention = specOf(set).persistentVolumeClaimRetentionPolicy ?? {};
      const claim: KubeObject = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace: meta(set).namespace,
          ...(Object.keys(labels).length > 0 ? { labels } : {}),
          ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
          ...(retention.whenDeleted === 'Delete'
            ? {
                ownerReferences: [
                  { apiVersion: 'apps/v1', kind: 'StatefulSet', name: meta(set).name, uid: meta(set).uid },
                ],
              }
            : {}),
        },
        spec: structuredClone(template.spec ?? {}),
      };
      try {
        this.#writer.create(persistentVolumeClaimKind, claim);
        this.#event(
          'Normal',
          'SuccessfulCreate',
          `create Claim ${name} Pod ${meta(pod).name} in StatefulSet ${meta(set).name} success`,
        );
      } catch (error) {
        if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) {
          const message = error instanceof Error ? error.message : String(error);
          this.#event(
            'Warning',
            'FailedCreate',
            `create Claim ${name} for Pod ${meta(pod).name} in StatefulSet ${meta(set).name} failed error: ${message}`,
          );
          throw error;
        }
      }
    }
  }

  #createPod(pod: KubeObject): KubeObject | undefined {
    this.#createClaims(pod);
    try {
      const created = this.#writer.create(podKind, pod);
      this.#podEvent('create', pod);
      return created;
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'AlreadyExists') return undefined;
      this.#podEvent('create', pod, error);
      throw error;
    }
  }

  #deletePod(pod: KubeObject): void {
    try {
      deleteObject(this.context, podKind, meta(pod).namespace, meta(pod).name, {
        preconditions: { uid: meta(pod).uid },
      });
      this.#podEvent('delete', pod);
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return;
      this.#podEvent('delete', pod, error);
      throw error;
    }
  }

  /** Whether a pod is Running, Ready and (after minReadySeconds) available. */
  #healthy(pod: KubeObject): boolean {
    const minReadySeconds = Number(specOf(this.set).minReadySeconds ?? 0);
    return isRunningAndReady(pod) && isPodAvailable(pod, minReadySeconds, this.context.clock.now());
  }

  /** `updateStatefulSet`'s pod work: create, replace, scale down, roll. */
  #updatePods(currentRevision: KubeObject, updateRevision: KubeObject, status: Fields): void {
    const set = this.set;
    const spec = specOf(set);
    const replicaCount = Number(spec.replicas ?? 1);
    const start = Number(spec.ordinals?.start ?? 0);
    const end = start + replicaCount;
    const monotonic = spec.podManagementPolicy !== 'Parallel';
    const partition = Number(spec.updateStrategy?.rollingUpdate?.partition ?? 0);
    const rolling = spec.updateStrategy?.type === 'RollingUpdate';
    const pods = this.#pods();
    const replicas = new Map<number, KubeObject>();
    const condemned: KubeObject[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(set, pod);
      if (ordinal === undefined) continue;
      if (ordinal >= start && ordinal < end) replicas.set(ordinal, pod);
      else condemned.push(pod);
    }
    condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);
    // The revision a new pod gets: the current one below the partition, the update revision above it.
    const revisionFor = (ordinal: number): KubeObject => {
      const currentReplicas = Number(status.currentReplicas ?? 0);
      if (rolling && spec.updateStrategy?.rollingUpdate === undefined && ordinal < start + currentReplicas)
        return currentRevision;
      if (rolling && spec.updateStrategy?.rollingUpdate !== undefined && ordinal < start + partition)
        return currentRevision;
      return updateRevision;
    };
    const templateOf = (revision: KubeObject): Fields | undefined => {
      if (revision === updateRevision) return spec.template as Fields | undefined;
      const recorded = structuredClone(
        (revision.data as Fields | undefined)?.spec?.template as Fields | undefined,
      );
      if (recorded) delete recorded.$patch;
      return recorded ?? (spec.template as Fields | undefined);
    };

    let firstUnhealthy: KubeObject | undefined;
    for (let ordinal = start; ordinal < end; ordinal++) {
      let pod = replicas.get(ordinal);
      if (pod && (podPhase(pod) === 'Failed' || podPhase(pod) === 'Succeeded') && !isTerminating(pod)) {
        this.#deletePod(pod);
        replicas.delete(ordinal);
        pod = undefined;
        if (monotonic) return;
      }
      if (!pod) {
        const revision = revisionFor(ordinal);
        const fresh = this.#newPod(ordinal, revision, templateOf(revision));
        const created = this.#createPod(fresh);
        if (monotonic) return;
        if (created) replicas.set(ordinal, created);
        continue;
      }
      if (isTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      if (!this.#healthy(pod)) {
        firstUnhealthy ??= pod;
        if (monotonic) return;
      }
      // Identity: the labels a pod must carry (updateIdentity).
      const name = `${meta(set).name}-${ordinal}`;
      if (
        meta(pod).labels[POD_NAME_LABEL] !== name ||
        meta(pod).labels[POD_INDEX_LABEL] !== String(ordinal)
      ) {
        const copy = structuredClone(pod);
        copy.metadata!.labels = {
          ...meta(pod).labels,
          [POD_NAME_LABEL]: name,
          [POD_INDEX_LABEL]: String(ordinal),
        };
        this.#writer.update(podKind, copy);
        this.#podEvent('update', pod);
      }
    }

    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      // OrderedReady scales down only when every other pod is healthy, one pod at a time.
      if (monotonic && firstUnhealthy && firstUnhealthy !== pod) return;
      this.#deletePod(pod);
      if (monotonic) return;
    }

    if (!rolling) return;
    // RollingUpdate: from the highest ordinal down to the partition, one pod at a time.
    for (let ordinal = end - 1; ordinal >= start + partition; ordinal--) {
      const pod = replicas.get(ordinal);
      if (!pod) return;
      if (revisionOfPod(pod) !== meta(updateRevision).name && !isTerminating(pod)) {
        this.#deletePod(pod);
        return;
      }
      if (!this.#healthy(pod)) return;
    }
  }
}

/**
 * kube-controller-manager's `statefulset` controller. Claims from `volumeClaimTemplates` are created (they
 * stay Pending: no provisioner binds them) and kept on scale-down; `whenScaled: Delete` is not applied.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/statefulset/stateful_set.go
 */
export const statefulSetController: ClusterComponent = {
  name: 'statefulset',
  start(context) {
    const setKey = storageKeyOf(statefulSetKind);
    const podKey = storageKeyOf(podKind);
    const queue = new ReconcileQueue(
      'statefulset',
      context.timers,
      (key) => {
        const [namespace, name] = splitKey(key);
        const set = context.store.get(statefulSetKind, namespace, name);
        return set ? new StatefulSetSync(context, set).run() : undefined;
      },
      context.log,
    );
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === setKey) {
        if (event.type !== 'DELETED') queue.add(keyOf(event.object));
      } else if (event.kindKey === podKey) {
        const ref = controllerOf(event.object);
        if (ref?.kind === 'StatefulSet') queue.add(`${meta(event.object).namespace}/${ref.name}`);
      }
    });
    for (const set of context.store.list({ kind: statefulSetKind }).items) queue.add(keyOf(set));
    return () => {
      unsubscribe();
      queue.stop();
    };
  },
};
