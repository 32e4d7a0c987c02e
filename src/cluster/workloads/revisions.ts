import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { controllerRevisionKind } from '../../registry/apps-kinds.js';
import type { KubeObject, ResourceKind } from '../../registry/resource-kind.js';
import type { ClusterContext } from '../cluster-context.js';
import { goMarshalSorted } from './go-json.js';
import { controllerRevisionHash } from './pod-template-hash.js';
import { controllerOf, controllerRefTo, meta } from './pods.js';

/** A ControllerRevision's revision number. */
export function revisionNumber(revision: KubeObject): number {
  return Number(revision.revision ?? 0);
}

/** The ControllerRevisions an owner controls, oldest revision first (`history.SortControllerRevisions`). */
export function ownedRevisions(context: ClusterContext, owner: KubeObject): KubeObject[] {
  const { namespace, uid } = meta(owner);
  return context.store
    .list({ kind: controllerRevisionKind, namespace })
    .items.filter((revision) => controllerOf(revision)?.uid === uid)
    .sort(
      (a, b) =>
        revisionNumber(a) - revisionNumber(b) ||
        (Date.parse(meta(a).creationTimestamp) || 0) - (Date.parse(meta(b).creationTimestamp) || 0) ||
        (meta(a).name < meta(b).name ? -1 : 1),
    );
}

/**
 * The revision an owner's current template makes, found among its revisions or created, as the
 * StatefulSet and DaemonSet controllers' `getStatefulSetRevisions` / `constructHistory` do: an equal revision
 * (same data) that is not the newest is renumbered to the next revision; a new one is named
 * `<owner>-<hash>`, and a name taken by different data bumps `collisionCount`. Returns the revision and the
 * collision count to record.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/statefulset/stateful_set_control.go (getStatefulSetRevisions)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/history/controller_history.go
 */
export function ensureUpdateRevision(
  context: ClusterContext,
  owner: KubeObject,
  ownerKind: ResourceKind,
  patch: string,
  labels: Record<string, string>,
  revisions: KubeObject[],
  collisionCount: number | undefined,
): { revision: KubeObject; collisionCount: number | undefined } {
  const writer = context.writers['kube-controller-manager'];
  const next = (revisions.length > 0 ? revisionNumber(revisions[revisions.length - 1]!) : 0) + 1;
  const equal = revisions.filter((revision) => goMarshalSorted(revision.data ?? null) === patch);
  if (equal.length > 0) {
    const found = equal[equal.length - 1]!;
    if (found === revisions[revisions.length - 1]) return { revision: found, collisionCount };
    return { revision: writer.update(controllerRevisionKind, { ...found, revision: next }), collisionCount };
  }
  let count = collisionCount;
  for (;;) {
    const hash = controllerRevisionHash(patch, count);
    const annotations = meta(owner).annotations;
    const revision: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${meta(owner).name.slice(0, 223)}-${hash}`,
        namespace: meta(owner).namespace,
        ...(Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
        ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
        ownerReferences: [controllerRefTo(owner, ownerKind)],
      },
      data: JSON.parse(patch) as unknown,
      revision: next,
    };
    try {
      return { revision: writer.create(controllerRevisionKind, revision), collisionCount: count };
    } catch (error) {
      if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) throw error;
      const existing = context.store.get(controllerRevisionKind, meta(owner).namespace, meta(revision).name);
      if (
        existing &&
        controllerOf(existing)?.uid === meta(owner).uid &&
        goMarshalSorted(existing.data) === patch
      ) {
        return { revision: existing, collisionCount: count };
      }
      count = (count ?? 0) + 1;
    }
  }
}

/** Deletes the oldest revisions beyond `limit` that no pod uses (`truncateHistory`). */
export function truncateHistory(
  context: ClusterContext,
  revisions: KubeObject[],
  live: Set<string>,
  limit: number,
): void {
  const history = revisions.filter((revision) => !live.has(meta(revision).name));
  for (const revision of history.slice(0, Math.max(0, history.length - limit))) {
    try {
      deleteObject(context, controllerRevisionKind, meta(revision).namespace, meta(revision).name);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
}
