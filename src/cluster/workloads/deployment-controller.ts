import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { deploymentKind, replicaSetKind } from '../../registry/apps-kinds.js';
import { podKind } from '../../registry/built-in-kinds.js';
import type { KubeObject } from '../../registry/resource-kind.js';
import { kubeTimestamp } from '../../store/object-store.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from '../cluster-context.js';
import {
  activeReplicaSets,
  byCreation,
  deploymentComplete,
  deploymentProgressing,
  equalIgnoreHash,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  removeCondition,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionOf,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  statusSum,
  type DeploymentCondition,
  type DeploymentStatus,
} from './deployment-util.js';
import { computeHash } from './pod-template-hash.js';
import { controllerOf, controllerRefTo, meta, podPhase, selects, specOf, statusOf } from './pods.js';
import { keyOf, ReconcileQueue, splitKey, type SyncResult } from '../reconcile-queue.js';

const COMPONENT = 'deployment-controller';

/** One sync of one Deployment, holding the controller's working copy `d` as the Go code does. */
class DeploymentSync {
  d: KubeObject;
  requeueAfterMs: number | undefined;

  constructor(
    private readonly context: ClusterContext,
    deployment: KubeObject,
  ) {
    this.d = structuredClone(deployment);
  }

  get #writer() {
    return this.context.writers['kube-controller-manager'];
  }

  #now(): string {
    return kubeTimestamp(this.context.clock.now());
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.context.recordEvent({ involvedObject: this.d, type, reason, message, component: COMPONENT });
  }

  #condition(type: string, status: string, reason: string, message: string): DeploymentCondition {
    const now = this.#now();
    return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
  }

  get status(): DeploymentStatus {
    return (this.d.status ?? {}) as DeploymentStatus;
  }

  /** `UpdateStatus` with the working copy (its annotations go along, as the status strategy keeps them). */
  #updateStatus(): void {
    this.d = structuredClone(this.#writer.updateStatus(deploymentKind, this.d));
  }

  run(): SyncResult {
    const d = this.d;
    if (isDeepStrictEqual(specOf(d).selector, {})) {
      this.#event(
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((this.status.observedGeneration ?? 0) < meta(d).generation) {
        this.d.status = { ...this.status, observedGeneration: meta(d).generation };
        this.#updateStatus();
      }
      return undefined;
    }
    const rsList = this.#claimReplicaSets();
    if (meta(d).deletionTimestamp) {
      const [newRS, oldRSs] = this.#allReplicaSets(rsList, false);
      this.#syncDeploymentStatus([...oldRSs, newRS], newRS);
      return undefined;
    }
    this.#checkPausedConditions();
    if (specOf(this.d).paused || this.#isScalingEvent(rsList)) this.#sync(rsList);
    else if (specOf(this.d).strategy?.type === 'Recreate') this.#rolloutRecreate(rsList);
    else this.#rolloutRolling(rsList);
    return this.requeueAfterMs === undefined ? undefined : { requeueAfterMs: this.requeueAfterMs };
  }

  /** `getReplicaSetsForDeployment`: owned ReplicaSets, and orphans the selector matches, adopted. */
  #claimReplicaSets(): KubeObject[] {
    const { namespace, uid } = meta(this.d);
    const owned: KubeObject[] = [];
    for (const rs of this.context.store.list({ kind: replicaSetKind, namespace }).items) {
      const ref = controllerOf(rs);
      if (ref) {
        if (ref.uid === uid) owned.push(rs);
        continue;
      }
      if (meta(this.d).deletionTimestamp || rs.metadata?.deletionTimestamp) continue;
      if (!selects(specOf(this.d).selector, rs)) continue;
      const adopted = structuredClone(rs);
      adopted.metadata!.ownerReferences = [
        ...meta(rs).ownerReferences,
        controllerRefTo(this.d, deploymentKind),
      ];
      owned.push(this.#writer.update(replicaSetKind, adopted));
    }
    return owned;
  }

  /** `getAllReplicaSetsAndSyncRevision`. */
  #allReplicaSets(rsList: KubeObject[], create: boolean): [KubeObject | undefined, KubeObject[]] {
    const existing = findNewReplicaSet(this.d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    return [this.#newReplicaSet(existing, oldRSs, create), oldRSs];
  }

  /**
   * `getNewReplicaSet`: brings the new ReplicaSet's annotations up to date, or creates it, named
   * `<deployment>-<pod-template-hash>`.
   * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/deployment/sync.go
   */
  #newReplicaSet(
    existing: KubeObject | undefined,
    oldRSs: KubeObject[],
    create: boolean,
  ): KubeObject | undefined {
    const d = this.d;
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const rsCopy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadySeconds = specOf(d).minReadySeconds ?? 0;
      if (annotationsUpdated || (specOf(rsCopy).minReadySeconds ?? 0) !== minReadySeconds) {
        const spec = specOf(rsCopy);
        if (minReadySeconds) spec.minReadySeconds = minReadySeconds;
        else delete spec.minReadySeconds;
        return this.#writer.update(replicaSetKind, rsCopy);
      }
      let needsUpdate = setDeploymentRevision(d, meta(rsCopy).annotations[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(this.status, 'Progressing')) {
        const status = this.status;
        setCondition(
          status,
          this.#condition(
            'Progressing',
            'True',
            'FoundNewReplicaSet',
            `Found new replica set "${meta(rsCopy).name}"`,
          ),
        );
        d.status = status;
        needsUpdate = true;
      }
      if (needsUpdate) this.#updateStatus();
      return rsCopy;
    }
    if (!create) return undefined;

    const template = structuredClone(specOf(d).template ?? {});
    const hash = computeHash(specOf(d).template, this.status.collisionCount ?? null);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = structuredClone(specOf(d).selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${meta(d).name}-${hash}`;
    const newRS: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: meta(d).namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [controllerRefTo(d, deploymentKind)],
      },
      spec: {
        replicas: 0,
        ...(specOf(d).minReadySeconds ? { minReadySeconds: specOf(d).minReadySeconds } : {}),
        selector,
        template,
      },
    };
    const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    specOf(newRS).replicas = count;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let created: KubeObject;
    let alreadyExists = false;
    try {
      created = this.#writer.create(replicaSetKind, newRS);
    } catch (error) {
      if (error instanceof ApiError && error.code === 409 && error.reason === 'AlreadyExists') {
        const rs = this.context.store.get(replicaSetKind, meta(d).namespace, name);
        if (
          rs &&
          controllerOf(rs)?.uid === meta(d).uid &&
          equalIgnoreHash(specOf(d).template, specOf(rs).template)
        ) {
          created = rs;
          alreadyExists = true;
        } else {
          // A hash collision: bump collisionCount and try again with a new hash.
          d.status = { ...this.status, collisionCount: (this.status.collisionCount ?? 0) + 1 };
          this.#updateStatus();
          throw error;
        }
      } else {
        const message = `Failed to create new replica set "${name}": ${error instanceof Error ? error.message : String(error)}`;
        if (hasProgressDeadline(d)) {
          const status = this.status;
          setCondition(status, this.#condition('Progressing', 'False', 'ReplicaSetCreateError', message));
          d.status = status;
          this.#updateStatus();
        }
        this.#event('Warning', 'ReplicaSetCreateError', message);
        throw error;
      }
    }
    if (!alreadyExists && count > 0) {
      this.#event(
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${meta(created).name} from 0 to ${count}`,
      );
    }
    let needsUpdate = setDeploymentRevision(this.d, newRevision);
    if (!alreadyExists && hasProgressDeadline(this.d)) {
      const status = this.status;
      setCondition(
        status,
        this.#condition(
          'Progressing',
          'True',
          'NewReplicaSetCreated',
          `Created new replica set "${meta(created).name}"`,
        ),
      );
      this.d.status = status;
      needsUpdate = true;
    }
    if (needsUpdate) this.#updateStatus();
    return created;
  }

  /** `checkPausedConditions`. */
  #checkPausedConditions(): void {
    if (!hasProgressDeadline(this.d)) return;
    const condition = getCondition(this.status, 'Progressing');
    if (condition?.reason === 'ProgressDeadlineExceeded') return;
    const pausedExists = condition?.reason === 'DeploymentPaused';
    const paused = specOf(this.d).paused === true;
    let next: DeploymentCondition | undefined;
    if (paused && !pausedExists)
      next = this.#condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
    else if (!paused && pausedExists) {
      next = this.#condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed');
    }
    if (!next) return;
    const status = this.status;
    setCondition(status, next);
    this.d.status = status;
    this.#updateStatus();
  }

  /** `isScalingEvent`: an active ReplicaSet's desired-replicas differs from the Deployment's replicas. */
  #isScalingEvent(rsList: KubeObject[]): boolean {
    const [newRS, oldRSs] = this.#allReplicaSets(rsList, false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = meta(rs).annotations['deployment.kubernetes.io/desired-replicas'];
      return desired !== undefined && /^\d+$/.test(desired) && Number(desired) !== replicasOf(this.d);
    });
  }

  /** `scaleReplicaSet`: new size and replica annotations, and the ScalingReplicaSet event. */
  #scaleReplicaSet(rs: KubeObject, newScale: number): KubeObject {
    const d = this.d;
    const max = replicasOf(d) + maxSurge(d);
    const sizeNeedsUpdate = replicasOf(rs) !== newScale;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return rs;
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs);
    specOf(copy).replicas = newScale;
    setReplicasAnnotations(copy, replicasOf(d), max);
    const updated = this.#writer.update(replicaSetKind, copy);
    if (sizeNeedsUpdate) {
      const operation = oldScale < newScale ? 'up' : 'down';
      this.#event(
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${operation} replica set ${meta(updated).name} from ${oldScale} to ${newScale}`,
      );
    }
    return updated;
  }

  /** `scaleReplicaSetAndRecordEvent`: whether it scaled, and the ReplicaSet as it now is. */
  #scaleAndRecord(rs: KubeObject, newScale: number): [boolean, KubeObject] {
    if (replicasOf(rs) === newScale) return [false, rs];
    return [true, this.#scaleReplicaSet(rs, newScale)];
  }

  /** `sync`: scaling (proportionally while a rollout is under way) and, when paused, clean-up. */
  #sync(rsList: KubeObject[]): void {
    const [newRS, oldRSs] = this.#allReplicaSets(rsList, false);
    this.#scale(newRS, oldRSs);
    if (specOf(this.d).paused) this.#cleanup(oldRSs);
    this.#syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** `scale`. */
  #scale(newRS: KubeObject | undefined, oldRSs: KubeObject[]): void {
    const d = this.d;
    const active = activeReplicaSets([...[...oldRSs].sort(byCreation).reverse(), newRS]);
    const activeOrLatest =
      !newRS && oldRSs.length === 0
        ? undefined
        : active.length === 1
          ? active[0]
          : active.length === 0
            ? (newRS ?? [...oldRSs].sort(byCreation).reverse()[0])
            : undefined;
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicasOf(d)) this.#scaleAndRecord(activeOrLatest, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) this.#scaleAndRecord(old, 0);
      return;
    }
    if (specOf(d).strategy?.type !== 'RollingUpdate') return;
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowedSize - specReplicas(all);
    if (toAdd !== 0) {
      // ReplicaSetsBySizeNewer when adding, ReplicaSetsBySizeOlder when removing.
      all.sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
    }
    let added = 0;
    const sizes = new Map<KubeObject, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const proportion = replicaSetProportion(rs, d, toAdd, added);
        sizes.set(rs, replicasOf(rs) + proportion);
        added += proportion;
      } else sizes.set(rs, replicasOf(rs));
    }
    all.forEach((rs, i) => {
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
      this.#scaleReplicaSet(rs, sizes.get(rs)!);
    });
  }

  /** `cleanupDeployment`: old ReplicaSets beyond revisionHistoryLimit, emptied, are deleted. */
  #cleanup(oldRSs: KubeObject[]): void {
    const d = this.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - Number(specOf(d).revisionHistoryLimit);
    if (diff <= 0) return;
    cleanable.sort((a, b) => {
      const ra = revisionOf(a);
      const rb = revisionOf(b);
      return ra === rb ? byCreation(a, b) : ra - rb;
    });
    for (const rs of cleanable.slice(0, diff)) {
      if (
        Number(statusOf(rs).replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        meta(rs).generation > Number(statusOf(rs).observedGeneration ?? 0)
      ) {
        continue;
      }
      try {
        deleteObject(this.context, replicaSetKind, meta(rs).namespace, meta(rs).name);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
  }

  /** `rolloutRolling`. */
  #rolloutRolling(rsList: KubeObject[]): void {
    const [newRS, oldRSs] = this.#allReplicaSets(rsList, true);
    const all = [...oldRSs, newRS];
    if (newRS && this.#reconcileNewReplicaSet(all, newRS)) return this.#syncRolloutStatus(all, newRS);
    if (newRS && this.#reconcileOldReplicaSets(all, activeReplicaSets(oldRSs), newRS)) {
      return this.#syncRolloutStatus(all, newRS);
    }
    if (deploymentComplete(this.d, this.status)) this.#cleanup(oldRSs);
    this.#syncRolloutStatus(all, newRS);
  }

  /** `reconcileNewReplicaSet`. */
  #reconcileNewReplicaSet(all: (KubeObject | undefined)[], newRS: KubeObject): boolean {
    const desired = replicasOf(this.d);
    if (replicasOf(newRS) === desired) return false;
    if (replicasOf(newRS) > desired) return this.#scaleAndRecord(newRS, desired)[0];
    const count = newRSNewReplicas(
      this.d,
      all.filter((rs): rs is KubeObject => rs !== undefined),
      newRS,
    );
    return this.#scaleAndRecord(newRS, count)[0];
  }

  /** `reconcileOldReplicaSets`, with `cleanupUnhealthyReplicas` and `scaleDownOldReplicaSetsForRollingUpdate`. */
  #reconcileOldReplicaSets(
    all: (KubeObject | undefined)[],
    oldRSs: KubeObject[],
    newRS: KubeObject,
  ): boolean {
    const d = this.d;
    if (specReplicas(oldRSs) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - Number(statusOf(newRS).availableReplicas ?? 0);
    const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    const olds = [...oldRSs].sort(byCreation);
    let cleaned = 0;
    for (let i = 0; i < olds.length; i++) {
      const rs = olds[i]!;
      if (cleaned >= maxScaledDown) break;
      const available = Number(statusOf(rs).availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
      const count = Math.min(maxScaledDown - cleaned, replicasOf(rs) - available);
      olds[i] = this.#scaleAndRecord(rs, replicasOf(rs) - count)[1];
      cleaned += count;
    }

    const availableCount = statusSum([...olds, newRS], 'availableReplicas');
    let scaledDown = 0;
    if (availableCount > minAvailable) {
      const total = availableCount - minAvailable;
      for (const rs of [...olds].sort(byCreation)) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const count = Math.min(replicasOf(rs), total - scaledDown);
        this.#scaleAndRecord(rs, replicasOf(rs) - count);
        scaledDown += count;
      }
    }
    return cleaned + scaledDown > 0;
  }

  /** `rolloutRecreate`: old pods all gone before the new ReplicaSet scales up. */
  #rolloutRecreate(rsList: KubeObject[]): void {
    let [newRS, oldRSs] = this.#allReplicaSets(rsList, false);
    let all = [...oldRSs, newRS];
    let scaled = false;
    for (const rs of activeReplicaSets(oldRSs)) if (this.#scaleAndRecord(rs, 0)[0]) scaled = true;
    if (scaled || this.#oldPodsRunning(newRS, oldRSs)) return this.#syncRolloutStatus(all, newRS);
    if (!newRS) {
      [newRS, oldRSs] = this.#allReplicaSets(rsList, true);
      all = [...oldRSs, newRS];
    }
    if (newRS) this.#scaleAndRecord(newRS, replicasOf(this.d));
    if (deploymentComplete(this.d, this.status)) this.#cleanup(oldRSs);
    this.#syncRolloutStatus(all, newRS);
  }

  /** `oldPodsRunning`. */
  #oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (statusSum(oldRSs, 'replicas') > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => meta(rs).uid));
    return this.context.store.list({ kind: podKind, namespace: meta(this.d).namespace }).items.some((pod) => {
      const ref = controllerOf(pod);
      if (!ref || !oldUids.has(ref.uid) || ref.uid === (newRS && meta(newRS).uid)) return false;
      const phase = podPhase(pod);
      return phase !== 'Failed' && phase !== 'Succeeded';
    });
  }

  /** `calculateStatus`. */
  #calculateStatus(all: (KubeObject | undefined)[], newRS: KubeObject | undefined): DeploymentStatus {
    const d = this.d;
    const available = statusSum(all, 'availableReplicas');
    const unavailable = Math.max(0, specReplicas(all) - available);
    const status: DeploymentStatus = {
      observedGeneration: meta(d).generation,
      replicas: statusSum(all, 'replicas'),
      updatedReplicas: statusSum([newRS], 'replicas'),
      readyReplicas: statusSum(all, 'readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: unavailable,
      ...(this.status.conditions ? { conditions: structuredClone(this.status.conditions) } : {}),
      ...(this.status.collisionCount !== undefined ? { collisionCount: this.status.collisionCount } : {}),
    };
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setCondition(
        status,
        this.#condition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
        ),
      );
    } else {
      setCondition(
        status,
        this.#condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
        ),
      );
    }
    return status;
  }

  #writeStatus(status: DeploymentStatus): void {
    // Go's omitempty: zero counts are not written.
    const written = Object.fromEntries(
      Object.entries(status).filter(([key, value]) => value !== 0 || key === 'collisionCount'),
    ) as DeploymentStatus;
    if (isDeepStrictEqual(written, this.status)) return;
    this.d.status = written;
    this.#updateStatus();
  }

  /** `syncDeploymentStatus`. */
  #syncDeploymentStatus(all: (KubeObject | undefined)[], newRS: KubeObject | undefined): void {
    this.#writeStatus(this.#calculateStatus(all, newRS));
  }

  /**
   * `syncRolloutStatus`: the Progressing condition (NewReplicaSetAvailable, ReplicaSetUpdated,
   * ProgressDeadlineExceeded), ReplicaSet failures, and a look again when the progress deadline falls.
   * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/deployment/progress.go
   */
  #syncRolloutStatus(all: (KubeObject | undefined)[], newRS: KubeObject | undefined): void {
    const d = this.d;
    const status = this.#calculateStatus(all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(this.status, 'Progressing');
    const complete =
      status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
    const name = newRS ? meta(newRS).name : undefined;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        const message = name
          ? `ReplicaSet "${name}" has successfully progressed.`
          : `Deployment "${meta(d).name}" has successfully progressed.`;
        setCondition(status, this.#condition('Progressing', 'True', 'NewReplicaSetAvailable', message));
      } else if (deploymentProgressing(d, status)) {
        const message = name
          ? `ReplicaSet "${name}" is progressing.`
          : `Deployment "${meta(d).name}" is progressing.`;
        const condition = this.#condition('Progressing', 'True', 'ReplicaSetUpdated', message);
        if (current) {
          if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, condition);
      } else if (this.#timedOut(status)) {
        const message = name
          ? `ReplicaSet "${name}" has timed out progressing.`
          : `Deployment "${meta(d).name}" has timed out progressing.`;
        setCondition(status, this.#condition('Progressing', 'False', 'ProgressDeadlineExceeded', message));
      }
    }
    const failure = [newRS, ...all.filter((rs) => rs !== newRS)]
      .filter((rs): rs is KubeObject => rs !== undefined)
      .flatMap((rs) => (statusOf(rs).conditions as Record<string, string>[] | undefined) ?? [])
      .find((condition) => condition.type === 'ReplicaFailure');
    if (failure) {
      setCondition(status, {
        type: 'ReplicaFailure',
        status: failure.status!,
        lastUpdateTime: failure.lastTransitionTime!,
        lastTransitionTime: failure.lastTransitionTime!,
        reason: failure.reason!,
        message: failure.message!,
      });
    } else removeCondition(status, 'ReplicaFailure');
    this.#writeStatus(status);
    this.#requeueStuck(status);
  }

  /** `DeploymentTimedOut`. */
  #timedOut(status: DeploymentStatus): boolean {
    const condition = getCondition(status, 'Progressing');
    if (!condition || condition.reason === 'NewReplicaSetAvailable') return false;
    if (condition.reason === 'ProgressDeadlineExceeded') return true;
    const from = Date.parse(condition.lastUpdateTime);
    return from + Number(specOf(this.d).progressDeadlineSeconds) * 1000 < this.context.clock.now().getTime();
  }

  /** `requeueStuckDeployment`: look again when the progress deadline would pass. */
  #requeueStuck(status: DeploymentStatus): void {
    const current = getCondition(this.status, 'Progressing');
    if (!hasProgressDeadline(this.d) || !current) return;
    if (deploymentComplete(this.d, status) || current.reason === 'ProgressDeadlineExceeded') return;
    const deadline =
      Date.parse(current.lastUpdateTime) + Number(specOf(this.d).progressDeadlineSeconds) * 1000;
    const after = deadline - this.context.clock.now().getTime();
    this.requeueAfterMs = after < 1000 ? 0 : after + 1000;
  }
}

/**
 * kube-controller-manager's `deployment` controller: ReplicaSets named `<deployment>-<pod-template-hash>`,
 * revisions, rolling update (maxSurge, maxUnavailable) and Recreate, proportional scaling, pause, history
 * clean-up, the Progressing and Available conditions and the ScalingReplicaSet events.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/deployment/deployment_controller.go
 */
export const deploymentController: ClusterComponent = {
  name: 'deployment',
  start(context) {
    const deploymentKey = storageKeyOf(deploymentKind);
    const rsKey = storageKeyOf(replicaSetKind);
    const podKey = storageKeyOf(podKind);
    const queue = new ReconcileQueue(
      'deployment',
      context.timers,
      (key) => {
        const [namespace, name] = splitKey(key);
        const deployment = context.store.get(deploymentKind, namespace, name);
        return deployment ? new DeploymentSync(context, deployment).run() : undefined;
      },
      context.log,
    );
    const enqueueOwnerOf = (rs: KubeObject | undefined): void => {
      if (!rs) return;
      const ref = controllerOf(rs);
      if (ref) {
        if (ref.kind === 'Deployment') queue.add(`${meta(rs).namespace}/${ref.name}`);
        return;
      }
      for (const d of context.store.list({ kind: deploymentKind, namespace: meta(rs).namespace }).items) {
        if (selects(specOf(d).selector, rs)) queue.add(keyOf(d));
      }
    };
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === deploymentKey) {
        if (event.type !== 'DELETED') queue.add(keyOf(event.object));
      } else if (event.kindKey === rsKey) {
        enqueueOwnerOf(event.object);
      } else if (event.kindKey === podKey && event.type === 'DELETED') {
        // A Recreate rollout waits for the old pods to go (deletePod).
        const ref = controllerOf(event.object);
        const rs =
          ref?.kind === 'ReplicaSet'
            ? context.store.get(replicaSetKind, meta(event.object).namespace, ref.name)
            : undefined;
        if (rs) enqueueOwnerOf(rs);
      }
    });
    for (const d of context.store.list({ kind: deploymentKind }).items) queue.add(keyOf(d));
    return () => {
      unsubscribe();
      queue.stop();
    };
  },
};
