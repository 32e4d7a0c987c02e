import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { jobKind } from '../../registry/kinds/batch-kinds.js';
import type { KubeObject } from '../../registry/resource-kind.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent } from '../cluster-context.js';
import { isJobFinished } from './job-controller.js';
import { meta, specOf, statusOf } from './pods.js';
import { keyOf, ReconcileQueue, splitKey } from '../reconcile-queue.js';

/** When a finished Job with `ttlSecondsAfterFinished` expires, in milliseconds, or undefined. */
function expiresAt(job: KubeObject): number | undefined {
  const ttl = specOf(job).ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || meta(job).deletionTimestamp) return undefined;
  const finished = isJobFinished(job);
  if (!finished) return undefined;
  const at = Date.parse((statusOf(job).completionTime as string | undefined) ?? finished.lastTransitionTime);
  return (Number.isFinite(at) ? at : 0) + Number(ttl) * 1000;
}

/**
 * kube-controller-manager's `ttl-after-finished` controller: a finished Job with `ttlSecondsAfterFinished` is
 * deleted (propagationPolicy Foreground, uid precondition) once that many seconds of the server's clock have
 * passed since it finished.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/ttlafterfinished/ttlafterfinished_controller.go
 */
export const ttlAfterFinishedController: ClusterComponent = {
  name: 'ttl-after-finished',
  start(context) {
    const jobKey = storageKeyOf(jobKind);
    const queue = new ReconcileQueue(
      'ttl-after-finished',
      context.timers,
      (key) => {
        const [namespace, name] = splitKey(key);
        const job = context.store.get(jobKind, namespace, name);
        if (!job) return undefined;
        const at = expiresAt(job);
        if (at === undefined) return undefined;
        const remaining = at - context.clock.now().getTime();
        if (remaining > 0) return { requeueAfterMs: remaining };
        try {
          deleteObject(context, jobKind, namespace, name, {
            propagationPolicy: 'Foreground',
            preconditions: { uid: meta(job).uid },
          });
        } catch (error) {
          if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
        }
        return undefined;
      },
      context.log,
    );
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === jobKey && event.type !== 'DELETED') queue.add(keyOf(event.object));
    });
    for (const job of context.store.list({ kind: jobKind }).items) queue.add(keyOf(job));
    return () => {
      unsubscribe();
      queue.stop();
    };
  },
};
