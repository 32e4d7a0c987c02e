/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON
 * objects the JSON path would receive. Typed clients in client-go 1.32+ (and so kubectl 1.32+) send these
 * for `auth can-i`, `auth whoami`, `create token`, `create configmap|secret|namespace|serviceaccount|role…`.
 *
 * The output is what `encoding/json` would produce from the Go struct that gogo-protobuf would unmarshal
 * the body into, minus JSON `null`s (an absent key and `null` decode the same way on the JSON path).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/generated.proto
 */

import { ApiError, badRequest } from '../errors/status.js';

/**
 * The media type of Kubernetes protobuf bodies.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/types.go
 */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** An error with the text gogo-protobuf's generated `Unmarshal` methods would return. */
class ProtoError extends Error {}

const UNEXPECTED_EOF = 'unexpected EOF';
const INVALID_LENGTH = 'proto: negative length found during unmarshaling';
const INT_OVERFLOW = 'proto: integer overflow';

interface WireField {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(data: Buffer, pos: number): [bigint, number] {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (shift >= 64n) throw new ProtoError(INT_OVERFLOW);
    if (pos >= data.length) throw new ProtoError(UNEXPECTED_EOF);
    const b = data[pos++]!;
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asUintN(64, value), pos];
  }
}

function readLength(data: Buffer, pos: number): [number, number] {
  const [raw, next] = readVarint(data, pos);
  const length = BigInt.asIntN(64, raw);
  if (length < 0n) throw new ProtoError(INVALID_LENGTH);
  if (BigInt(next) + length > BigInt(data.length)) throw new ProtoError(UNEXPECTED_EOF);
  return [Number(length), next];
}

/** Port of `skipGenerated`: the length of the unknown field starting at `pos`, groups included. */
function skipField(data: Buffer, start: number): number {
  let pos = start;
  let depth = 0;
  while (pos < data.length) {
    const [tag, afterTag] = readVarint(data, pos);
    pos = afterTag;
    const wire = Number(tag & 7n);
    switch (wire) {
      case 0:
        pos = readVarint(data, pos)[1];
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const [raw, next] = readVarint(data, pos);
        const length = BigInt.asIntN(64, raw);
        if (length < 0n) throw new ProtoError(INVALID_LENGTH);
        pos = next + Number(length);
        break;
      }
      case 3:
        depth++;
        break;
      case 4:
        if (depth === 0) throw new ProtoError('proto: unexpected end of group');
        depth--;
        break;
      case 5:
        pos += 4;
        break;
      default:
        throw new ProtoError(`proto: illegal wireType ${wire}`);
    }
    if (depth === 0) {
      if (pos > data.length) throw new ProtoError(UNEXPECTED_EOF);
      return pos;
    }
  }
  throw new ProtoError(UNEXPECTED_EOF);
}

/** Splits a message into fields, checking what gogo checks; `known` decides which fields are skipped. */
function readFields(data: Buffer, messageName: string, known: (no: number) => boolean): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < data.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(data, pos);
    pos = afterTag;
    const no = Number(BigInt.asIntN(32, tag >> 3n));
    const wire = Number(tag & 7n);
    if (wire === 4) throw new ProtoError(`proto: ${messageName}: wiretype end group for non-group`);
    if (no <= 0) throw new ProtoError(`proto: ${messageName}: illegal tag ${no} (wire type ${tag})`);
    if (!known(no)) {
      pos = skipField(data, start);
      continue;
    }
    if (wire === 0) {
      const [value, next] = readVarint(data, pos);
      fields.push({ no, wire, varint: value });
      pos = next;
    } else if (wire === 2) {
      const [length, next] = readLength(data, pos);
      fields.push({ no, wire, bytes: data.subarray(next, next + length) });
      pos = next + length;
    } else {
      // No mapped field uses another wire type: stop here so the caller reports the mismatch, as gogo does.
      fields.push({ no, wire });
      return fields;
    }
  }
  return fields;
}

type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

/**
 * `time` is `metav1.Time`, `microTime` is `metav1.MicroTime`, `fieldsV1` is `metav1.FieldsV1` (JSON text in a
 * bytes field).
 */
type FieldType = Scalar | 'time' | 'microTime' | 'fieldsV1' | MessageDef;

/**
 * How the Go field appears in JSON: `value` is a non-pointer field without `omitempty` (or a struct, which
 * `omitempty` never omits); `omitempty` drops zero values; `pointer` is present iff it was on the wire.
 */
type Presence = 'value' | 'omitempty' | 'pointer';

interface FieldDef {
  no: number;
  json: string;
  type: FieldType;
  presence: Presence;
  list?: 'repeated' | 'map';
}

interface MessageDef {
  name: string;
  fields: FieldDef[];
  /** `ExtraValue`-style wrappers whose JSON form is the bare `items` list. */
  itemsOnly?: boolean;
}

const f = (no: number, json: string, type: FieldType, presence: Presence = 'omitempty'): FieldDef => ({
  no,
  json,
  type,
  presence,
});
const rep = (no: number, json: string, type: FieldType): FieldDef => ({
  no,
  json,
  type,
  presence: 'omitempty',
  list: 'repeated',
});
const map = (no: number, json: string, type: FieldType): FieldDef => ({
  no,
  json,
  type,
  presence: 'omitempty',
  list: 'map',
});
const msg = (name: string, fields: FieldDef[]): MessageDef => ({ name, fields });

// Field numbers from k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto; JSON names and presence from types.go.
const ownerReference = msg('OwnerReference', [
  f(5, 'apiVersion', 'string', 'value'),
  f(1, 'kind', 'string', 'value'),
  f(3, 'name', 'string', 'value'),
  f(4, 'uid', 'string', 'value'),
  f(6, 'controller', 'bool', 'pointer'),
  f(7, 'blockOwnerDeletion', 'bool', 'pointer'),
]);
const managedFieldsEntry = msg('ManagedFieldsEntry', [
  f(1, 'manager', 'string'),
  f(2, 'operation', 'string'),
  f(3, 'apiVersion', 'string'),
  f(4, 'time', 'time', 'pointer'),
  f(6, 'fieldsType', 'string'),
  f(7, 'fieldsV1', 'fieldsV1', 'pointer'),
  f(8, 'subresource', 'string'),
]);
const objectMeta = msg('ObjectMeta', [
  f(1, 'name', 'string'),
  f(2, 'generateName', 'string'),
  f(3, 'namespace', 'string'),
  f(4, 'selfLink', 'string'),
  f(5, 'uid', 'string'),
  f(6, 'resourceVersion', 'string'),
  f(7, 'generation', 'int64'),
  f(8, 'creationTimestamp', 'time', 'value'),
  f(9, 'deletionTimestamp', 'time', 'pointer'),
  f(10, 'deletionGracePeriodSeconds', 'int64', 'pointer'),
  map(11, 'labels', 'string'),
  map(12, 'annotations', 'string'),
  rep(13, 'ownerReferences', ownerReference),
  rep(14, 'finalizers', 'string'),
  rep(17, 'managedFields', managedFieldsEntry),
]);
const selectorRequirement = (name: string) =>
  msg(name, [
    f(1, 'key', 'string', 'value'),
    f(2, 'operator', 'string', 'value'),
    rep(3, 'values', 'string'),
  ]);
const labelSelectorRequirement = selectorRequirement('LabelSelectorRequirement');
const fieldSelectorRequirement = selectorRequirement('FieldSelectorRequirement');
const labelSelector = msg('LabelSelector', [
  map(1, 'matchLabels', 'string'),
  rep(2, 'matchExpressions', labelSelectorRequirement),
]);
const metadata = f(1, 'metadata', objectMeta, 'value');

const extraValue: MessageDef = { ...msg('ExtraValue', [rep(1, 'items', 'string')]), itemsOnly: true };

// k8s.io/api/authorization/v1/generated.proto
const resourceAttributes = msg('ResourceAttributes', [
  f(1, 'namespace', 'string'),
  f(2, 'verb', 'string'),
  f(3, 'group', 'string'),
  f(4, 'version', 'string'),
  f(5, 'resource', 'string'),
  f(6, 'subresource', 'string'),
  f(7, 'name', 'string'),
  f(
    8,
    'fieldSelector',
    msg('FieldSelectorAttributes', [
      f(1, 'rawSelector', 'string'),
      rep(2, 'requirements', fieldSelectorRequirement),
    ]),
    'pointer',
  ),
  f(
    9,
    'labelSelector',
    msg('LabelSelectorAttributes', [
      f(1, 'rawSelector', 'string'),
      rep(2, 'requirements', labelSelectorRequirement),
    ]),
    'pointer',
  ),
]);
const nonResourceAttributes = msg('NonResourceAttributes', [f(1, 'path', 'string'), f(2, 'verb', 'string')]);
const subjectAccessReviewStatus = msg('SubjectAccessReviewStatus', [
  f(1, 'allowed', 'bool', 'value'),
  f(4, 'denied', 'bool'),
  f(2, 'reason', 'string'),
  f(3, 'evaluationError', 'string'),
]);
const subjectAccessReviewSpec = msg('SubjectAccessReviewSpec', [
  f(1, 'resourceAttributes', resourceAttributes, 'pointer'),
  f(2, 'nonResourceAttributes', nonResourceAttributes, 'pointer'),
  f(3, 'user', 'string'),
  rep(4, 'groups', 'string'),
  map(5, 'extra', extraValue),
  f(6, 'uid', 'string'),
]);
const subjectAccessReview = (name: string) =>
  msg(name, [
    metadata,
    f(2, 'spec', subjectAccessReviewSpec, 'value'),
    f(3, 'status', subjectAccessReviewStatus, 'value'),
  ]);
const selfSubjectAccessReview = msg('SelfSubjectAccessReview', [
  metadata,
  f(
    2,
    'spec',
    msg('SelfSubjectAccessReviewSpec', [
      f(1, 'resourceAttributes', resourceAttributes, 'pointer'),
      f(2, 'nonResourceAttributes', nonResourceAttributes, 'pointer'),
    ]),
    'value',
  ),
  f(3, 'status', subjectAccessReviewStatus, 'value'),
]);
const selfSubjectRulesReview = msg('SelfSubjectRulesReview', [
  metadata,
  f(2, 'spec', msg('SelfSubjectRulesReviewSpec', [f(1, 'namespace', 'string')]), 'value'),
  f(
    3,
    'status',
    msg('SubjectRulesReviewStatus', [
      rep(
        1,
        'resourceRules',
        msg('ResourceRule', [
          rep(1, 'verbs', 'string'),
          rep(2, 'apiGroups', 'string'),
          rep(3, 'resources', 'string'),
          rep(4, 'resourceNames', 'string'),
        ]),
      ),
      rep(
        2,
        'nonResourceRules',
        msg('NonResourceRule', [rep(1, 'verbs', 'string'), rep(2, 'nonResourceURLs', 'string')]),
      ),
      f(3, 'incomplete', 'bool', 'value'),
      f(4, 'evaluationError', 'string'),
    ]),
    'value',
  ),
]);

// k8s.io/api/authentication/v1/generated.proto
const userInfo = msg('UserInfo', [
  f(1, 'username', 'string'),
  f(2, 'uid', 'string'),
  rep(3, 'groups', 'string'),
  map(4, 'extra', extraValue),
]);
const tokenRequest = msg('TokenRequest', [
  metadata,
  f(
    2,
    'spec',
    msg('TokenRequestSpec', [
      rep(1, 'audiences', 'string'),
      f(4, 'expirationSeconds', 'int64', 'pointer'),
      f(
        3,
        'boundObjectRef',
        msg('BoundObjectReference', [
          f(1, 'kind', 'string'),
          f(2, 'apiVersion', 'string'),
          f(3, 'name', 'string'),
          f(4, 'uid', 'string'),
        ]),
        'pointer',
      ),
      map(5, 'attestations', { ...msg('AttestationValue', [rep(1, 'items', 'string')]), itemsOnly: true }),
    ]),
    'value',
  ),
  f(
    3,
    'status',
    msg('TokenRequestStatus', [
      f(1, 'token', 'string', 'value'),
      f(2, 'expirationTimestamp', 'time', 'value'),
    ]),
    'value',
  ),
]);
const tokenReview = msg('TokenReview', [
  metadata,
  f(2, 'spec', msg('TokenReviewSpec', [f(1, 'token', 'string'), rep(2, 'audiences', 'string')]), 'value'),
  f(
    3,
    'status',
    msg('TokenReviewStatus', [
      f(1, 'authenticated', 'bool'),
      f(2, 'user', userInfo, 'value'),
      rep(4, 'audiences', 'string'),
      f(3, 'error', 'string'),
    ]),
    'value',
  ),
]);
const selfSubjectReview = msg('SelfSubjectReview', [
  metadata,
  f(2, 'status', msg('SelfSubjectReviewStatus', [f(1, 'userInfo', userInfo, 'value')]), 'value'),
]);

// k8s.io/api/core/v1/generated.proto
const configMap = msg('ConfigMap', [
  metadata,
  f(4, 'immutable', 'bool', 'pointer'),
  map(2, 'data', 'string'),
  map(3, 'binaryData', 'bytes'),
]);
const secret = msg('Secret', [
  metadata,
  f(5, 'immutable', 'bool', 'pointer'),
  map(2, 'data', 'bytes'),
  map(4, 'stringData', 'string'),
  f(3, 'type', 'string'),
]);
const namespace = msg('Namespace', [
  metadata,
  f(2, 'spec', msg('NamespaceSpec', [rep(1, 'finalizers', 'string')]), 'value'),
  f(
    3,
    'status',
    msg('NamespaceStatus', [
      f(1, 'phase', 'string'),
      rep(
        2,
        'conditions',
        msg('NamespaceCondition', [
          f(1, 'type', 'string', 'value'),
          f(2, 'status', 'string', 'value'),
          f(4, 'lastTransitionTime', 'time', 'value'),
          f(5, 'reason', 'string'),
          f(6, 'message', 'string'),
        ]),
      ),
    ]),
    'value',
  ),
]);
const serviceAccount = msg('ServiceAccount', [
  metadata,
  rep(
    2,
    'secrets',
    msg('ObjectReference', [
      f(1, 'kind', 'string'),
      f(2, 'namespace', 'string'),
      f(3, 'name', 'string'),
      f(4, 'uid', 'string'),
      f(5, 'apiVersion', 'string'),
      f(6, 'resourceVersion', 'string'),
      f(7, 'fieldPath', 'string'),
    ]),
  ),
  rep(3, 'imagePullSecrets', msg('LocalObjectReference', [f(1, 'name', 'string')])),
  f(4, 'automountServiceAccountToken', 'bool', 'pointer'),
]);

// k8s.io/api/rbac/v1/generated.proto
const policyRule = msg('PolicyRule', [
  rep(1, 'verbs', 'string'),
  rep(2, 'apiGroups', 'string'),
  rep(3, 'resources', 'string'),
  rep(4, 'resourceNames', 'string'),
  rep(5, 'nonResourceURLs', 'string'),
]);
const subject = msg('Subject', [
  f(1, 'kind', 'string', 'value'),
  f(2, 'apiGroup', 'string'),
  f(3, 'name', 'string', 'value'),
  f(4, 'namespace', 'string'),
]);
const roleRef = msg('RoleRef', [
  f(1, 'apiGroup', 'string', 'value'),
  f(2, 'kind', 'string', 'value'),
  f(3, 'name', 'string', 'value'),
]);
const binding = (name: string) =>
  msg(name, [metadata, rep(2, 'subjects', subject), f(3, 'roleRef', roleRef, 'value')]);

// k8s.io/api/coordination/v1/generated.proto: what client-go's LeaseLock writes.
const lease = msg('Lease', [
  metadata,
  f(
    2,
    'spec',
    msg('LeaseSpec', [
      f(1, 'holderIdentity', 'string', 'pointer'),
      f(2, 'leaseDurationSeconds', 'int32', 'pointer'),
      f(3, 'acquireTime', 'microTime', 'pointer'),
      f(4, 'renewTime', 'microTime', 'pointer'),
      f(5, 'leaseTransitions', 'int32', 'pointer'),
      f(6, 'strategy', 'string', 'pointer'),
      f(7, 'preferredHolder', 'string', 'pointer'),
    ]),
    'value',
  ),
]);

const KINDS = new Map<string, MessageDef>([
  ['authorization.k8s.io/v1 SelfSubjectAccessReview', selfSubjectAccessReview],
  ['authorization.k8s.io/v1 SelfSubjectRulesReview', selfSubjectRulesReview],
  ['authorization.k8s.io/v1 SubjectAccessReview', subjectAccessReview('SubjectAccessReview')],
  ['authorization.k8s.io/v1 LocalSubjectAccessReview', subjectAccessReview('LocalSubjectAccessReview')],
  ['authentication.k8s.io/v1 TokenRequest', tokenRequest],
  ['authentication.k8s.io/v1 TokenReview', tokenReview],
  ['authentication.k8s.io/v1 SelfSubjectReview', selfSubjectReview],
  ['v1 ConfigMap', configMap],
  ['v1 Secret', secret],
  ['v1 Namespace', namespace],
  ['v1 ServiceAccount', serviceAccount],
  ['rbac.authorization.k8s.io/v1 Role', msg('Role', [metadata, rep(2, 'rules', policyRule)])],
  [
    'rbac.authorization.k8s.io/v1 ClusterRole',
    msg('ClusterRole', [
      metadata,
      rep(2, 'rules', policyRule),
      f(
        3,
        'aggregationRule',
        msg('AggregationRule', [rep(1, 'clusterRoleSelectors', labelSelector)]),
        'pointer',
      ),
    ]),
  ],
  ['rbac.authorization.k8s.io/v1 RoleBinding', binding('RoleBinding')],
  ['rbac.authorization.k8s.io/v1 ClusterRoleBinding', binding('ClusterRoleBinding')],
  ['coordination.k8s.io/v1 Lease', lease],
]);

/**
 * The `apiVersion kind` pairs {@link decodeKubernetesProtobuf} understands, e.g. `v1 ConfigMap`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/client-go/rest/request.go
 */
export const PROTOBUF_DECODABLE_KINDS: readonly string[] = [...KINDS.keys()];

const GO_FIELD_NAMES: Record<string, string> = {
  metadata: 'ObjectMeta',
  uid: 'UID',
  apiVersion: 'APIVersion',
  apiGroup: 'APIGroup',
  apiGroups: 'APIGroups',
};

/** The Go field name gogo puts in its errors. */
const goFieldName = (json: string): string =>
  GO_FIELD_NAMES[json] ?? json.charAt(0).toUpperCase() + json.slice(1);

function wireTypeOf(type: FieldType): number {
  return type === 'bool' || type === 'int32' || type === 'int64' ? 0 : 2;
}

function decodeTime(data: Buffer): string | undefined {
  // metav1.Time.Unmarshal: an empty message is the zero time (JSON null); nanos are dropped.
  if (data.length === 0) return undefined;
  let seconds = 0n;
  for (const field of readFields(data, 'Timestamp', (no) => no === 1 || no === 2)) {
    if (field.wire !== 0) {
      throw new ProtoError(
        `proto: wrong wireType = ${field.wire} for field ${field.no === 1 ? 'Seconds' : 'Nanos'}`,
      );
    }
    if (field.no === 1) seconds = BigInt.asIntN(64, field.varint!);
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtoError(`proto: Time: seconds ${seconds} out of range`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `MicroTime.Unmarshal`: seconds and nanoseconds, truncated to microseconds, as `RFC3339Micro` in UTC. */
function decodeMicroTime(data: Buffer): string | undefined {
  if (data.length === 0) return undefined;
  let seconds = 0n;
  let nanos = 0n;
  for (const field of readFields(data, 'Timestamp', (no) => no === 1 || no === 2)) {
    if (field.wire !== 0) {
      throw new ProtoError(
        `proto: wrong wireType = ${field.wire} for field ${field.no === 1 ? 'Seconds' : 'Nanos'}`,
      );
    }
    if (field.no === 1) seconds = BigInt.asIntN(64, field.varint!);
    else nanos = BigInt.asIntN(32, field.varint!);
  }
  const micros = seconds * 1_000_000n + nanos / 1000n; // BigInt division truncates toward zero, as Go's Truncate
  const wholeSeconds = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  const date = new Date(Number(wholeSeconds) * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtoError(`proto: Time: seconds ${seconds} out of range`);
  const fraction = String(micros - wholeSeconds * 1_000_000n).padStart(6, '0');
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}

function decodeFieldsV1(data: Buffer): unknown {
  let raw: Buffer | undefined;
  for (const field of readFields(data, 'FieldsV1', (no) => no === 1)) {
    if (field.wire !== 2) throw new ProtoError(`proto: wrong wireType = ${field.wire} for field Raw`);
    raw = field.bytes;
  }
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProtoError('proto: FieldsV1: Raw is not valid JSON');
  }
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
    case 'time':
      return decodeTime(field.bytes!);
    case 'microTime':
      return decodeMicroTime(field.bytes!);
    case 'fieldsV1':
      return decodeFieldsV1(field.bytes!);
    default:
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
    case 'time':
    case 'microTime':
    case 'fieldsV1':
      return undefined;
    default:
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
    if (field.no === 1) {
      if (field.wire !== 2)
        throw new ProtoError(`proto: wrong wireType = ${field.wire} for field ${goFieldName(def.json)}`);
      key = field.bytes!.toString('utf8');
    } else {
      if (field.wire !== valueWire) {
        throw new ProtoError(`proto: wrong wireType = ${field.wire} for field ${goFieldName(def.json)}`);
      }
      value = convert(def.type, field);
    }
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
      throw new ProtoError(`proto: wrong wireType = ${wireField.wire} for field ${goFieldName(field.json)}`);
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
    } else if (
      typeof field.type === 'object' ||
      field.type === 'time' ||
      field.type === 'microTime' ||
      field.type === 'fieldsV1'
    ) {
      // Repeated occurrences of an embedded message merge, which is what decoding their concatenation does.
      const merged = Buffer.concat(seen.map((item) => item.bytes!));
      value = convert(field.type, { no: field.no, wire: 2, bytes: merged });
    } else {
      value = convert(field.type, seen[seen.length - 1]!);
      if (field.presence === 'omitempty' && isZero(value)) value = undefined;
    }
    if (value !== undefined) out[field.json] = value;
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
  const def = KINDS.get(`${apiVersion} ${kind}`);
  if (!def) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `fake-apiserver cannot decode ${PROTOBUF_CONTENT_TYPE} bodies of ${apiVersion}, Kind=${kind}: ` +
        'send this object as JSON (Content-Type: application/json)',
    );
  }
  try {
    return { kind, apiVersion, ...decodeMessage(raw, def) };
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    const version = apiVersion.split('/').pop();
    // transformDecodeError, for a body whose kind the serializer already knew.
    throw badRequest(
      `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${err.message}`,
    );
  }
}
