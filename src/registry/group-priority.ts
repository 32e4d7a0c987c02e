import type { ServedGroup } from './kind-registry.js';

/**
 * kube-apiserver's APIService priorities of the built-in groups (group priority, then each version's):
 * `/apis` lists groups by descending group priority, ties by name, and a group's versions by descending
 * version priority, the first being preferred. CRD groups get the CRD registration controller's 1000.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controlplane/apiserver/aggregator.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/cmd/kube-apiserver/app/aggregator.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/kube-aggregator/pkg/apiserver/handler_apis.go
 */
const GROUP_PRIORITIES: Readonly<
  Record<string, { group: number; versions: Readonly<Record<string, number>> }>
> = {
  // kube-aggregator's own group, first in /apis (`APIRegistrationGroupPriority`, handler_discovery.go; the
  // legacy handler_apis.go lists it before every APIService).
  'apiregistration.k8s.io': { group: 20001, versions: { v1: 0 } },
  apps: { group: 17800, versions: { v1: 15 } },
  'events.k8s.io': { group: 17750, versions: { v1: 15, v1beta1: 5 } },
  'authentication.k8s.io': { group: 17700, versions: { v1: 15, v1beta1: 9, v1alpha1: 1 } },
  'authorization.k8s.io': { group: 17600, versions: { v1: 15 } },
  autoscaling: { group: 17500, versions: { v2: 30, v1: 15 } },
  batch: { group: 17400, versions: { v1: 15 } },
  'certificates.k8s.io': { group: 17300, versions: { v1: 15 } },
  'networking.k8s.io': { group: 17200, versions: { v1: 15 } },
  policy: { group: 17100, versions: { v1: 15 } },
  'rbac.authorization.k8s.io': { group: 17000, versions: { v1: 15 } },
  'storage.k8s.io': { group: 16800, versions: { v1: 15 } },
  'admissionregistration.k8s.io': { group: 16700, versions: { v1: 15 } },
  'apiextensions.k8s.io': { group: 16700, versions: { v1: 15 } },
  'scheduling.k8s.io': { group: 16600, versions: { v1: 15 } },
  'coordination.k8s.io': { group: 16500, versions: { v1: 15 } },
  'node.k8s.io': { group: 16300, versions: { v1: 15 } },
  'discovery.k8s.io': { group: 16200, versions: { v1: 15 } },
  'flowcontrol.apiserver.k8s.io': { group: 16100, versions: { v1: 21 } },
};

const CRD_GROUP_PRIORITY = 1000;
/** The version priority the CRD registration controller gives every CRD version (`crdregistration_controller.go`). */
const CRD_VERSION_PRIORITY = 100;

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;
const VERSION_TYPES = { alpha: 0, beta: 1, '': 2 } as const;

/**
 * `version.CompareKubeAwareVersionStrings`: positive when `a` sorts before `b` in discovery (GA over beta over
 * alpha, then the higher major, then the higher minor; names not shaped `vN[alpha|betaM]` after all others,
 * in ascending order).
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apimachinery/pkg/version/helpers.go
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = KUBE_VERSION.exec(a);
  const pb = KUBE_VERSION.exec(b);
  if (!pa && !pb) return a < b ? 1 : -1;
  if (!pa) return -1;
  if (!pb) return 1;
  const type = (m: RegExpExecArray) => VERSION_TYPES[(m[2] ?? '') as keyof typeof VERSION_TYPES];
  if (type(pa) !== type(pb)) return type(pa) - type(pb);
  if (pa[1] !== pb[1]) return Number(pa[1]) - Number(pb[1]);
  return Number(pa[3] ?? 0) - Number(pb[3] ?? 0);
}

/**
 * The APIService priorities of a served group version: upstream's table for the built-in ones, the CRD
 * registration controller's 1000 and 100 for the others.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/pkg/controlplane/controller/crdregistration/crdregistration_controller.go
 */
export function priorityOf(
  group: string,
  version: string,
): { groupPriorityMinimum: number; versionPriority: number } {
  const known = GROUP_PRIORITIES[group];
  const versionPriority = known?.versions[version];
  if (known && versionPriority !== undefined) return { groupPriorityMinimum: known.group, versionPriority };
  return { groupPriorityMinimum: CRD_GROUP_PRIORITY, versionPriority: CRD_VERSION_PRIORITY };
}

/**
 * Orders served groups as kube-aggregator's `/apis` does (`SortedByGroupAndVersion`): by descending group
 * priority, ties by name; a group's versions by descending version priority, ties kube-aware (so autoscaling
 * prefers v2, and a CRD group its highest version, whatever the order of `spec.versions`).
 */
export function orderServedGroups(groups: readonly ServedGroup[]): ServedGroup[] {
  const groupPriority = (group: ServedGroup) =>
    Math.max(...group.versions.map((v) => priorityOf(group.name, v).groupPriorityMinimum));
  return [...groups]
    .sort((a, b) => groupPriority(b) - groupPriority(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((group) => {
      const versions = [...group.versions].sort(
        (a, b) =>
          priorityOf(group.name, b).versionPriority - priorityOf(group.name, a).versionPriority ||
          compareKubeAwareVersions(b, a),
      );
      return { ...group, versions, preferredVersion: versions[0]! };
    });
}
