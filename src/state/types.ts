import type { KubeObject } from '../registry/resource-kind.js';

/**
 * What `apply` takes: YAML or JSON text (multi-document, `kind: List`), one object or an array of them, or
 * `{ path }`, a manifest file or directory read as fixtures are. `PodLog` documents set container logs.
 */
export type ManifestInput = string | KubeObject | readonly KubeObject[] | { path: string };

/**
 * Which kind: its `kind` (`'Pod'`), resource (`'pods'`), singular or short name (`'po'`), as kubectl takes
 * them, case-insensitively; `apiVersion` picks among kinds of the same name.
 */
export interface KindReference {
  kind: string;
  apiVersion?: string;
}

/**
 * One object: `{ kind: 'Pod', namespace: 'default', name: 'helloworld' }`. `namespace` defaults to
 * `default` for namespaced kinds and must be left out for cluster-scoped ones.
 */
export interface ObjectReference extends KindReference {
  namespace?: string;
  name: string;
}

/** Which objects `list` returns: a kind, in one namespace or all (when left out), with a label selector. */
export interface ObjectListQuery extends KindReference {
  namespace?: string;
  /** A label selector as `kubectl -l` takes it: `app=web,tier!=db`, `env in (a,b)`, `!legacy`. */
  labelSelector?: string;
}

declare const stateSnapshotBrand: unique symbol;

/**
 * A point in a server's state (objects and pod logs), from `snapshot()`, for `restore()`. Opaque; only the
 * server that took it can restore it.
 */
export interface StateSnapshot {
  readonly [stateSnapshotBrand]: true;
  /** The resourceVersion when it was taken. */
  readonly resourceVersion: string;
}
