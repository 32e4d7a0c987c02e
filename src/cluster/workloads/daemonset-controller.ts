import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../errors/status.js';
import { deleteObject } from '../../lifecycle/delete-object.js';
import { controllerRevisionKind, daemonSetKind } from '../../registry/apps-kinds.js';
import { podKind } from '../../registry/built-in-kinds.js';
import { nodeKind } from '../../registry/kinds/core-kinds.js';
import type { KubeObject } from '../../registry/resource-kind.js';
import { storageKeyOf } from '../../store/storage-key.js';
import type { ClusterComponent, ClusterContext } from '../cluster-context.js';
import { goMarshalSorted } from './go-json.js';
import { computeHash, revisionPatch } from './pod-template-hash.js';
import {
  availableAt,
  controllerOf,
  controllerRefTo,
  isPodAvailable,
  isPodReady,
  meta,
  podFromTemplate,
  podPhase,
  specOf,
  statusOf,
  type Fields,
} from './pods.js';
import { keyOf, ReconcileQueue, splitKey, type SyncResult } from '../reconcile-queue.js';
import { ownedRevisions, revisionNumber, truncateHistory } from './revisions.js';
import { scaledValue } from './deployment-util.js';

const COMPONENT = 'daemonset-controller';
const HASH_LABEL = 'controller-revision-hash';
const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** The tolerations every daemon pod gets (`AddOrUpdateDaemonPodTolerations`). */
function daemonTolerations(hostNetwork: boolean): Fields[] {
  const tolerations: Fields[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork)
    tolerations.push({
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  return tolerations;
}

function tolerates(tolerations: Fields[], taint: Fields): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function matchesRequirement(requirement: Fields, value: string | undefined): boolean {
  const values = (requirement.values as string[] | undefined) ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/**
 * Whether a daemon pod fits a node as `nodeShouldRunDaemonPod`'s predicates check it: the node selector, the
 * required node affinity, and the NoSchedule/NoExecute taints against the pod's tolerations.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/daemon/daemon_controller.go (predicates)
 */
function fitsNode(podSpec: Fields, node: KubeObject): boolean {
  const labels = meta(node).labels;
  for (const [key, value] of Object.entries(
    (podSpec.nodeSelector as Record<string, string> | undefined) ?? {},
  )) {
    if (labels[key] !== value) return false;
  }
  const terms = (podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? undefined) as Fields[] | undefined;
  if (terms && terms.length > 0) {
    const anyTerm = terms.some((term) => {
      const expressions = (term.matchExpressions as Fields[] | undefined) ?? [];
      const fields = (term.matchFields as Fields[] | undefined) ?? [];
      if (expressions.length === 0 && fields.length === 0) return false;
      return (
        expressions.every((r) => matchesRequirement(r, labels[r.key as string])) &&
        fields.every((r) => r.key === 'metadata.name' && matchesRequirement(r, meta(node).name))
      );
    });
    if (!anyTerm) return false;
  }
  const tolerations = (podSpec.tolerations as Fields[] | undefined) ?? [];
  const taints = ((specOf(node).taints as Fields[] | undefined) ?? []).filter(
    (taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute',
  );
  return taints.every((taint) => tolerates(tolerations, taint));
}

/** The node a daemon pod is for: its nodeName, else its node affinity's `metadata.name` (`GetTargetNodeName`). */
function targetNode(pod: KubeObject): string | undefined {
  const spec = specOf(pod);
  if (spec.nodeName) return spec.nodeName as string;
  const terms = (spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? []) as Fields[];
  for (const term of terms) {
    for (const field of (term.matchFields as Fields[] | undefined) ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1)
        return field.values[0];
    }
  }
  return undefined;
}

/**
 * One sync of a DaemonSet (`syncDaemonSet`, v1.33): its ControllerRevision (`<ds>-<pod-template-hash>`), one
 * pod per node it fits, with the node affinity and tolerations upstream adds and the
 * controller-revision-hash and pod-template-generation labels; pods on nodes it no longer fits deleted;
 * failed pods replaced; RollingUpdate replacing at most maxUnavailable old pods at a time (maxSurge is not
 * applied: old pods go first); OnDelete; the status counters.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/daemon/daemon_controller.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/daemon/update.go
 */
class DaemonSetSync {
  requeueAfterMs: number | undefined;

  constructor(
    private readonly context: ClusterContext,
    private ds: KubeObject,
  ) {}

  get #writer() {
    return this.context.writers['kube-controller-manager'];
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.context.recordEvent({ involvedObject: this.ds, type, reason, message, component: COMPONENT });
  }

  /** `constructHistory`: the current revision, named by the pod-template hash, created or renumbered. */
  #revision(hash: string): void {
    const ds = this.ds;
    const revisions = ownedRevisions(this.context, ds);
    const name = `${meta(ds).name}-${hash}`;
    const next = (revisions.length > 0 ? revisionNumber(revisions[revisions.length - 1]!) : 0) + 1;
    const current = revisions.find((revision) => meta(revision).name === name);
    if (current) {
      if (current !== revisions[revisions.length - 1]) {
        this.#writer.update(controllerRevisionKind, { ...current, revision: next });
      }
      return;
    }
    const labels = {
      ...((specOf(ds).template?.metadata?.labels as Record<string, string>) ?? {}),
      [HASH_LABEL]: hash,
    };
    const annotations = meta(ds).annotations;
    try {
      this.#writer.create(controllerRevisionKind, {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: meta(ds).namespace,
          labels,
          ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
          ownerReferences: [controllerRefTo(ds, daemonSetKind)],
        },
        data: JSON.parse(revisionPatch(specOf(ds).template)) as unknown,
        revision: next,
      });
    } catch (error) {
      if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) throw error;
      const existing = this.context.store.get(controllerRevisionKind, meta(ds).namespace, name);
      if (!existing || goMarshalSorted(existing.data) !== revisionPatch(specOf(ds).template)) {
        // A hash collision: the next sync hashes with the bumped collisionCount.
        const status = { ...statusOf(ds), collisionCount: Number(statusOf(ds).collisionCount ?? 0) + 1 };
        this.ds = this.#writer.updateStatus(daemonSetKind, { ...ds, status });
        throw error;
      }
    }
  }

  #newPod(nodeName: string, hash: string): KubeObject {
    const ds = this.ds;
    const template: Fields = structuredClone(specOf(ds).template ?? {});
    template.metadata ??= {};
    template.metadata.labels = {
      ...(template.metadata.labels ?? {}),
      [TEMPLATE_GENERATION_LABEL]: String(meta(ds).generation),
      [HASH_LABEL]: hash,
    };
    template.spec ??= {};
    const tolerations: Fields[] = [...(template.spec.tolerations ?? [])];
    for (const toleration of daemonTolerations(template.spec.hostNetwork === true)) {
      const index = tolerations.findIndex((t) => t.key === toleration.key && t.effect === toleration.effect);
      if (index < 0) tolerations.push(toleration);
    }
    template.spec.tolerations = tolerations;
    const affinity: Fields = template.spec.affinity ?? {};
    const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
    affinity.nodeAffinity ??= {};
    affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
      ...(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}),
      nodeSelectorTerms: [term],
    };
    template.spec.affinity = affinity;
    return podFromTemplate(
      template,
      meta(ds).namespace,
      `${meta(ds).name}-`,
      controllerRefTo(ds, daemonSetKind),
    );
  }

  #deletePod(pod: KubeObject): void {
    try {
      deleteObject(this.context, podKind, meta(pod).namespace, meta(pod).name, {
        preconditions: { uid: meta(pod).uid },
      });
      this.#event('Normal', 'SuccessfulDelete', `Deleted pod: ${meta(pod).name}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return;
      this.#event(
        'Warning',
        'FailedDelete',
        `Error deleting: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  run(): SyncResult {
    const ds = this.ds;
    const spec = specOf(ds);
    const hash = computeHash(spec.template, statusOf(ds).collisionCount ?? null);
    this.#revision(hash);
    const nodes = this.context.store.list({ kind: nodeKind }).items;
    const { namespace, uid } = meta(ds);
    const podsByNode = new Map<string, KubeObject[]>();
    for (const pod of this.context.store.list({ kind: podKind, namespace }).items) {
      if (controllerOf(pod)?.uid !== uid) continue;
      const node = targetNode(pod);
      if (!node) continue;
      podsByNode.set(node, [...(podsByNode.get(node) ?? []), pod]);
    }
    // The pod for a node, with its node affinity and tolerations, decides whether the node runs one.
    const shouldRun = (node: KubeObject) => fitsNode(specOf(this.#newPod(meta(node).name, hash)), node);
    const minReadySeconds = Number(spec.minReadySeconds ?? 0);
    const now = this.context.clock.now();
    if (!meta(ds).deletionTimestamp) {
      const rolling = spec.updateStrategy?.type !== 'OnDelete';
      const desired = nodes.filter((node) => shouldRun(node)).length;
      const maxUnavailable = Math.max(
        1,
        scaledValue(spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true),
      );
      let unavailable = 0;
      for (const node of nodes) {
        const pods = (podsByNode.get(meta(node).name) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
        if (shouldRun(node) && !pods.some((p) => isPodAvailable(p, minReadySeconds, now))) unavailable++;
      }
      for (const node of nodes) {
        const nodeName = meta(node).name;
        const pods = (podsByNode.get(nodeName) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
        if (!shouldRun(node)) {
          for (const pod of pods) this.#deletePod(pod);
          continue;
        }
        const failed = pods.filter((p) => podPhase(p) === 'Failed');
        for (const pod of failed) this.#deletePod(pod);
        const running = pods.filter((p) => podPhase(p) !== 'Failed');
        if (running.length === 0) {
          try {
            const created = this.#writer.create(podKind, this.#newPod(nodeName, hash));
            this.#event('Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
          } catch (error) {
            this.#event(
              'Warning',
              'FailedCreate',
              `Error creating: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
          continue;
        }
        // More than one daemon pod on a node: the oldest stays.
        const sorted = [...running].sort(
          (a, b) =>
            (Date.parse(meta(a).creationTimestamp) || 0) - (Date.parse(meta(b).creationTimestamp) || 0),
        );
        for (const extra of sorted.slice(1)) this.#deletePod(extra);
        const pod = sorted[0]!;
        if (rolling && meta(pod).labels[HASH_LABEL] !== hash) {
          const available = isPodAvailable(pod, minReadySeconds, now);
          if (!available || unavailable < maxUnavailable) {
            if (available) unavailable++;
            this.#deletePod(pod);
          }
        }
      }
    }
    this.#updateStatus(nodes, shouldRun, hash, minReadySeconds);
    return this.requeueAfterMs === undefined ? undefined : { requeueAfterMs: this.requeueAfterMs };
  }

  /** `updateDaemonSetStatus`. */
  #updateStatus(
    nodes: KubeObject[],
    shouldRun: (node: KubeObject) => boolean,
    hash: string,
    minReadySeconds: number,
  ): void {
    const ds = this.ds;
    const { namespace, uid } = meta(ds);
    const now = this.context.clock.now();
    const pods = this.context.store
      .list({ kind: podKind, namespace })
      .items.filter((pod) => controllerOf(pod)?.uid === uid && !pod.metadata?.deletionTimestamp);
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of nodes) {
      const onNode = pods.filter((pod) => targetNode(pod) === meta(node).name);
      const should = shouldRun(node);
      if (should) {
        desired++;
        if (onNode.length > 0) {
          current++;
          const pod = onNode[0]!;
          if (isPodReady(pod)) {
            ready++;
            if (isPodAvailable(pod, minReadySeconds, now)) available++;
            else {
              const at = availableAt(pod, minReadySeconds);
              if (at !== undefined)
                this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, at - now.getTime());
            }
          }
          if (meta(pod).labels[HASH_LABEL] === hash) updated++;
        }
      } else if (onNode.length > 0) misscheduled++;
    }
    const status: Fields = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: meta(ds).generation,
      ...(updated ? { updatedNumberScheduled: updated } : {}),
      ...(available ? { numberAvailable: available } : {}),
      ...(desired - available > 0 ? { numberUnavailable: desired - available } : {}),
      ...(statusOf(ds).collisionCount !== undefined ? { collisionCount: statusOf(ds).collisionCount } : {}),
      ...(statusOf(ds).conditions ? { conditions: statusOf(ds).conditions } : {}),
    };
    if (!isDeepStrictEqual(status, statusOf(ds))) {
      this.ds = this.#writer.updateStatus(daemonSetKind, { ...ds, status });
    }
    const revisions = ownedRevisions(this.context, this.ds);
    const live = new Set([
      `${meta(ds).name}-${hash}`,
      ...pods.map((p) => `${meta(ds).name}-${meta(p).labels[HASH_LABEL]}`),
    ]);
    truncateHistory(this.context, revisions, live, Number(specOf(ds).revisionHistoryLimit ?? 10));
  }
}

/**
 * kube-controller-manager's `daemonset` controller.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/controller/daemon/daemon_controller.go
 */
export const daemonSetController: ClusterComponent = {
  name: 'daemonset',
  start(context) {
    const dsKey = storageKeyOf(daemonSetKind);
    const podKey = storageKeyOf(podKind);
    const nodeKey = storageKeyOf(nodeKind);
    const queue = new ReconcileQueue(
      'daemonset',
      context.timers,
      (key) => {
        const [namespace, name] = splitKey(key);
        const ds = context.store.get(daemonSetKind, namespace, name);
        return ds ? new DaemonSetSync(context, ds).run() : undefined;
      },
      context.log,
    );
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === dsKey) {
        if (event.type !== 'DELETED') queue.add(keyOf(event.object));
      } else if (event.kindKey === podKey) {
        const ref = controllerOf(event.object);
        if (ref?.kind === 'DaemonSet') queue.add(`${meta(event.object).namespace}/${ref.name}`);
      } else if (event.kindKey === nodeKey) {
        for (const ds of context.store.list({ kind: daemonSetKind }).items) queue.add(keyOf(ds));
      }
    });
    for (const ds of context.store.list({ kind: daemonSetKind }).items) queue.add(keyOf(ds));
    return () => {
      unsubscribe();
      queue.stop();
    };
  },
};
