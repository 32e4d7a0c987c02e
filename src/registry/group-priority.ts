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

/**
 * Orders served groups as kube-apiserver's `/apis` does. The versions of a built-in group are sorted by
 * their priority (so autoscaling prefers v2); other groups keep the order their kinds registered in.
 */
export function orderServedGroups(groups: readonly ServedGroup[]): ServedGroup[] {
  const priorityOf = (name: string) => GROUP_PRIORITIES[name]?.group ?? CRD_GROUP_PRIORITY;
  return [...groups]
    .sort(
      (a, b) => priorityOf(b.name) - priorityOf(a.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    )
    .map((group) => {
      const known = GROUP_PRIORITIES[group.name]?.versions;
      if (!known || !group.versions.every((v) => v in known)) return group;
      const versions = [...group.versions].sort((a, b) => known[b]! - known[a]!);
      return { ...group, versions, preferredVersion: versions[0]! };
    });
}
