import type { KubeObject } from '../registry/resource-kind.js';

/** The `metadata.finalizers` of an object (empty when absent). */
export function finalizersOf(obj: KubeObject | undefined): string[] {
  const finalizers = obj?.metadata?.finalizers;
  return Array.isArray(finalizers) ? (finalizers as string[]) : [];
}

/** Whether an object has been marked for deletion. */
export function isBeingDeleted(obj: KubeObject | undefined): boolean {
  return typeof obj?.metadata?.deletionTimestamp === 'string';
}
