/**
 * An in-cluster program: lists the pods of the namespace it runs in, the way a pod would, from its
 * service-account files and the KUBERNETES_SERVICE_HOST/PORT variables.
 *
 * In a pod: `node list-pods.js` (after `tsc`), or `node list-pods.ts` on Node 22.18+.
 */
import { readFile } from 'node:fs/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

/** Where the kubelet mounts the service-account files, below `/` in a pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One line of output: a pod's name and phase. */
export interface PodSummary {
  name: string;
  phase: string;
}

/**
 * Lists the pods of this program's own namespace (read from the sa-dir's `namespace` file).
 * @param root prefix of the service-account path: `''` in a pod, a temporary directory in tests.
 */
export async function listPods(root = ''): Promise<PodSummary[]> {
  const kc = new KubeConfig();
  kc.loadFromCluster(root);
  const namespace = (await readFile(`${root}${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8')).trim();
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
  return pods.items.map((pod) => ({ name: pod.metadata?.name ?? '', phase: pod.status?.phase ?? '' }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const pod of await listPods(process.env.SA_ROOT ?? '')) console.log(`${pod.name}\t${pod.phase}`);
}
