/**
 * The shape of the generated protobuf schemas (`protobuf-schemas.generated.ts`), written by
 * `scripts/generate-protobuf-schemas.mjs` from the k8s.io/api and k8s.io/apimachinery `generated.proto` files
 * and the Go struct tags of the same packages.
 */

/** A protobuf scalar as the Kubernetes types use them. */
export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

/**
 * A message with its own JSON form: `metav1.Time`, `MicroTime`, `FieldsV1`, `Duration`, `resource.Quantity`,
 * `intstr.IntOrString` and `runtime.RawExtension`.
 */
export type WellKnownType =
  'time' | 'microTime' | 'fieldsV1' | 'duration' | 'quantity' | 'intOrString' | 'rawExtension';

/**
 * How the Go field appears in JSON: `value` is a non-pointer field without `omitempty` (or a struct, which
 * `omitempty` never omits); `omitempty` drops zero values; `pointer` is present iff it was on the wire.
 */
export type Presence = 'value' | 'omitempty' | 'pointer';

/**
 * One field: number, JSON name, type (a scalar, a well-known type or the full protobuf name of a message),
 * presence, Go field name (for gogo's error texts) and, when set, whether it is a list, a map with string keys,
 * or a struct embedded inline (its fields are written into the parent's JSON object).
 */
export type GeneratedField =
  | [no: number, json: string, type: string, presence: Presence, goName: string]
  | [
      no: number,
      json: string,
      type: string,
      presence: Presence,
      goName: string,
      flags: { list?: 'repeated' | 'map'; inline?: boolean },
    ];

/** One message; `itemsOnly` marks Go named slices (`ExtraValue []string`) whose JSON is the bare list. */
export interface GeneratedMessage {
  name: string;
  fields: GeneratedField[];
  itemsOnly?: boolean;
}
