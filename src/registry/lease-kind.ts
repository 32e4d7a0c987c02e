import { invalid, type FieldError } from '../errors/status.js';
import type { KubeObject, ResourceKind } from './resource-kind.js';

/**
 * `ValidateLeaseSpec`'s checks on the two counters (the alpha `strategy` and `preferredHolder` of coordinated
 * leader election are stored as sent).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/coordination/validation/validation.go
 */
function validateLeaseSpec(lease: KubeObject, spec: Record<string, unknown>): void {
  const errors: FieldError[] = [];
  const { leaseDurationSeconds, leaseTransitions } = spec;
  if (typeof leaseDurationSeconds === 'number' && leaseDurationSeconds <= 0) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.leaseDurationSeconds',
      detail: `Invalid value: ${leaseDurationSeconds}: must be greater than 0`,
    });
  }
  if (typeof leaseTransitions === 'number' && leaseTransitions < 0) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.leaseTransitions',
      detail: `Invalid value: ${leaseTransitions}: must be greater than or equal to 0`,
    });
  }
  if (errors.length > 0) {
    throw invalid('Lease', 'coordination.k8s.io', lease.metadata?.name ?? '', errors);
  }
}

/**
 * coordination.k8s.io/v1 Lease: what leader election (client-go's `LeaseLock`, controller-runtime) and node
 * heartbeats write. Every write is validated as kube-apiserver does it: the counters must not be negative
 * (`acquireTime` and `renewTime` are `MicroTime`s, which the typed decode of every body reads).
 * @see https://kubernetes.io/docs/concepts/architecture/leases/
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/api/coordination/v1/types.go
 */
export const leaseKind: ResourceKind = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  resource: 'leases',
  singular: 'lease',
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  storage: 'stored',
  nameValidation: 'dns1123Subdomain',
  normalizeOnWrite(lease) {
    const spec = lease.spec;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return;
    validateLeaseSpec(lease, spec as Record<string, unknown>);
  },
};
