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

/**
 * A struct field: JSON name, field type's number, 1 when the struct is embedded inline, and where the Go field
 * has them, its `patchStrategy` and `patchMergeKey` tags (either may be empty).
 */
export type GoField =
  | [json: string, type: number, inline: number]
  | [json: string, type: number, inline: number, patchStrategy: string, patchMergeKey: string];

/**
 * One type: its kind and its name as `reflect.Type.String()` prints it (`v1.PodSpec`, `map[string]string`),
 * then a struct's fields or the element type's number of a pointer, slice or map.
 */
export type GoType =
  | [kind: 'struct', name: string, fields: GoField[]]
  | [kind: 'ptr' | 'slice' | 'map', name: string, elem: number]
  | [kind: Exclude<GoKind, 'struct' | 'ptr' | 'slice' | 'map'>, name: string];

/** The types, and each kind's root type by `<group/version> <Kind>` (`v1 Pod`, `apps/v1 Deployment`). */
export interface GoTypeTable {
  types: GoType[];
  roots: Record<string, number>;
}
