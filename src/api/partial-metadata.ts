/**
 * `meta.k8s.io` PartialObjectMetadata and PartialObjectMetadataList: objects reduced to their metadata, as
 * kube-apiserver answers `Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1` (or
 * `as=PartialObjectMetadataList`): client-go's metadata client and informers, kube-rs's `get_metadata`,
 * `list_metadata`, `watch_metadata` and `metadata_watcher`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
 */
import { notAcceptable, type ApiError } from '../errors/status.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';

type MetaApiVersion = 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';

/** An object as a PartialObjectMetadata (`asPartialObjectMetadata`): its whole `metadata`, nothing else. */
export function asPartialObjectMetadata(obj: KubeObject, apiVersion: MetaApiVersion): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata ?? {} };
}

/** A list as a PartialObjectMetadataList (`asPartialObjectMetadataList`): the list's metadata, each item's. */
export function asPartialObjectMetadataList(
  items: readonly KubeObject[],
  listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number },
  apiVersion: MetaApiVersion,
): Record<string, unknown> {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion,
    metadata: listMeta,
    items: items.map((obj) => asPartialObjectMetadata(obj, apiVersion)),
  };
}

/**
 * The 406 for a list asked for as PartialObjectMetadata, or an object as PartialObjectMetadataList. Upstream
 * names the Go type of what storage returned (`%T`): the internal type of a built-in kind (its package is the
 * group's first label, `core` for the core group), `unstructured.Unstructured` for a custom resource.
 */
export function partialMetadataMismatch(kind: ResourceKind, list: boolean): ApiError {
  const type =
    kind.origin === 'crd'
      ? `*unstructured.Unstructured${list ? 'List' : ''}`
      : `*${kind.group === '' ? 'core' : kind.group.split('.')[0]}.${kind.kind}${list ? 'List' : ''}`;
  return notAcceptable(
    list
      ? `you requested PartialObjectMetadata, but the requested object is a list (${type})`
      : `you requested PartialObjectMetadataList, but the requested object is not a list (${type})`,
  );
}
