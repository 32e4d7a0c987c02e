import { isDeepStrictEqual } from 'node:util';
import { deleteObject } from '../lifecycle/delete-object.js';
import { finalizersOf, isBeingDeleted } from '../store/finalizers.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { tolerateRaces, type ControllerDeps } from './garbage-collector.js';

/** The finalizer of `spec.finalizers` the namespace controller owns. */
export const KUBERNETES_FINALIZER = 'kubernetes';

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** What is left in a namespace: objects per resource, and objects per finalizer holding them. */
export interface RemainingContent {
  resources: Map<string, number>;
  finalizers: Map<string, number>;
}

/**
 * The status conditions the namespace controller sets on a Terminating namespace for what remains.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/namespace/deletion/status_condition_utils.go
 */
export function namespaceConditions(remaining: RemainingContent): NamespaceCondition[] {
  const describe = (counts: Map<string, number>, render: (key: string, n: number) => string) =>
    [...counts]
      .map(([key, n]) => render(key, n))
      .sort()
      .join(', ');
  return [
    {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'False',
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    {
      type: 'NamespaceDeletionContentFailure',
      status: 'False',
      reason: 'ContentDeleted',
      message: 'All content successfully deleted, may be waiting on finalization',
    },
    remaining.resources.size === 0
      ? {
          type: 'NamespaceContentRemaining',
          status: 'False',
          reason: 'ContentRemoved',
          message: 'All content successfully removed',
        }
      : {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${describe(remaining.resources, (gr, n) => `${gr} has ${n} resource instances`)}`,
        },
    remaining.finalizers.size === 0
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${describe(remaining.finalizers, (f, n) => `${f} in ${n} resource instances`)}`,
        },
  ];
}

/** Conditions with the transition times of `previous` kept where nothing changed, as `updateConditions` does. */
function withTransitionTimes(
  next: NamespaceCondition[],
  previous: unknown,
  now: string,
): NamespaceCondition[] {
  const before = Array.isArray(previous) ? (previous as NamespaceCondition[]) : [];
  return next.map((condition) => {
    const old = before.find((c) => c.type === condition.type);
    const same =
      old &&
      old.status === condition.status &&
      old.reason === condition.reason &&
      old.message === condition.message;
    return {
      ...condition,
      lastTransitionTime: same && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  });
}

/**
 * One pass of the namespace controller over Terminating namespaces: their contents are deleted (in the
 * background, finalizers honoured); while some remain, the status conditions say what and why; once
 * none does, the `kubernetes` spec finalizer is removed, which deletes the namespace unless other
 * finalizers hold it.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/namespace/deletion/namespaced_resources_deleter.go
 */
export function finishNamespaceDeletions(deps: ControllerDeps): void {
  const namespaceKind = deps.registry.byResource('', 'v1', 'namespaces');
  if (!namespaceKind) return;
  const kinds = deps.registry.storedKinds().filter((kind) => kind.namespaced);
  for (const ns of [...deps.store.scan({ kind: namespaceKind })]) {
    if (!isBeingDeleted(ns)) continue;
    const specFinalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) as string[];
    if (!specFinalizers.includes(KUBERNETES_FINALIZER)) continue;
    const namespace = ns.metadata?.name ?? '';
    const remaining: RemainingContent = { resources: new Map(), finalizers: new Map() };
    for (const kind of kinds) {
      for (const obj of [...deps.store.scan({ kind, namespace })]) {
        if (!isBeingDeleted(obj)) {
          tolerateRaces(() =>
            deleteObject(deps, kind, namespace, obj.metadata?.name ?? '', {
              propagationPolicy: 'Background',
            }),
          );
        }
      }
      const left = [...deps.store.scan({ kind, namespace })];
      if (left.length === 0) continue;
      remaining.resources.set(`${kind.resource}.${kind.group}`, left.length);
      for (const obj of left) {
        for (const finalizer of finalizersOf(obj)) {
          remaining.finalizers.set(finalizer, (remaining.finalizers.get(finalizer) ?? 0) + 1);
        }
      }
    }
    const current = deps.store.get(namespaceKind, '', namespace);
    if (!current) continue;
    const status = (current.status ?? {}) as Record<string, unknown>;
    const conditions = withTransitionTimes(
      namespaceConditions(remaining),
      status.conditions,
      kubeTimestamp(deps.clock.now()),
    );
    const empty = remaining.resources.size === 0;
    if (!empty && isDeepStrictEqual(conditions, status.conditions)) continue;
    const next = structuredClone(current) as KubeObject;
    next.status = { ...status, conditions };
    if (empty) {
      const spec = (next.spec ?? {}) as { finalizers?: string[] };
      next.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) };
    }
    tolerateRaces(() => deps.store.update(namespaceKind, next));
  }
}
