/**
 * apiregistration.k8s.io/v1 APIService, as kube-aggregator serves it: cluster scoped, in the `api-extensions`
 * category, with a status subresource; a service reference's port defaults to 443.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/registry/apiservice/etcd/etcd.go
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/apis/apiregistration/v1/defaults.go
 */
import type { ResourceKind } from '../resource-kind.js';
import { kubeTimestamp } from '../../store/object-store.js';
import { SUBRESOURCE_VERBS } from '../verbs.js';
import { objectField, storedKind } from './fields.js';

export const apiServiceKind: ResourceKind = storedKind(
  'apiregistration.k8s.io',
  'v1',
  'APIService',
  'apiservices',
  {
    namespaced: false,
    categories: ['api-extensions'],
    subresources: [{ name: 'status', kind: 'APIService', verbs: SUBRESOURCE_VERBS }],
    // `ValidateAPIService` checks the name as a path segment, then against spec.version+"."+spec.group.
    nameValidation: 'pathSegment',
    normalizeOnWrite(apiService) {
      const spec = objectField(apiService, 'spec');
      if (spec.service !== null && typeof spec.service === 'object') {
        const service = spec.service as Record<string, unknown>;
        service.port ??= 443;
      }
    },
  },
);

/**
 * `NewLocalAvailableAPIServiceCondition`: what a Local APIService's status says from its creation on.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/apis/apiregistration/helpers.go
 */
export function localAvailableCondition(now: Date): Record<string, unknown> {
  return {
    type: 'Available',
    status: 'True',
    lastTransitionTime: kubeTimestamp(now),
    reason: 'Local',
    message: 'Local APIServices are always available',
  };
}
