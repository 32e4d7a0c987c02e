/**
 * The deployment controller's helpers, as `pkg/controller/deployment/util/deployment_util.go` (v1.33) has
 * them: fenceposts, annotations, proportions, revisions, conditions.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/deployment/util/deployment_util.go
 */
import type { KubeObject } from '../../registry/resource-kind.js';
import { meta, specOf, statusOf, type Fields } from './pods.js';
import { spewPodTemplate } from './pod-template-hash.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** `apps.DefaultDeploymentUniqueLabelKey`. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const MAX_INT32 = 2147483647;
/** `maxRevHistoryLengthInChars` of sync.go. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** `spec.replicas` of a Deployment or ReplicaSet. */
export function replicasOf(obj: KubeObject): number {
  return Number(specOf(obj).replicas ?? 1);
}

/** `intstr.GetScaledValueFromIntOrPercent`. */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(String(value ?? '0'));
  if (!match) return Number.parseInt(String(value ?? '0'), 10) || 0;
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

function isRollingUpdate(d: KubeObject): boolean {
  return specOf(d).strategy?.type === 'RollingUpdate';
}

/** `ResolveFenceposts`: maxSurge and maxUnavailable, never both zero. */
export function resolveFenceposts(d: KubeObject): [surge: number, unavailable: number] {
  const rolling = specOf(d).strategy?.rollingUpdate ?? {};
  const desired = replicasOf(d);
  const surge = scaledValue(rolling.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(rolling.maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** `MaxSurge`. */
export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d)[0] : 0;
}

/** `MaxUnavailable`. */
export function maxUnavailable(d: KubeObject): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d)[1], replicasOf(d));
}

/** `GetReplicaCountForReplicaSets`: the sum of `spec.replicas`. */
export function specReplicas(rss: readonly (KubeObject | undefined)[]): number {
  return rss.reduce((sum, rs) => sum + (rs ? replicasOf(rs) : 0), 0);
}

/** The sum of a status field over ReplicaSets (`GetActualReplicaCountForReplicaSets` and the like). */
export function statusSum(
  rss: readonly (KubeObject | undefined)[],
  field: 'replicas' | 'readyReplicas' | 'availableReplicas',
): number {
  return rss.reduce((sum, rs) => sum + (rs ? Number(statusOf(rs)[field] ?? 0) : 0), 0);
}

/** `FilterActiveReplicaSets`: those with replicas wanted. */
export function activeReplicaSets(rss: readonly (KubeObject | undefined)[]): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => rs !== undefined && replicasOf(rs) > 0);
}

/** `ReplicaSetsByCreationTimestamp.Less` as a comparator. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(meta(a).creationTimestamp) || 0;
  const tb = Date.parse(meta(b).creationTimestamp) || 0;
  if (ta !== tb) return ta - tb;
  return meta(a).name < meta(b).name ? -1 : meta(a).name > meta(b).name ? 1 : 0;
}

/** A ReplicaSet's revision, 0 when absent or not a number (`Revision`). */
export function revisionOf(rs: KubeObject): number {
  const value = Number.parseInt(meta(rs).annotations[REVISION_ANNOTATION] ?? '', 10);
  return Number.isFinite(value) ? value : 0;
}

/** `MaxRevision`. */
export function maxRevision(rss: readonly KubeObject[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

function templateWithoutHash(template: unknown): unknown {
  const copy = structuredClone((template ?? {}) as Fields);
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/**
 * `EqualIgnoreHash`: two templates equal once their pod-template-hash labels are gone, compared as Go
 * values (what `apiequality.Semantic.DeepEqual` compares after a protobuf decode: empty is nil, quantities
 * by value).
 */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return spewPodTemplate(templateWithoutHash(a)) === spewPodTemplate(templateWithoutHash(b));
}

/** `FindNewReplicaSet`: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: KubeObject, rss: readonly KubeObject[]): KubeObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(specOf(rs).template, specOf(d).template));
}

function annotationsOf(obj: KubeObject): Record<string, string> {
  obj.metadata ??= {};
  return ((obj.metadata.annotations as Record<string, string> | undefined) ??= {});
}

/** `SetReplicasAnnotations`: desired-replicas and max-replicas; whether they changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = annotationsOf(rs);
  let changed = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** `ReplicasAnnotationsNeedUpdate`. */
export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = meta(rs).annotations;
  return (
    annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) ||
    annotations[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

/**
 * `SetNewReplicaSetAnnotations`: the Deployment's annotations (but apply and revision ones), the new revision
 * when it is higher (keeping the old ones in revision-history on a rollback), and for a ReplicaSet about to
 * be created, desired-replicas and max-replicas. Whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: KubeObject,
  rs: KubeObject,
  newRevision: string,
  exists: boolean,
): boolean {
  const annotations = annotationsOf(rs);
  let changed = false;
  for (const [key, value] of Object.entries(meta(d).annotations)) {
    if (ANNOTATIONS_TO_SKIP.has(key) || (key in annotations && annotations[key] === value)) continue;
    annotations[key] = value;
    changed = true;
  }
  const oldRevision = annotations[REVISION_ANNOTATION];
  let oldRevisionInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldRevisionInt = Number(oldRevision);
  }
  const newRevisionInt = Number(newRevision);
  if (oldRevisionInt < newRevisionInt) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
  }
  if (oldRevision !== undefined && oldRevisionInt < newRevisionInt) {
    const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
    let oldRevisions = history.split(',');
    if (oldRevisions[0]!.length === 0) annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    else {
      let totalLength = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLength > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < oldRevisions.length) {
        totalLength -= oldRevisions[start]!.length + 1;
        start++;
      }
      if (totalLength <= MAX_REV_HISTORY_LENGTH_IN_CHARS) {
        oldRevisions = [...oldRevisions.slice(start), oldRevision];
        annotations[REVISION_HISTORY_ANNOTATION] = oldRevisions.join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** `SetDeploymentRevision`: whether the Deployment's revision annotation changed. */
export function setDeploymentRevision(d: KubeObject, revision: string): boolean {
  const annotations = annotationsOf(d);
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}

/** `NewRSNewReplicas`: how many replicas the new ReplicaSet may have now. */
export function newRSNewReplicas(d: KubeObject, allRSs: readonly KubeObject[], newRS: KubeObject): number {
  if (specOf(d).strategy?.type === 'Recreate') return replicasOf(d);
  const surge = scaledValue(specOf(d).strategy?.rollingUpdate?.maxSurge, replicasOf(d), true);
  const current = specReplicas(allRSs);
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

/** `IsSaturated`: the new ReplicaSet holds every desired replica, all available. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = Number.parseInt(meta(rs).annotations[DESIRED_REPLICAS_ANNOTATION] ?? '', 10);
  return (
    replicasOf(rs) === replicasOf(d) &&
    desired === replicasOf(d) &&
    Number(statusOf(rs).availableReplicas ?? 0) === replicasOf(d)
  );
}

/** `getReplicaSetFraction`. */
function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMaxReplicas = replicasOf(d) + maxSurge(d);
  let before = Number.parseInt(meta(rs).annotations[MAX_REPLICAS_ANNOTATION] ?? '', 10);
  if (!Number.isFinite(before) || before <= 0) {
    before = Number(statusOf(d).replicas ?? 0);
    if (before === 0) return 0;
  }
  const size = (replicasOf(rs) * deploymentMaxReplicas) / before;
  // integer.RoundToInt32: math.Round, half away from zero.
  return Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
}

/** `GetReplicaSetProportion`. */
export function replicaSetProportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** `HasProgressDeadline`. */
export function hasProgressDeadline(d: KubeObject): boolean {
  const seconds = specOf(d).progressDeadlineSeconds;
  return seconds !== undefined && seconds !== null && seconds !== MAX_INT32;
}

/** `HasRevisionHistoryLimit`. */
export function hasRevisionHistoryLimit(d: KubeObject): boolean {
  const limit = specOf(d).revisionHistoryLimit;
  return limit !== undefined && limit !== null && limit !== MAX_INT32;
}

/** A Deployment condition, with apps/v1's field order. */
export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** A Deployment status as the controller writes it. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

/** `GetDeploymentCondition`. */
export function getCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((condition) => condition.type === type);
}

/** `SetDeploymentCondition`: unchanged when status and reason are; lastTransitionTime kept when status is. */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status)
    condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

/** `RemoveDeploymentCondition`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length > 0) status.conditions = rest;
  else delete status.conditions;
}

/** `DeploymentComplete`. */
export function deploymentComplete(d: KubeObject, status: DeploymentStatus): boolean {
  const desired = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= meta(d).generation
  );
}

/** `DeploymentProgressing`. */
export function deploymentProgressing(d: KubeObject, next: DeploymentStatus): boolean {
  const old = statusOf(d) as DeploymentStatus;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}
