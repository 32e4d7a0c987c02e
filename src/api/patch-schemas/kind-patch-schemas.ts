/**
 * Strategic-merge-patch schemas of the core, batch, networking, discovery, policy, autoscaling, events and
 * storage kinds, transcribed from the `patchStrategy`/`patchMergeKey` tags of k8s.io/api v0.33. Built from
 * the shared ObjectMeta/PodSpec schemas that `strategic-merge-patch.ts` passes in.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/api/core/v1/types.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/api/batch/v1/types.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/api/policy/v1/types.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/api/autoscaling/v2/types.go
 */
import type { PatchSchema } from '../strategic-merge-patch.js';

/** The shared schemas these are built from. */
export interface BasePatchSchemas {
  objectMeta: PatchSchema;
  podSpec: PatchSchema;
}

/** The schemas keyed `group/version/Kind`, as `PATCH_SCHEMAS` is. */
export function kindPatchSchemas({ objectMeta, podSpec }: BasePatchSchemas): Record<string, PatchSchema> {
  const metadata = { object: objectMeta };
  const metadataOnly: PatchSchema = { fields: { metadata } };
  const conditionsByType = { strategies: ['merge'], mergeKey: 'type' } as const;
  const conditionsStatus = { object: { fields: { conditions: conditionsByType } } };
  const podTemplate = { object: { fields: { metadata, spec: { object: podSpec } } } };
  const withTemplate: PatchSchema = {
    fields: { metadata, spec: { object: { fields: { template: podTemplate } } }, status: conditionsStatus },
  };
  const withConditions: PatchSchema = { fields: { metadata, status: conditionsStatus } };
  return {
    'v1/Service': {
      fields: {
        metadata,
        spec: { object: { fields: { ports: { strategies: ['merge'], mergeKey: 'port' } } } },
        status: conditionsStatus,
      },
    },
    'v1/Endpoints': metadataOnly,
    'v1/Event': metadataOnly,
    'v1/Node': {
      fields: {
        metadata,
        spec: { object: { fields: { podCIDRs: { strategies: ['merge'] } } } },
        status: {
          object: {
            fields: { conditions: conditionsByType, addresses: { strategies: ['merge'], mergeKey: 'type' } },
          },
        },
      },
    },
    'v1/PersistentVolumeClaim': withConditions,
    'v1/PersistentVolume': metadataOnly,
    'v1/ResourceQuota': metadataOnly,
    'v1/LimitRange': metadataOnly,
    'v1/ReplicationController': withTemplate,
    'batch/v1/Job': withTemplate,
    'batch/v1/CronJob': {
      fields: {
        metadata,
        spec: {
          object: {
            fields: {
              jobTemplate: {
                object: { fields: { metadata, spec: { object: { fields: { template: podTemplate } } } } },
              },
            },
          },
        },
      },
    },
    'discovery.k8s.io/v1/EndpointSlice': metadataOnly,
    'networking.k8s.io/v1/Ingress': metadataOnly,
    'networking.k8s.io/v1/IngressClass': metadataOnly,
    'networking.k8s.io/v1/NetworkPolicy': metadataOnly,
    // PodDisruptionBudgetSpec.Selector is tagged patchStrategy:"replace".
    'policy/v1/PodDisruptionBudget': {
      fields: {
        metadata,
        spec: { object: { fields: { selector: { strategies: ['replace'] } } } },
        status: conditionsStatus,
      },
    },
    'autoscaling/v2/HorizontalPodAutoscaler': withConditions,
    'events.k8s.io/v1/Event': metadataOnly,
    'storage.k8s.io/v1/StorageClass': metadataOnly,
    'storage.k8s.io/v1/CSIDriver': metadataOnly,
    'storage.k8s.io/v1/CSINode': {
      fields: {
        metadata,
        spec: { object: { fields: { drivers: { strategies: ['merge'], mergeKey: 'name' } } } },
      },
    },
    'storage.k8s.io/v1/VolumeAttachment': metadataOnly,
  };
}
