import { pageNotFound } from '../errors/plain-text-error.js';
import { pathNotFound, type ApiError } from '../errors/status.js';
import type { KindRegistry } from '../registry/kind-registry.js';

/**
 * The API groups kube-apiserver 1.33 (with its aggregator and apiextensions servers) serves by default.
 * Each has a go-restful web service at `/apis/<group>`, which answers paths it does not know with a
 * `Status`; a path in any other group falls through to the plain-text 404.
 */
const KUBE_APISERVER_GROUPS = new Set([
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** Roots of the go-restful web services that are not API groups: legacy `/api` and `/version`. */
const WEB_SERVICE_ROOTS = ['/api', '/version'];

function underRoot(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/**
 * Whether kube-apiserver's director hands `path` (as received: `//api/v1/pods` is not under `/api`) to its
 * go-restful container, whose 404 is a `Status`; the rest goes to the non-go-restful mux.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/server/handler.go
 */
export function servedByApiWebServices(path: string, registry: KindRegistry): boolean {
  if (WEB_SERVICE_ROOTS.some((root) => underRoot(path, root))) return true;
  if (path === '/apis' || path === '/apis/') return true;
  if (!path.startsWith('/apis/')) return false;
  const group = path.slice('/apis/'.length).split('/', 1)[0]!;
  return KUBE_APISERVER_GROUPS.has(group) || registry.groups().some((served) => served.name === group);
}

/**
 * The 404 kube-apiserver gives for a path nothing serves: a `Status` (`the server could not find the
 * requested resource`) inside its API web services, Go's plain `404 page not found` outside them.
 */
export function notFoundFor(path: string, registry: KindRegistry): ApiError {
  return servedByApiWebServices(path, registry) ? pathNotFound() : pageNotFound();
}
