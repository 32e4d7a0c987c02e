import { orderServedGroups } from './group-priority.js';
import { apiVersionOf, type ResourceKind } from './resource-kind.js';
import { storageKeyOf } from '../store/storage-key.js';

/** A served API group with its versions, for `/apis`. */
export interface ServedGroup {
  name: string;
  versions: string[];
  preferredVersion: string;
}

/**
 * The table of served kinds. Routes, discovery, fixtures, RBAC names and Tables all ask it, so adding a
 * kind (or, later, a CRD at run time) is one `register` call.
 */
export class KindRegistry {
  readonly #byResource = new Map<string, ResourceKind>();
  readonly #byKind = new Map<string, ResourceKind>();

  constructor(kinds: readonly ResourceKind[] = []) {
    for (const kind of kinds) this.register(kind);
  }

  /** Adds a kind; a later registration of the same group/version/resource replaces the earlier. */
  register(kind: ResourceKind): void {
    this.#byResource.set(`${kind.group}/${kind.version}/${kind.resource}`, kind);
    this.#byKind.set(`${apiVersionOf(kind)}/${kind.kind}`, kind);
  }

  /** Stops serving a kind (a CustomResourceDefinition's version going away). */
  unregister(kind: Pick<ResourceKind, 'group' | 'version' | 'resource'>): void {
    const key = `${kind.group}/${kind.version}/${kind.resource}`;
    const registered = this.#byResource.get(key);
    if (!registered) return;
    this.#byResource.delete(key);
    const kindKey = `${apiVersionOf(registered)}/${registered.kind}`;
    if (this.#byKind.get(kindKey) === registered) this.#byKind.delete(kindKey);
  }

  /**
   * One kind per store bucket: the stored kinds that are not another's served form (converted kinds such as
   * events.k8s.io/v1 Events and autoscaling/v1 HPAs share their storage's bucket), first registered first.
   */
  storedKinds(): ResourceKind[] {
    const byBucket = new Map<string, ResourceKind>();
    for (const kind of this.all()) {
      if (kind.storage !== 'stored' || kind.conversion) continue;
      const bucket = storageKeyOf(kind);
      if (!byBucket.has(bucket)) byBucket.set(bucket, kind);
    }
    return [...byBucket.values()];
  }

  /** The kind served at `group/version/resource`, if any. */
  byResource(group: string, version: string, resource: string): ResourceKind | undefined {
    return this.#byResource.get(`${group}/${version}/${resource}`);
  }

  /** The kind for an object's `apiVersion` and `kind`, if served. */
  byApiVersionKind(apiVersion: string, kind: string): ResourceKind | undefined {
    return this.#byKind.get(`${apiVersion}/${kind}`);
  }

  /** Every served kind. */
  all(): ResourceKind[] {
    return [...this.#byResource.values()];
  }

  /** Kinds of one group/version. */
  inGroupVersion(group: string, version: string): ResourceKind[] {
    return this.all().filter((k) => k.group === group && k.version === version);
  }

  /** Whether any kind is served in this group/version. */
  servesGroupVersion(group: string, version: string): boolean {
    return this.all().some((k) => k.group === group && k.version === version);
  }

  /** Named API groups (not the core group), in kube-apiserver's `/apis` order. */
  groups(): ServedGroup[] {
    const groups = new Map<string, ServedGroup>();
    for (const kind of this.all()) {
      if (!kind.group) continue;
      const group = groups.get(kind.group) ?? {
        name: kind.group,
        versions: [],
        preferredVersion: kind.version,
      };
      if (!group.versions.includes(kind.version)) group.versions.push(kind.version);
      groups.set(kind.group, group);
    }
    return orderServedGroups([...groups.values()]);
  }
}
