/**
 * The shape of the generated Go type table (`go-types.generated.ts`, written by `scripts/go-types`): the Go
 * types of every served kind, numbered, as `reflect` describes them.
 */

/** How a Go type decodes from JSON: its reflect kind, or `custom` for a type with its own `UnmarshalJSON`. */
export type GoKind =
  | 'struct'
  | 'ptr'
  | 'slice'
  | 'map'
  | 'bytes'
  | 'string'
  | 'bool'
  | 'int'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'any'
  | 'custom';

/** `GoField` flag: the struct is embedded inline (its fields are promoted). */
export const FIELD_INLINE = 1;
/** `GoField` flag: the JSON tag has `omitempty`. */
export const FIELD_OMITEMPTY = 2;

/**
 * A struct field: JSON name, field type's number, its flags (`FIELD_INLINE`, `FIELD_OMITEMPTY`), and where the
 * Go field has them, its `patchStrategy` and `patchMergeKey` tags (either may be empty).
 */
export type GoField =
  | [json: string, type: number, flags: number]
  | [json: string, type: number, flags: number, patchStrategy: string, patchMergeKey: string];

/**
 * One type: its kind and its name as `reflect.Type.String()` prints it (`v1.PodSpec`, `map[string]string`),
 * then a struct's fields, the element type's number of a pointer, slice or map, or what a custom type's
 * `MarshalJSON` writes for its zero value (`null` for a zero `metav1.Time`, `"0"` for a Quantity). Every custom
 * type is a Go struct (the generator checks), so `omitempty` never drops one held by value.
 */
export type GoType =
  | [kind: 'struct', name: string, fields: GoField[]]
  | [kind: 'ptr' | 'slice' | 'map', name: string, elem: number]
  | [kind: 'custom', name: string, zero: unknown]
  | [kind: Exclude<GoKind, 'struct' | 'ptr' | 'slice' | 'map' | 'custom'>, name: string];

/** The types, and each kind's root type by `<group/version> <Kind>` (`v1 Pod`, `apps/v1 Deployment`). */
export interface GoTypeTable {
  types: GoType[];
  roots: Record<string, number>;
}
