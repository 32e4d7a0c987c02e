/**
 * An in-cluster program: an informer on the pods of its own namespace that logs every change as
 * `ADDED`, `MODIFIED` or `DELETED` with the pod's name and phase.
 *
 * In a pod: `node watch-pods.js` (after `tsc`), or `node watch-pods.ts` on Node 22.18+.
 */
import { readFile } from 'node:fs/promises';
import {
  ADD,
  CoreV1Api,
  DELETE,
  ERROR,
  KubeConfig,
  makeInformer,
  UPDATE,
  type V1Pod,
} from '@kubernetes/client-node';

/** Where the kubelet mounts the service-account files, below `/` in a pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A running informer. */
export interface PodWatcher {
  /** Stops watching. */
  stop(): Promise<void>;
}

/**
 * Lists the pods of this program's namespace, then watches them, calling `log` once per event. A failed
 * list or watch is logged as `ERROR <status> <message>`; as with any client-node informer, the program
 * decides whether to restart it.
 * @param root prefix of the service-account path: `''` in a pod, a temporary directory in tests.
 */
export async function watchPods(
  root = '',
  log: (line: string) => void = (line) => console.log(line),
): Promise<PodWatcher> {
  const kc = new KubeConfig();
  kc.loadFromCluster(root);
  const namespace = (await readFile(`${root}${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8')).trim();
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${namespace}/pods`, () =>
    api.listNamespacedPod({ namespace }),
  );
  const describe = (pod: V1Pod) => `${pod.metadata?.name} ${pod.status?.phase ?? ''}`.trimEnd();
  informer.on(ADD, (pod) => log(`ADDED ${describe(pod)}`));
  informer.on(UPDATE, (pod) => log(`MODIFIED ${describe(pod)}`));
  informer.on(DELETE, (pod) => log(`DELETED ${describe(pod)}`));
  informer.on(ERROR, (err: { statusCode?: number; code?: number; message?: string }) =>
    log(`ERROR ${err.statusCode ?? err.code ?? ''} ${err.message ?? err}`),
  );
  await informer.start();
  return { stop: () => informer.stop() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const watcher = await watchPods(process.env.SA_ROOT ?? '');
  process.once('SIGTERM', () => void watcher.stop());
}
