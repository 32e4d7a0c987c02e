/**
 * The shape server-side apply needs of a kind's objects: which lists are associative (and by which keys),
 * which are sets, which lists and maps are atomic. Everything not described merges as upstream's defaults
 * do: maps field by field, lists atomically.
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy
 */
import { apiVersionOf, type ResourceKind } from '../../registry/resource-kind.js';
import type { PatchSchema } from '../strategic-merge-patch.js';
import { goPatchSchema } from '../patch-schemas/go-patch-schema.js';

/** The apply shape of one value. */
export interface ApplyShape {
  /** Shapes of an object's named fields. */
  readonly fields?: Readonly<Record<string, ApplyShape>>;
  /** Shape of the values of a map's other keys (`additionalProperties`), and of a list's items. */
  readonly elements?: ApplyShape;
  /** How a list merges: `atomic` (the default), `set` or `map` (associative, by `keys`). */
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly keys?: readonly string[];
  /** Key values used when an item leaves a key out (a port's `protocol` defaults to `TCP`). */
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
  /** An atomic map (`x-kubernetes-map-type: atomic`, `+structType=atomic`): replaced whole. */
  readonly atomic?: boolean;
}

/** The shape of any value nothing is known about. */
export const UNKNOWN_SHAPE: ApplyShape = {};

const PROTOCOL_DEFAULT = { protocol: 'TCP' } as const;
const LABEL_SELECTOR: ApplyShape = { atomic: true };

/** `metav1.ObjectMeta`, the same for every kind. */
const OBJECT_META: ApplyShape = {
  fields: {
    finalizers: { listType: 'set' },
    ownerReferences: { listType: 'map', keys: ['uid'] },
  },
};

/**
 * Where the apply keys of built-in lists differ from their strategic-merge-patch merge keys
 * (`x-kubernetes-list-map-keys` in the published OpenAPI), by field name under its parent's shape.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/api/openapi-spec/v3/api__v1_openapi.json
 */
const KEY_OVERRIDES: Readonly<Record<string, { keys: string[]; keyDefaults?: Record<string, unknown> }>> = {
  'containers.ports': { keys: ['containerPort', 'protocol'], keyDefaults: PROTOCOL_DEFAULT },
  'initContainers.ports': { keys: ['containerPort', 'protocol'], keyDefaults: PROTOCOL_DEFAULT },
  'ephemeralContainers.ports': { keys: ['containerPort', 'protocol'], keyDefaults: PROTOCOL_DEFAULT },
  'spec.ports': { keys: ['port', 'protocol'], keyDefaults: PROTOCOL_DEFAULT },
};

/** Fields that are atomic structs in every built-in kind (`+structType=atomic`). */
const ATOMIC_FIELDS: Readonly<Record<string, ApplyShape>> = { selector: LABEL_SELECTOR };

const patchShapes = new WeakMap<PatchSchema, Map<string, ApplyShape>>();

function fromPatchSchema(schema: PatchSchema | undefined, parent: string): ApplyShape {
  // Recursive types (a CRD's JSON schemas) give a recursive schema: each shape is made once, so it ends.
  const byParent = schema ? (patchShapes.get(schema) ?? new Map<string, ApplyShape>()) : undefined;
  const known = byParent?.get(parent);
  if (known) return known;
  const fields: Record<string, ApplyShape> = {};
  if (schema && byParent) {
    byParent.set(parent, { fields });
    patchShapes.set(schema, byParent);
  }
  for (const [name, field] of Object.entries(schema?.fields ?? {})) {
    const override = KEY_OVERRIDES[`${parent}.${name}`];
    if (field.mergeKey && field.strategies?.includes('merge')) {
      fields[name] = {
        listType: 'map',
        keys: override?.keys ?? [field.mergeKey],
        ...(override?.keyDefaults ? { keyDefaults: override.keyDefaults } : {}),
        elements: fromPatchSchema(field.items, name),
      };
    } else if (field.strategies?.includes('merge')) {
      fields[name] = { listType: 'set' };
    } else if (field.object) {
      fields[name] = fromPatchSchema(field.object, name);
    } else if (override) {
      fields[name] = { listType: 'map', ...override };
    }
  }
  return byParent?.get(parent) ?? { fields };
}

/** Reads the list and map types of an OpenAPI v3 schema (a CRD version's `openAPIV3Schema`). */
export function shapeFromOpenApi(schema: Readonly<Record<string, unknown>> | undefined): ApplyShape {
  if (!schema) return UNKNOWN_SHAPE;
  const listType = schema['x-kubernetes-list-type'] as ApplyShape['listType'] | undefined;
  const keys = schema['x-kubernetes-list-map-keys'] as string[] | undefined;
  const properties = schema['properties'] as Record<string, Record<string, unknown>> | undefined;
  const items = schema['items'] as Record<string, unknown> | undefined;
  const additional = schema['additionalProperties'];
  const fields: Record<string, ApplyShape> = {};
  for (const [name, property] of Object.entries(properties ?? {})) fields[name] = shapeFromOpenApi(property);
  const elements =
    items ??
    (additional && typeof additional === 'object' ? (additional as Record<string, unknown>) : undefined);
  return {
    ...(properties ? { fields } : {}),
    ...(elements ? { elements: shapeFromOpenApi(elements) } : {}),
    ...(schema['type'] === 'array' ? { listType: listType ?? 'atomic' } : {}),
    ...(keys ? { keys } : {}),
    ...(schema['x-kubernetes-map-type'] === 'atomic' ? { atomic: true } : {}),
  };
}

const shapes = new WeakMap<ResourceKind, ApplyShape>();

/** The apply shape of a kind's objects: its CRD schema, or what its strategic-merge-patch schema says. */
export function applyShapeOf(kind: ResourceKind): ApplyShape {
  let shape = shapes.get(kind);
  if (shape) return shape;
  const base = kind.openApiSchema
    ? shapeFromOpenApi(kind.openApiSchema)
    : fromPatchSchema(kind.origin === 'crd' ? undefined : goPatchSchema(apiVersionOf(kind), kind.kind), '');
  const spec = base.fields?.['spec'];
  const specFields = { ...(kind.openApiSchema ? {} : ATOMIC_FIELDS), ...(spec?.fields ?? {}) };
  if (!kind.openApiSchema && kind.kind === 'Service')
    specFields['ports'] = { listType: 'map', ...KEY_OVERRIDES['spec.ports']! };
  shape = {
    ...base,
    fields: {
      ...base.fields,
      metadata: OBJECT_META,
      ...(spec || !kind.openApiSchema ? { spec: { ...spec, fields: specFields } } : {}),
    },
  };
  shapes.set(kind, shape);
  return shape;
}

/** The shape of a named field of an object. */
export function fieldShape(shape: ApplyShape, name: string): ApplyShape {
  return shape.fields?.[name] ?? shape.elements ?? UNKNOWN_SHAPE;
}

/** Whether a field of this shape is a declared struct field (not a map entry). */
export function isDeclaredField(shape: ApplyShape, name: string): boolean {
  return shape.fields !== undefined && name in shape.fields;
}
