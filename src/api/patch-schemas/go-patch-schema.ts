/**
 * The strategic-merge-patch schema of a built-in kind, read from the `patchStrategy` and `patchMergeKey` tags of
 * its Go structs (the generated Go type table), as `strategicpatch.NewPatchMetaFromStruct` reads them.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/meta.go
 */
import { FIELD_INLINE, type GoType } from '../../decode/go-type.js';
import { GO_TYPES } from '../../decode/go-types.generated.js';
import { goTypeOf } from '../../decode/typed-decode.js';
import type { PatchField, PatchSchema, PatchStrategy } from '../strategic-merge-patch.js';

const typeOf = (id: number): GoType => GO_TYPES.types[id]!;

/** Through pointers to the type they point at. */
function unpointed(id: number): number {
  const type = typeOf(id);
  return type[0] === 'ptr' ? unpointed(type[2]) : id;
}

const schemas = new Map<number, PatchSchema>();
const tagging = new Map<number, boolean>();

/**
 * Whether a struct has tagged fields, or fields whose structs do: only those are listed, as any other field
 * merges key by key and is replaced as a list without metadata. Recursive types (JSON schemas) carry no tags.
 */
function hasTags(id: number): boolean {
  const known = tagging.get(id);
  if (known !== undefined) return known;
  tagging.set(id, false);
  const type = typeOf(id);
  const tagged =
    type[0] === 'struct' &&
    type[2].some(([, fieldType, , strategy, mergeKey]) => {
      if (strategy || mergeKey) return true;
      const value = typeOf(unpointed(fieldType));
      if (value[0] === 'struct') return hasTags(unpointed(fieldType));
      return value[0] === 'slice' && hasTags(unpointed(value[2]));
    });
  tagging.set(id, tagged);
  return tagged;
}

/** The schema of a struct type; built once per type, so recursive types (JSON schemas) end. */
function structSchema(id: number): PatchSchema {
  const cached = schemas.get(id);
  if (cached) return cached;
  const fields: Record<string, PatchField> = {};
  const schema: PatchSchema = { fields };
  schemas.set(id, schema);
  addFields(id, fields);
  return schema;
}

function addFields(id: number, fields: Record<string, PatchField>): void {
  const type = typeOf(id);
  if (type[0] !== 'struct') return;
  for (const [json, fieldType, flags, strategy, mergeKey] of type[2]) {
    if (flags & FIELD_INLINE) {
      addFields(unpointed(fieldType), fields);
      continue;
    }
    const field: { -readonly [K in keyof PatchField]: PatchField[K] } = {};
    if (strategy) field.strategies = strategy.split(',') as PatchStrategy[];
    if (mergeKey) field.mergeKey = mergeKey;
    const value = typeOf(unpointed(fieldType));
    if (value[0] === 'struct' && hasTags(unpointed(fieldType)))
      field.object = structSchema(unpointed(fieldType));
    else if (value[0] === 'slice' && hasTags(unpointed(value[2])))
      field.items = structSchema(unpointed(value[2]));
    if (Object.keys(field).length > 0) fields[json] = field;
  }
}

/** The patch schema of the kind `apiVersion`/`kind`; none for kinds without Go types (custom resources). */
export function goPatchSchema(apiVersion: string, kind: string): PatchSchema | undefined {
  const root = goTypeOf(apiVersion, kind);
  return root === undefined ? undefined : structSchema(root);
}
