import { badRequest, invalid, type FieldError } from '../errors/status.js';
import { parseMicroTime } from './micro-time.js';
import type { KubeObject, ResourceKind } from './resource-kind.js';

const MICRO_TIME_FIELDS = ['acquireTime', 'renewTime'] as const;

/** The JSON value kinds `encoding/json` names in an `UnmarshalTypeError`. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // number, object
}

/**
 * Decodes the spec's MicroTime fields as the JSON decoder does (400 `cannot be handled as a Lease` for a value
 * not in `RFC3339Micro`, JSON null dropping the field) and writes them back in UTC.
 */
function normalizeMicroTimes(spec: Record<string, unknown>): void {
  for (const field of MICRO_TIME_FIELDS) {
    const value = spec[field];
    if (value === undefined) continue;
    if (value === null) {
      delete spec[field];
      continue;
    }
    if (typeof value !== 'string') {
      throw badRequest(
        `Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal ${jsonKind(value)} ` +
          'into Go value of type string',
      );
    }
    const parsed = parseMicroTime(value);
    if (!parsed.ok) throw badRequest(`Lease in version "v1" cannot be handled as a Lease: ${parsed.error}`);
    spec[field] = parsed.value;
  }
}

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
 * heartbeats write. Every write is decoded and validated as kube-apiserver does it: `acquireTime` and
 * `renewTime` must be `RFC3339Micro` (six fractional digits), the counters must not be negative.
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
    normalizeMicroTimes(spec as Record<string, unknown>);
    validateLeaseSpec(lease, spec as Record<string, unknown>);
  },
};
