import { isDeepStrictEqual } from 'node:util';
import { rbacKinds } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../store/label-selector.js';
import { describeError, type ObjectStore, type StoreWatch } from '../store/object-store.js';

const clusterRoleKind = rbacKinds.find((k) => k.kind === 'ClusterRole')!;

interface AggregationRule {
  clusterRoleSelectors?: Metav1LabelSelector[] | null;
}

/**
 * The rules an aggregated ClusterRole gets: the union, in name order, of the rules of the roles it selects.
 * A role whose labels cannot be matched is not selected, and `onUnreadable` is told why.
 */
export function aggregatedRules(
  role: KubeObject,
  all: readonly KubeObject[],
  onUnreadable: (other: KubeObject, error: unknown) => void = () => {},
): unknown[] {
  const selectors = ((role.aggregationRule as AggregationRule | undefined)?.clusterRoleSelectors ?? []).map(
    (selector) => labelSelectorFromMetav1(selector),
  );
  const selected = (other: KubeObject): boolean => {
    try {
      return selectors.some((selector) => selector.matches(other.metadata?.labels));
    } catch (error) {
      onUnreadable(other, error);
      return false;
    }
  };
  const rules: unknown[] = [];
  const sources = all
    .filter((other) => other.metadata?.name !== role.metadata?.name)
    .filter(selected)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const source of sources) {
    for (const rule of (source.rules as unknown[] | null | undefined) ?? []) {
      if (!rules.some((existing) => isDeepStrictEqual(existing, rule))) rules.push(rule);
    }
  }
  return rules;
}

/**
 * The clusterrole-aggregation controller: whenever a ClusterRole changes, every ClusterRole with an
 * `aggregationRule` gets its rules recomputed (chains like view → edit → admin settle in a few passes).
 * It runs synchronously within the write, so the next request already sees the new rules. One role it
 * cannot handle (a stored object it cannot read, an update refused) is logged and skipped; the others
 * are still aggregated, and neither the write that triggered it nor the server's start fails.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go
 */
export function startClusterRoleAggregation(store: ObjectStore, log: (message: string) => void): StoreWatch {
  let running = false;
  // Once per role and reconciliation, however many aggregated roles look at it.
  let reported = new Set<string>();
  const unreadable = (other: KubeObject, error: unknown): void => {
    const name = other.metadata?.name ?? '';
    if (reported.has(name)) return;
    reported.add(name);
    log(`clusterrole-aggregation: cannot match the labels of ClusterRole ${name}: ${describeError(error)}`);
  };
  const reconcile = (): void => {
    if (running) return;
    running = true;
    reported = new Set();
    try {
      for (let pass = 0; pass < 10; pass++) {
        const all = store.list({ kind: clusterRoleKind }).items;
        let changed = false;
        for (const role of all) {
          if (!role.aggregationRule) continue;
          try {
            const rules = aggregatedRules(role, all, unreadable);
            if (isDeepStrictEqual(rules, role.rules ?? [])) continue;
            store.update(clusterRoleKind, { ...role, metadata: { ...role.metadata }, rules });
            changed = true;
          } catch (error) {
            log(
              `clusterrole-aggregation: cannot aggregate ClusterRole ${role.metadata?.name ?? ''}: ${describeError(error)}`,
            );
          }
        }
        if (!changed) break;
      }
    } finally {
      running = false;
    }
  };
  reconcile();
  return store.watch({ kind: clusterRoleKind }, store.resourceVersion, () => true, reconcile);
}
