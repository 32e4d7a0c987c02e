/**
 * The apps/v1 kinds, with kube-apiserver 1.33's discovery data, the defaults of `pkg/apis/apps/v1/defaults.go`
 * (and of the pod template, as `SetObjectDefaults_*` recurse into it) and the selector validation clients hit.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/apps/v1/defaults.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/apps/validation/validation.go
 */
import { STANDARD_VERBS, SUBRESOURCE_VERBS } from './verbs.js';
import { objectField } from './kinds/fields.js';
import { isDeepStrictEqual } from 'node:util';
import { validateWorkload, type WorkloadValidation } from './apps-validation.js';
import { defaultPodSpec } from './pod-spec-defaults.js';
import type { KubeObject, ResourceKind, ScaleDefinition, SubresourceDefinition } from './resource-kind.js';
import { isJsonObject, type JsonObject } from '../json/json-object.js';

function statusSubresource(kind: string): SubresourceDefinition {
  return { name: 'status', kind, verbs: SUBRESOURCE_VERBS };
}

/** `autoscaling/v1` Scale, as the scale subresources of apps/v1 are listed in discovery. */
const SCALE_SUBRESOURCE: SubresourceDefinition = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: SUBRESOURCE_VERBS,
};

/** Where the built-in workloads keep their replicas; `spec.selector` is a `metav1.LabelSelector` here. */
const WORKLOAD_SCALE: ScaleDefinition = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.spec.selector',
};

/** The pod template's spec, defaulted as a Pod's is. */
function defaultTemplate(spec: JsonObject): void {
  const template = spec.template;
  if (!isJsonObject(template)) return;
  defaultPodSpec(objectField(template, 'spec'));
}

function defaultDeployment(obj: KubeObject): void {
  const spec = objectField(obj, 'spec');
  spec.replicas ??= 1;
  const strategy = objectField(spec, 'strategy');
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = objectField(strategy, 'rollingUpdate');
    rollingUpdate.maxUnavailable ??= '25%';
    rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec);
}

function defaultReplicaSet(obj: KubeObject): void {
  const spec = objectField(obj, 'spec');
  spec.replicas ??= 1;
  defaultTemplate(spec);
}

function defaultStatefulSet(obj: KubeObject): void {
  const spec = objectField(obj, 'spec');
  spec.podManagementPolicy ??= 'OrderedReady';
  const updateStrategy = objectField(spec, 'updateStrategy');
  if (updateStrategy.type === undefined) {
    updateStrategy.type = 'RollingUpdate';
    objectField(updateStrategy, 'rollingUpdate');
  }
  // MaxUnavailableStatefulSet is alpha (off) in 1.33; StatefulSetAutoDeletePVC is GA.
  if (updateStrategy.type === 'RollingUpdate' && isJsonObject(updateStrategy.rollingUpdate)) {
    updateStrategy.rollingUpdate.partition ??= 0;
  }
  const retention = objectField(spec, 'persistentVolumeClaimRetentionPolicy');
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec);
}

function defaultDaemonSet(obj: KubeObject): void {
  const spec = objectField(obj, 'spec');
  const updateStrategy = objectField(spec, 'updateStrategy');
  updateStrategy.type ??= 'RollingUpdate';
  if (updateStrategy.type === 'RollingUpdate') {
    const rollingUpdate = objectField(updateStrategy, 'rollingUpdate');
    rollingUpdate.maxUnavailable ??= 1;
    rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec);
}

function workloadKind(
  kind: string,
  resource: string,
  shortName: string,
  withScale: boolean,
  defaults: (obj: KubeObject) => void,
  validation: Omit<WorkloadValidation, 'kind'>,
): ResourceKind {
  return {
    group: 'apps',
    version: 'v1',
    kind,
    resource,
    singular: kind.toLowerCase(),
    namespaced: true,
    verbs: STANDARD_VERBS,
    shortNames: [shortName],
    categories: ['all'],
    subresources: withScale ? [SCALE_SUBRESOURCE, statusSubresource(kind)] : [statusSubresource(kind)],
    storage: 'stored',
    nameValidation: 'dns1123Subdomain',
    tracksGeneration: true,
    ...(withScale ? { scale: WORKLOAD_SCALE } : {}),
    origin: 'built-in',
    // Decoding defaults every body, so updates are defaulted as creates are.
    normalizeOnWrite(obj, current) {
      defaults(obj);
      validateWorkload({ kind, ...validation }, obj, current);
    },
  };
}

/**
 * apps/v1 Deployment (`deploy`), with `scale` and `status`. Its generation also moves with its annotations,
 * which are copied to its ReplicaSets (the deployment strategy's `PrepareForUpdate`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/registry/apps/deployment/strategy.go
 */
export const deploymentKind: ResourceKind = {
  ...workloadKind('Deployment', 'deployments', 'deploy', true, defaultDeployment, {
    selectorRequired: true,
    emptySelectorNoun: 'deployment',
    hasReplicas: true,
  }),
  generationChanged: (next, current) =>
    !isDeepStrictEqual(next.spec, current.spec) ||
    !isDeepStrictEqual(next.metadata?.annotations ?? {}, current.metadata?.annotations ?? {}),
};

/** apps/v1 ReplicaSet (`rs`), with `scale` and `status`. */
export const replicaSetKind = workloadKind('ReplicaSet', 'replicasets', 'rs', true, defaultReplicaSet, {
  selectorRequired: true,
  emptySelectorNoun: 'deployment',
  hasReplicas: true,
});

/** apps/v1 StatefulSet (`sts`), with `scale` and `status`. */
export const statefulSetKind = workloadKind('StatefulSet', 'statefulsets', 'sts', true, defaultStatefulSet, {
  selectorRequired: true,
  emptySelectorNoun: 'statefulset',
  hasReplicas: true,
});

/** apps/v1 DaemonSet (`ds`), with `status` (no `scale`: one pod per node). */
export const daemonSetKind = workloadKind('DaemonSet', 'daemonsets', 'ds', false, defaultDaemonSet, {
  selectorRequired: false,
  emptySelectorNoun: 'daemonset',
  hasReplicas: false,
});

/** apps/v1 ControllerRevision: no short name, no category, no subresource. */
export const controllerRevisionKind: ResourceKind = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  verbs: STANDARD_VERBS,
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  origin: 'built-in',
};

/** Every apps/v1 kind, in discovery's order. */
export const appsKinds: readonly ResourceKind[] = [
  controllerRevisionKind,
  daemonSetKind,
  deploymentKind,
  replicaSetKind,
  statefulSetKind,
];
