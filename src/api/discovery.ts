import { createHash } from 'node:crypto';
import type { KindRegistry } from '../registry/kind-registry.js';
import { apiVersionOf, type ResourceKind } from '../registry/resource-kind.js';
import { storageKeyOf } from '../store/storage-key.js';

/**
 * `discovery.StorageVersionHash`: the first 8 bytes of the SHA-256 of "<group>/<version>/<kind>", base64.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/discovery/storageversionhash.go
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/**
 * The hash of the kind its objects are stored as, which discovery lists for every stored resource (not for
 * subresources, nor for reviews, which are not stored): a CRD's storage version, autoscaling/v1
 * HorizontalPodAutoscalers as autoscaling/v2, events.k8s.io/v1 Events as core v1 Events.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/installer.go
 */
export function storageVersionHashOf(registry: KindRegistry, kind: ResourceKind): string | undefined {
  if (kind.storage !== 'stored') return undefined;
  if (kind.customResource)
    return storageVersionHash(kind.group, kind.customResource.storageVersion, kind.kind);
  const bucket = storageKeyOf(kind);
  const stored = registry.storedKinds().find((k) => storageKeyOf(k) === bucket) ?? kind;
  return storageVersionHash(stored.group, stored.version, stored.kind);
}

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

/** One entry of an `APIResourceList` (`metav1.APIResource`), subresources as `parent/sub`. */
export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  /** Present only when the kind lives in another group/version than the list's. */
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

function resourceEntries(registry: KindRegistry, kind: ResourceKind): ApiResource[] {
  const main: ApiResource = {
    name: kind.resource,
    singularName: kind.singular,
    namespaced: kind.namespaced,
    kind: kind.kind,
    verbs: [...kind.verbs],
  };
  if (kind.shortNames?.length) main.shortNames = [...kind.shortNames];
  if (kind.categories?.length) main.categories = [...kind.categories];
  const hash = storageVersionHashOf(registry, kind);
  if (hash) main.storageVersionHash = hash;
  const subresources = (kind.subresources ?? []).map((sub): ApiResource => ({
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
 * The resources of one group/version, as the API installer lists them: sorted by path, each resource followed
 * by its subresources. Legacy and aggregated discovery are both made from it.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/installer.go
 */
export function apiResources(registry: KindRegistry, group: string, version: string): ApiResource[] {
  return registry
    .inGroupVersion(group, version)
    .flatMap((kind) => resourceEntries(registry, kind))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: apiResources(registry, group, version),
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
