import type { KubeObject } from '../registry/resource-kind.js';

function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The objects of one kind by `namespace/name`, with the keys also kept in sorted order (as etcd's keys
 * sort), so that a list is a walk over the keys in range instead of a sort of all of them: listing one
 * namespace of 100 pods out of 10,000 touches 100 keys. The order is built on first use and then kept by
 * binary insertion and removal.
 */
export class SortedBucket extends Map<string, KubeObject> {
  #sorted: string[] | undefined;

  override set(key: string, value: KubeObject): this {
    if (this.#sorted && !this.has(key)) this.#sorted.splice(lowerBound(this.#sorted, key), 0, key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    const deleted = super.delete(key);
    if (deleted && this.#sorted) this.#sorted.splice(lowerBound(this.#sorted, key), 1);
    return deleted;
  }

  override clear(): void {
    super.clear();
    this.#sorted = undefined;
  }

  /** The objects whose keys start with `prefix` (all of them for ''), in key order. */
  *inOrder(prefix = ''): IterableIterator<KubeObject> {
    this.#sorted ??= [...this.keys()].sort();
    const keys = this.#sorted;
    for (let i = prefix ? lowerBound(keys, prefix) : 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (prefix && !key.startsWith(prefix)) return;
      yield this.get(key)!;
    }
  }
}
