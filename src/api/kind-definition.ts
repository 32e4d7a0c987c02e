import { goTypeOf } from '../decode/typed-decode.js';
import { GENERATED_ROOT_KINDS } from '../http/protobuf-schemas.generated.js';
import { apiVersionOf, type ResourceKind } from '../registry/resource-kind.js';
import { createStatusRule } from './create-status-reset.js';
import { goPatchSchema } from './patch-schemas/go-patch-schema.js';
import type { PatchSchema } from './strategic-merge-patch.js';
import { KIND_VALIDATION, throwIfInvalid, type KindValidation } from './strategy-validation.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kindPrinter, type TablePrinter } from './table.js';

/**
 * A kind's strategy, as `pkg/registry/<group>/<kind>/strategy.go` defines it: what a create does to status,
 * and the validation of creates and updates (beyond the typed decode and the name). Defaults and normalization
 * are the registry entry's own (`defaultOnCreate`, `normalizeOnWrite`).
 */
export interface KindStrategy {
  /** `PrepareForCreate`'s status: reset as the strategy resets it, kept, dropped (a CR's), or none. */
  statusOnCreate: ReturnType<typeof createStatusRule>;
  /** Writes to the main resource keep the stored status (the kind has a `status` subresource). */
  statusSubresource: boolean;
  validation: KindValidation | 'the typed decode and the name only';
}

/**
 * Every facet of one kind, bound in one object as kube-apiserver binds a resource's store in
 * `pkg/registry/<group>/<kind>/storage/storage.go` (Strategy, TableConvertor, ...): the registry entry
 * (discovery data, defaults, normalization, field selectors, conversion, scale), the strategy, the Table
 * printer, the strategic-merge-patch schema, the Go type bodies decode into and the protobuf message. A facet
 * that does not apply says why, in words.
 */
export interface KindDefinition {
  readonly resource: ResourceKind;
  readonly strategy: KindStrategy;
  readonly printer: TablePrinter | 'the default Name and Created At columns';
  readonly patchSchema: PatchSchema | 'from the CRD schema' | 'not patchable (a review)';
  readonly goType: number | 'a custom resource: decoded by its CRD schema';
  readonly protobuf: string | 'JSON only (as for custom resources)';
}

const definitions = new WeakMap<ResourceKind, KindDefinition>();

/** The definition of a kind, built once per registry entry. */
export function definitionOf(kind: ResourceKind): KindDefinition {
  let definition = definitions.get(kind);
  if (!definition) {
    definition = bind(kind);
    definitions.set(kind, definition);
  }
  return definition;
}

function bind(kind: ResourceKind): KindDefinition {
  const apiVersion = apiVersionOf(kind);
  const builtIn = kind.origin !== 'crd';
  const key = `${kind.group}/${kind.kind}`;
  return {
    resource: kind,
    strategy: {
      statusOnCreate: createStatusRule(kind),
      statusSubresource: kind.subresources?.some((s) => s.name === 'status') ?? false,
      validation: (builtIn && KIND_VALIDATION[key]) || 'the typed decode and the name only',
    },
    printer: kindPrinter(kind) ?? 'the default Name and Created At columns',
    patchSchema:
      kind.storage === 'review'
        ? 'not patchable (a review)'
        : builtIn
          ? (goPatchSchema(apiVersion, kind.kind) ?? 'from the CRD schema')
          : 'from the CRD schema',
    goType: (builtIn && goTypeOf(apiVersion, kind.kind)) || 'a custom resource: decoded by its CRD schema',
    protobuf:
      (builtIn && GENERATED_ROOT_KINDS[`${apiVersion} ${kind.kind}`]) ||
      'JSON only (as for custom resources)',
  };
}

/** Validates a create through the API with the kind's strategy (422 Invalid on failure). */
export function validateCreate(kind: ResourceKind, obj: KubeObject): void {
  const { validation } = definitionOf(kind).strategy;
  if (typeof validation !== 'string' && validation.create) throwIfInvalid(kind, obj, validation.create(obj));
}

/** Validates an update of the main resource with the kind's strategy, given the stored object (422 Invalid). */
export function validateUpdate(kind: ResourceKind, obj: KubeObject, current: KubeObject): void {
  const { validation } = definitionOf(kind).strategy;
  if (typeof validation !== 'string' && validation.update)
    throwIfInvalid(kind, obj, validation.update(obj, current));
}
