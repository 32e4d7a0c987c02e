import type { RequestInfo } from './request-info.js';

const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

/**
 * Whether kube-apiserver treats a request as long-running (`BasicLongRunningRequestCheck` with the verbs
 * and subresources kube-apiserver passes it): watches, proxies, exec, attach, port-forward and logs. They
 * get an audit `ResponseStarted` stage and do not count as load the simulated cluster yields to.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/server/filters/longrunning.go
 */
export function isLongRunning(info: RequestInfo): boolean {
  if (LONG_RUNNING_VERBS.has(info.verb)) return true;
  return info.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(info.subresource);
}
