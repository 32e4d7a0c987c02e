import type { KindRegistry } from '../registry/kind-registry.js';
import { apiVersionOf, type ResourceKind } from '../registry/resource-kind.js';

/** `GET /api`: the core group's versions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** `GET /apis`: every named group served. */
export function apiGroupList(registry: KindRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    // The items of a list carry no type meta of their own (discovery/root.go).
    groups: registry.groups().map((group) => {
      const {
        kind: _kind,
        apiVersion: _apiVersion,
        ...item
      } = apiGroup(group.name, group.versions, group.preferredVersion);
      return item;
    }),
  };
}

/** `GET /apis/{group}`: one group. */
export function apiGroup(
  name: string,
  versions: string[],
  preferredVersion: string,
): Record<string, unknown> {
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name,
    versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
    preferredVersion: { groupVersion: `${name}/${preferredVersion}`, version: preferredVersion },
  };
}

function resourceEntries(kind: ResourceKind): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: kind.resource,
    singularName: kind.singular,
    namespaced: kind.namespaced,
    kind: kind.kind,
    verbs: [...kind.verbs],
  };
  if (kind.shortNames?.length) main.shortNames = [...kind.shortNames];
  if (kind.categories?.length) main.categories = [...kind.categories];
  const subresources = (kind.subresources ?? []).map((sub) => ({
    name: `${kind.resource}/${sub.name}`,
    singularName: '',
    namespaced: kind.namespaced,
    ...(sub.group !== undefined ? { group: sub.group, version: sub.version } : {}),
    kind: sub.kind,
    verbs: [...sub.verbs],
  }));
  return [main, ...subresources];
}

/**
 * `GET /api/v1` and `GET /apis/{group}/{version}`: the `APIResourceList`, subresources as `parent/sub`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/version.go
 */
export function apiResourceList(
  registry: KindRegistry,
  group: string,
  version: string,
): Record<string, unknown> {
  const kinds = registry.inGroupVersion(group, version);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: kinds.flatMap(resourceEntries),
  };
}

/**
 * `GET /version`, reporting Kubernetes 1.33 so that version-dispatching kubectl picks a matching binary.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/version/types.go
 */
export function versionInfo(): Record<string, unknown> {
  return {
    major: '1',
    minor: '33',
    emulationMajor: '1',
    emulationMinor: '33',
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '32',
    gitVersion: 'v1.33.1',
    gitCommit: '8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828',
    gitTreeState: 'clean',
    buildDate: '2025-05-15T08:19:02Z',
    goVersion: 'go1.24.2',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
