import { isDeepStrictEqual } from 'node:util';
import { rbacKinds } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../store/label-selector.js';
import type { ObjectStore, StoreWatch } from '../store/object-store.js';

const clusterRoleKind = rbacKinds.find((k) => k.kind === 'ClusterRole')!;

interface AggregationRule {
  clusterRoleSelectors?: Metav1LabelSelector[] | null;
}

/** The rules an aggregated ClusterRole gets: the union, in name order, of the rules of the roles it selects. */
export function aggregatedRules(role: KubeObject, all: readonly KubeObject[]): unknown[] {
  const selectors = ((role.aggregationRule as AggregationRule | undefined)?.clusterRoleSelectors ?? []).map(
    (selector) => labelSelectorFromMetav1(selector),
  );
  const rules: unknown[] = [];
  const sources = all
    .filter((other) => other.metadata?.name !== role.metadata?.name)
    .filter((other) => selectors.some((selector) => selector.matches(other.metadata?.labels)))
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
 * It runs synchronously within the write, so the next request already sees the new rules.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go
 */
export function startClusterRoleAggregation(store: ObjectStore): StoreWatch {
  let running = false;
  const reconcile = (): void => {
    if (running) return;
    running = true;
    try {
      for (let pass = 0; pass < 10; pass++) {
        const all = store.list({ kind: clusterRoleKind }).items;
        let changed = false;
        for (const role of all) {
          if (!role.aggregationRule) continue;
          const rules = aggregatedRules(role, all);
          if (isDeepStrictEqual(rules, role.rules ?? [])) continue;
          store.update(clusterRoleKind, { ...role, metadata: { ...role.metadata }, rules });
          changed = true;
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
