import type { ResourceKind } from '../registry/resource-kind.js';

/** The key of the store bucket a kind's objects live in: `group/resource` of its storage. */
export function storageKeyOf(kind: Pick<ResourceKind, 'group' | 'resource' | 'storedAs'>): string {
  const storage = kind.storedAs ?? kind;
  return `${storage.group}/${storage.resource}`;
}
