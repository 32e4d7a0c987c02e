import { deleteObject } from '../lifecycle/delete-object.js';
import { linkOwnerReferences } from '../lifecycle/link-owner-references.js';
import { admitObject, validateObjectName } from '../api/object-validation.js';
import { servedForm } from '../api/served-form.js';
import { seedObject, type SeededObject } from '../api/write-path.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { asFixtureError } from '../errors/developer-error-status.js';
import { ApiError } from '../errors/status.js';
import { podKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ServerContext } from '../server/server-context.js';
import { parseLabelSelector } from '../store/label-selector.js';
import type { StoreSnapshot } from '../store/object-store.js';
import type { PodLogSnapshot } from '../store/pod-logs.js';
import { readManifests } from './read-manifests.js';
import { namespaceFor, resolveKind } from './resolve-kind.js';
import type { ManifestInput, ObjectListQuery, ObjectReference, StateSnapshot } from './types.js';

interface CapturedState {
  store: StoreSnapshot;
  logs: PodLogSnapshot;
}

/** What a restore changed. */
export interface RestoreResult {
  /** How many objects were deleted, re-added or changed back (one watch event each). */
  changes: number;
  /** The store's resourceVersion afterwards. */
  resourceVersion: string;
}

/** What state control needs from the server. */
export type StateControlDeps = Pick<
  ServerContext,
  | 'registry'
  | 'store'
  | 'logs'
  | 'onCreated'
  | 'authorizations'
  | 'audit'
  | 'faults'
  | 'clock'
  | 'lifecycle'
  | 'podFiles'
>;

/**
 * The test-facing control of a server's state: apply manifests, read and delete objects, and go back to a
 * snapshot or to the state right after start-up. Writes run the same defaulting and controllers as REST
 * requests; going back is a series of watch events with new resourceVersions, never a jump back.
 */
export class StateControl {
  readonly #deps: StateControlDeps;
  readonly #captured = new WeakMap<StateSnapshot, CapturedState>();
  #startup: StateSnapshot | undefined;

  constructor(deps: StateControlDeps) {
    this.#deps = deps;
  }

  /** Takes the snapshot `reset()` returns to: call once start-up (fixtures, controllers) is complete. */
  captureStartup(): void {
    this.#startup = this.snapshot();
  }

  /**
   * Creates what is absent and replaces what exists (keeping uid and creationTimestamp), as `kubectl apply`
   * does from the caller's side; namespaces the objects use are created if missing, as for fixtures. A
   * replaced object without `status` keeps its status. Every document is checked before any is applied.
   */
  async apply(input: ManifestInput): Promise<KubeObject[]> {
    const { registry, logs, onCreated, store } = this.#deps;
    const fixtures = await readManifests(input, registry);
    const admitted = fixtures.objects.map(({ kind, object, source }) => ({
      kind,
      source,
      object: admit(kind, object, source),
    }));
    const created: SeededObject[] = [];
    const applied = admitted.map(({ kind, object, source }) => {
      try {
        return this.#applyOne(kind, object, created);
      } catch (error) {
        throw asFixtureError(source, error);
      }
    });
    linkOwnerReferences(store, registry);
    // Controllers run once all is in, so that a token Secret may come before its service account.
    for (const { kind, namespace, name } of created) {
      const current = store.get(kind, namespace, name);
      if (current) onCreated(kind, current);
    }
    for (const podLog of fixtures.podLogs) {
      for (const [container, text] of Object.entries(podLog.containers)) {
        logs.replace(podLog.namespace, podLog.pod, container, text);
      }
    }
    return applied
      .map(({ kind, namespace, name }) => {
        const stored = store.get(kind, namespace, name);
        return stored && servedForm(kind, stored);
      })
      .filter((object): object is KubeObject => object !== undefined);
  }

  #applyOne(kind: ResourceKind, object: KubeObject, created: SeededObject[]): SeededObject {
    created.push(...seedObject(this.#deps, kind, object, { existing: 'replace' }));
    return { kind, namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
  }

  /** One object (frozen), or undefined. */
  get(reference: ObjectReference): KubeObject | undefined {
    const kind = resolveKind(this.#deps.registry, reference);
    const stored = this.#deps.store.get(kind, namespaceFor(kind, reference.namespace), reference.name);
    return stored && servedForm(kind, stored);
  }

  /** The objects of a kind (frozen), sorted by namespace and name, in one namespace or all. */
  list(query: ObjectListQuery): KubeObject[] {
    const kind = resolveKind(this.#deps.registry, query);
    const namespace = query.namespace === undefined ? undefined : namespaceFor(kind, query.namespace);
    let selector;
    try {
      selector = query.labelSelector ? parseLabelSelector(query.labelSelector) : undefined;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `labelSelector ${JSON.stringify(query.labelSelector)}: ${error.message}`,
      );
    }
    const scope = namespace ? { kind, namespace } : { kind };
    return this.#deps.store
      .list(scope, selector && ((obj) => selector.matches(obj.metadata?.labels)))
      .items.map((obj) => servedForm(kind, obj));
  }

  /**
   * Deletes an object as a REST DELETE (background propagation) does, then lets the garbage collector and
   * the namespace controller finish before returning: a namespace takes its contents, dependents go with
   * their owner, a pod its logs; an object with finalizers stays, marked with `deletionTimestamp`. Returns
   * its last state, or undefined when it did not exist.
   */
  delete(reference: ObjectReference): KubeObject | undefined {
    const { registry, store, logs, clock, lifecycle } = this.#deps;
    const kind = resolveKind(registry, reference);
    const namespace = namespaceFor(kind, reference.namespace);
    if (!store.get(kind, namespace, reference.name)) return undefined;
    const { object, deleted } = deleteObject({ store, clock }, kind, namespace, reference.name);
    lifecycle?.settle();
    if (deleted && kind === podKind) logs.forget(namespace, reference.name);
    return store.get(kind, namespace, reference.name) ?? object;
  }

  /** The objects and pod logs as they are now, for `restore`. */
  snapshot(): StateSnapshot {
    const store = this.#deps.store.snapshot();
    const handle = Object.freeze({ resourceVersion: String(store.resourceVersion) }) as StateSnapshot;
    this.#captured.set(handle, { store, logs: this.#deps.logs.snapshot() });
    return handle;
  }

  /**
   * Returns objects and pod logs to a snapshot: each difference becomes one watch event (DELETED, ADDED or
   * MODIFIED) with a new resourceVersion, so open watches and informers converge without a relist.
   */
  restore(snapshot: StateSnapshot): RestoreResult {
    const captured = this.#captured.get(snapshot);
    if (!captured) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        'this snapshot was not taken by this server',
        'restore a snapshot on the server whose snapshot() returned it',
      );
    }
    const changes = this.#deps.store.replaceAll(captured.store).length;
    this.#deps.logs.restore(captured.logs);
    return { changes, resourceVersion: String(this.#deps.store.resourceVersion) };
  }

  /**
   * Returns to the state right after start-up, and forgets what one test leaves behind for the next: the
   * recorded authorization decisions and requests, the fault rules and every pod's files (snapshots do not
   * capture files).
   */
  reset(): RestoreResult {
    if (!this.#startup) throw new Error('reset() before start-up completed');
    const result = this.restore(this.#startup);
    this.#deps.authorizations?.clear();
    this.#deps.audit?.clear();
    this.#deps.faults?.clear();
    this.#deps.podFiles?.clear();
    return result;
  }
}

/** Checks one object as a REST create would (type, namespace, name) and drops what the store assigns. */
function admit(kind: ResourceKind, object: KubeObject, source: string): KubeObject {
  try {
    const admitted = admitObject(kind, object, object.metadata?.namespace ?? '');
    validateObjectName(kind, admitted);
    delete admitted.metadata!.resourceVersion;
    delete admitted.metadata!.uid;
    return admitted;
  } catch (error) {
    throw asFixtureError(source, error);
  }
}
