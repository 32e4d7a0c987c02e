/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON
 * objects the JSON path would receive. Typed clients in client-go 1.32+ (and so kubectl 1.32+) send these
 * for `auth can-i`, `auth whoami`, `create token`, `create configmap|deployment|job|service|ingress|quota…`.
 * Every kind of the served built-in API packages decodes, driven by `protobuf-schemas.generated.ts`
 * (`scripts/generate-protobuf-schemas.mjs`); apiextensions.k8s.io and custom resources answer 415.
 *
 * The output is what `encoding/json` would produce from the Go struct that gogo-protobuf would unmarshal
 * the body into, minus JSON `null`s (an absent key and `null` decode the same way on the JSON path).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/generated.proto
 */

import { badRequest, unsupportedMediaTypeMessage } from '../errors/status.js';
import type { GeneratedMessage, Presence, ScalarType, WellKnownType } from './protobuf-schema.js';
import { GENERATED_MESSAGES, GENERATED_ROOT_KINDS } from './protobuf-schemas.generated.js';
import { decodeWellKnown, isWellKnown, wellKnownZero } from './protobuf-well-known.js';
import { ProtoError, readFields, type WireField } from './protobuf-wire.js';

/**
 * The media type of Kubernetes protobuf bodies.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/types.go
 */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldType = ScalarType | WellKnownType | MessageDef;

interface FieldDef {
  no: number;
  json: string;
  goName: string;
  type: FieldType;
  presence: Presence;
  list?: 'repeated' | 'map';
  inline?: boolean;
}

interface MessageDef {
  name: string;
  fields: FieldDef[];
  /** `ExtraValue`-style wrappers whose JSON form is the bare `items` list. */
  itemsOnly?: boolean;
}

const SCALAR_TYPES = new Set<string>(['string', 'bool', 'int32', 'int64', 'bytes']);
const messageDefs = new Map<string, MessageDef>();

/** The decoder's view of a generated message, built once; the cache is filled first so cycles resolve. */
function messageDef(fullName: string): MessageDef {
  const cached = messageDefs.get(fullName);
  if (cached) return cached;
  const generated: GeneratedMessage | undefined = GENERATED_MESSAGES[fullName];
  if (!generated) throw new Error(`protobuf schema: no message ${fullName}`);
  const def: MessageDef = { name: generated.name, fields: [] };
  if (generated.itemsOnly) def.itemsOnly = true;
  messageDefs.set(fullName, def);
  for (const [no, json, type, presence, goName, flags] of generated.fields) {
    const resolved: FieldType =
      SCALAR_TYPES.has(type) || isWellKnown(type) ? (type as ScalarType | WellKnownType) : messageDef(type);
    def.fields.push({ no, json, goName, type: resolved, presence, ...flags });
  }
  return def;
}

const KINDS = new Map<string, string>(Object.entries(GENERATED_ROOT_KINDS));
// metav1.AddToGroupVersion registers DeleteOptions in every group version, and client-go encodes a
// DELETE's body in its client's: controller-runtime's client sends it as protobuf for built-in kinds
// (`rbac.authorization.k8s.io/v1, Kind=DeleteOptions`).
for (const groupVersion of new Set([...KINDS.keys()].map((key) => key.split(' ')[0]!))) {
  KINDS.set(`${groupVersion} DeleteOptions`, 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
}

/**
 * The `apiVersion kind` pairs {@link decodeKubernetesProtobuf} understands, e.g. `v1 ConfigMap`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/client-go/rest/request.go
 */
export const PROTOBUF_DECODABLE_KINDS: readonly string[] = [...KINDS.keys()];

function wireTypeOf(type: FieldType): number {
  return type === 'bool' || type === 'int32' || type === 'int64' ? 0 : 2;
}

/** The JSON value of one wire occurrence of a field; `undefined` stands for JSON null. */
function convert(type: FieldType, field: WireField): unknown {
  switch (type) {
    case 'string':
      return field.bytes!.toString('utf8');
    case 'bytes':
      return field.bytes!.toString('base64');
    case 'bool':
      return field.varint !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, field.varint!));
    case 'int64':
      return Number(BigInt.asIntN(64, field.varint!));
    default:
      if (typeof type === 'string') return decodeWellKnown(type, field);
      return type.itemsOnly ? decodeItems(field.bytes!, type) : decodeMessage(field.bytes!, type);
  }
}

function zeroValue(type: FieldType): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
      return 0;
    default:
      if (typeof type === 'string') return wellKnownZero(type);
      return type.itemsOnly ? [] : decodeMessage(Buffer.alloc(0), type);
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === false || value === 0 || value === undefined;
}

function decodeMapEntry(data: Buffer, def: FieldDef, messageName: string): [string, unknown] {
  let key = '';
  let value: unknown = zeroValue(def.type);
  const valueWire = wireTypeOf(def.type);
  for (const field of readFields(data, messageName, (no) => no === 1 || no === 2)) {
    if (field.wire !== (field.no === 1 ? 2 : valueWire)) {
      throw new ProtoError(`proto: wrong wireType = ${field.wire} for field ${def.goName}`);
    }
    if (field.no === 1) key = field.bytes!.toString('utf8');
    else value = convert(def.type, field);
  }
  return [key, value];
}

/** The occurrences of each mapped field, in wire order, with their wire types checked. */
function readMessage(data: Buffer, def: MessageDef): Map<FieldDef, WireField[]> {
  const byNo = new Map(def.fields.map((field) => [field.no, field]));
  const occurrences = new Map<FieldDef, WireField[]>();
  for (const wireField of readFields(data, def.name, (no) => byNo.has(no))) {
    const field = byNo.get(wireField.no)!;
    if (wireField.wire !== (field.list ? 2 : wireTypeOf(field.type))) {
      throw new ProtoError(`proto: wrong wireType = ${wireField.wire} for field ${field.goName}`);
    }
    const list = occurrences.get(field) ?? [];
    list.push(wireField);
    occurrences.set(field, list);
  }
  return occurrences;
}

function decodeItems(data: Buffer, def: MessageDef): string[] {
  const items = readMessage(data, def).get(def.fields[0]!) ?? [];
  return items.map((item) => item.bytes!.toString('utf8'));
}

function decodeMessage(data: Buffer, def: MessageDef): Record<string, unknown> {
  const occurrences = readMessage(data, def);
  const out: Record<string, unknown> = {};
  for (const field of def.fields) {
    const seen = occurrences.get(field) ?? [];
    let value: unknown;
    if (field.list === 'repeated') {
      const values = seen.map((item) => convert(field.type, item));
      if (values.length > 0) value = values;
    } else if (field.list === 'map') {
      const entries = new Map(seen.map((entry) => decodeMapEntry(entry.bytes!, field, def.name)));
      if (entries.size > 0) {
        // encoding/json writes map keys sorted.
        value = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    } else if (seen.length === 0) {
      if (field.presence === 'value') value = zeroValue(field.type);
    } else if (wireTypeOf(field.type) === 2 && field.type !== 'string' && field.type !== 'bytes') {
      // Repeated occurrences of an embedded message merge, which is what decoding their concatenation does.
      const merged = Buffer.concat(seen.map((item) => item.bytes!));
      value = convert(field.type, { no: field.no, wire: 2, bytes: merged });
    } else {
      value = convert(field.type, seen[seen.length - 1]!);
      if (field.presence === 'omitempty' && isZero(value)) value = undefined;
    }
    if (field.inline && value !== null && typeof value === 'object') {
      // encoding/json writes the fields of an embedded `json:",inline"` struct into its parent.
      Object.assign(out, value);
    } else if (value !== undefined) {
      out[field.json] = value;
    }
  }
  return out;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

function decodeEnvelope(body: Buffer): Envelope {
  if (body.length === 0) throw new ProtoError('empty data');
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtoError(
      `provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`,
    );
  }
  if (body.length === MAGIC.length) throw new ProtoError('empty body');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  const unknownNames = ['', 'TypeMeta', 'Raw', 'ContentEncoding', 'ContentType'];
  for (const field of readFields(body.subarray(MAGIC.length), 'Unknown', (no) => no >= 1 && no <= 4)) {
    if (field.wire !== 2)
      throw new ProtoError(`proto: wrong wireType = ${field.wire} for field ${unknownNames[field.no]}`);
    if (field.no === 1) {
      for (const typeField of readFields(field.bytes!, 'TypeMeta', (no) => no === 1 || no === 2)) {
        if (typeField.wire !== 2) {
          throw new ProtoError(
            `proto: wrong wireType = ${typeField.wire} for field ${typeField.no === 1 ? 'APIVersion' : 'Kind'}`,
          );
        }
        if (typeField.no === 1) apiVersion = typeField.bytes!.toString('utf8');
        else kind = typeField.bytes!.toString('utf8');
      }
    } else if (field.no === 2) {
      raw = field.bytes!;
    }
  }
  const typeMeta = `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;
  if (!kind) throw new ProtoError(`Object 'Kind' is missing in '${typeMeta}'`);
  if (!apiVersion.split('/').pop()) throw new ProtoError(`Object 'apiVersion' is missing in '${typeMeta}'`);
  return { apiVersion, kind, raw };
}

/**
 * Decodes a Kubernetes protobuf request body (`k8s\0` + `runtime.Unknown`) into the JSON object the JSON
 * path would have received, `apiVersion` and `kind` included.
 *
 * Throws an {@link ApiError}: 400 `BadRequest` for a malformed envelope or object, with the error text of
 * the protobuf serializer and gogo's generated `Unmarshal`; 415 `UnsupportedMediaType` for a well-formed
 * body of a kind not in {@link PROTOBUF_DECODABLE_KINDS}.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(body);
  } catch (err) {
    if (err instanceof ProtoError) throw badRequest(err.message);
    throw err;
  }
  const { apiVersion, kind, raw } = envelope;
  const messageName = KINDS.get(`${apiVersion} ${kind}`);
  if (!messageName) {
    throw unsupportedMediaTypeMessage(
      `fake-apiserver cannot decode ${PROTOBUF_CONTENT_TYPE} bodies of ${apiVersion}, Kind=${kind}: ` +
        'send this object as JSON (Content-Type: application/json)',
    );
  }
  try {
    return { kind, apiVersion, ...decodeMessage(raw, messageDef(messageName)) };
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    const version = apiVersion.split('/').pop();
    // transformDecodeError, for a body whose kind the serializer already knew.
    throw badRequest(
      `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${err.message}`,
    );
  }
}
