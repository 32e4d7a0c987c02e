/**
 * Unknown fields of built-in kinds, found and dropped as kube-apiserver's decoding into Go structs drops
 * them, and reported as the `fieldValidation` parameter asks: `Ignore` (silently), `Warn` (the default: one
 * `Warning` header per field) or `Strict` (400, or 422 for a patch). The walk is driven by the generated
 * protobuf schemas, which list every JSON field of every served built-in kind, inlined structs included.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 * @see https://github.com/kubernetes/enhancements/tree/master/keps/sig-api-machinery/2885-server-side-unknown-field-validation
 */
import { badRequest, patchInvalid, type FieldError, untypedError } from '../errors/status.js';
import { addWarning } from '../http/warnings.js';
import type { GeneratedMessage } from '../http/protobuf-schema.js';
import { GENERATED_MESSAGES, GENERATED_ROOT_KINDS } from '../http/protobuf-schemas.generated.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import { applyShapeOf, fieldShape, UNKNOWN_SHAPE, type ApplyShape } from './apply/apply-schema.js';
import { throwIfInvalid } from './apply/field-manager.js';
import { findDuplicateFields } from './duplicate-fields.js';
import { fieldElement, formatFieldPath } from './apply/field-set.js';
import { listItemElement } from './apply/structured-merge.js';
import { pruneUnknownFields as pruneUnknownCustomFields, type SchemaNode } from '../crd/structural-schema.js';
import { isJsonObject } from '../json/json-object.js';
import { goPrint, parsePatchOrNull } from './patch-invalid.js';

/** What a write asks the server to do with unknown fields. */
export type FieldValidationDirective = 'Ignore' | 'Warn' | 'Strict';

/** The options kind whose validation names a bad `fieldValidation` value. */
export type FieldValidationOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const DIRECTIVES: readonly string[] = ['Ignore', 'Strict', 'Warn'];

/** `sigs.k8s.io/json` keeps at most this many strict errors. */
const MAX_REPORTED = 100;

/**
 * The request's `fieldValidation` directive, `Warn` when absent or empty (`handlers.fieldValidation`);
 * another value is the 422 of `ValidateFieldValidation`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
 */
export function fieldValidationDirective(
  query: URLSearchParams,
  optionsKind: FieldValidationOptionsKind,
): FieldValidationDirective {
  const value = query.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  if (!DIRECTIVES.includes(value)) {
    const error: FieldError = {
      type: 'FieldValueNotSupported',
      field: 'fieldValidation',
      detail: `Unsupported value: ${JSON.stringify(value)}: supported values: "", "Ignore", "Strict", "Warn"`,
    };
    throwIfInvalid(optionsKind, [error]);
  }
  return value as FieldValidationDirective;
}

/** The full protobuf name of the message a built-in kind's objects decode into; none for CRDs and others. */
export function schemaMessageOf(kind: ResourceKind): string | undefined {
  if (kind.origin === 'crd') return undefined;
  return GENERATED_ROOT_KINDS[`${apiVersionOf(kind)} ${kind.kind}`];
}

type Json = Record<string, unknown>;
interface FieldInfo {
  type: string;
  list?: 'repeated' | 'map';
}

const fieldTables = new Map<string, Map<string, FieldInfo>>();

/** A message's JSON fields by name, the fields of inlined structs among them (Go's embedded structs). */
function fieldTable(messageName: string): Map<string, FieldInfo> {
  const cached = fieldTables.get(messageName);
  if (cached) return cached;
  const table = new Map<string, FieldInfo>();
  fieldTables.set(messageName, table);
  const message: GeneratedMessage | undefined = GENERATED_MESSAGES[messageName];
  for (const [, json, type, , , flags] of message?.fields ?? []) {
    if (flags?.inline) {
      for (const [name, info] of fieldTable(type)) table.set(name, info);
    } else {
      table.set(json, { type, ...(flags?.list ? { list: flags.list } : {}) });
    }
  }
  return table;
}

/** One step from an object's root to a field: a field or map key, or a list item (with its list's shape). */
type Step = { field: string } | { index: number; item: unknown; list: ApplyShape };

/** An unknown field: the steps to it, and its shape-aware path for server-side apply's messages. */
interface UnknownField {
  steps: Step[];
}

interface Walk {
  found: UnknownField[];
  seen: Set<string>;
}

/**
 * Walks a value of the given type: messages field by field, dropping and recording unknown ones; scalars
 * and the well-known types (`RawExtension` holds arbitrary JSON, `IntOrString`, `Quantity`, times) as they are.
 */
function walkValue(value: unknown, type: string, shape: ApplyShape, steps: Step[], walk: Walk): void {
  const message = GENERATED_MESSAGES[type];
  if (!message) return;
  if (message.itemsOnly) {
    const items = message.fields[0];
    if (items) walkList(value, items[2], shape, steps, walk);
    return;
  }
  if (!isJsonObject(value)) return;
  walkMessage(value, fieldTable(type), shape, steps, walk);
}

function walkList(value: unknown, type: string, shape: ApplyShape, steps: Step[], walk: Walk): void {
  if (!Array.isArray(value)) return;
  value.forEach((item, index) =>
    walkValue(item, type, shape.elements ?? UNKNOWN_SHAPE, [...steps, { index, item, list: shape }], walk),
  );
}

function walkMessage(
  value: Json,
  fields: ReadonlyMap<string, FieldInfo>,
  shape: ApplyShape,
  steps: Step[],
  walk: Walk,
): void {
  for (const key of Object.keys(value)) {
    const field = fields.get(key);
    const fieldSteps = [...steps, { field: key }];
    if (!field) {
      const path = jsonPath(fieldSteps);
      if (walk.found.length < MAX_REPORTED && !walk.seen.has(path)) {
        walk.seen.add(path);
        walk.found.push({ steps: fieldSteps });
      }
      delete value[key];
      continue;
    }
    const child = value[key];
    const childShape = fieldShape(shape, key);
    if (field.list === 'repeated') walkList(child, field.type, childShape, fieldSteps, walk);
    else if (field.list === 'map') {
      if (isJsonObject(child))
        for (const [k, v] of Object.entries(child))
          walkValue(v, field.type, fieldShape(childShape, k), [...fieldSteps, { field: k }], walk);
    } else walkValue(child, field.type, childShape, fieldSteps, walk);
  }
}

/** A path as `sigs.k8s.io/json` and the unstructured converter print it: `spec.containers[0].imagee`. */
function jsonPath(steps: readonly Step[]): string {
  let out = '';
  for (const step of steps) {
    if ('field' in step) out += out ? `.${step.field}` : step.field;
    else out += `[${step.index}]`;
  }
  return out;
}

/** A path as structured-merge-diff prints it: `.spec.containers[name="app"].imagee`. */
function applyPath(steps: readonly Step[]): string {
  return formatFieldPath(
    steps.map((step) =>
      'field' in step
        ? fieldElement(step.field)
        : listItemElement(step.list, step.item as Parameters<typeof listItemElement>[1], step.index),
    ),
  );
}

const TYPE_META: ReadonlyMap<string, FieldInfo> = new Map([
  ['apiVersion', { type: 'string' }],
  ['kind', { type: 'string' }],
]);

function findUnknownFields(kind: ResourceKind, obj: KubeObject): UnknownField[] {
  const messageName = schemaMessageOf(kind);
  if (!messageName || !isJsonObject(obj)) return [];
  const walk: Walk = { found: [], seen: new Set() };
  walkMessage(obj as Json, new Map([...TYPE_META, ...fieldTable(messageName)]), applyShapeOf(kind), [], walk);
  return walk.found;
}

/**
 * Drops the fields of `obj` its built-in kind does not declare and returns their paths as `sigs.k8s.io/json`
 * prints them (`spec.template.spec.containers[0].imagee`, map values under `.key`), in document order.
 * Objects of kinds without a generated schema (custom resources, CRDs) are left alone: none is returned.
 */
export function pruneUnknownBuiltInFields(kind: ResourceKind, obj: KubeObject): string[] {
  return findUnknownFields(kind, obj).map((field) => jsonPath(field.steps));
}

/**
 * Server-side apply of a built-in kind: the configuration must declare only known fields, whatever
 * `fieldValidation` says, as the field manager's typed conversion refuses others with a plain error (500):
 * `failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/structuredmerge.go
 */
export function refuseUnknownAppliedFields(kind: ResourceKind, config: KubeObject): void {
  const unknown = findUnknownFields(kind, structuredClone(config));
  if (unknown.length === 0) return;
  const errors = unknown.map((field) => `${applyPath(field.steps)}: field not declared in schema`);
  const described = errors.length === 1 ? errors[0] : ['errors:', ...errors.map((e) => `  ${e}`)].join('\n');
  const namespace = config.metadata?.namespace ?? '';
  const gvk = `${kind.group}/${kind.version}, Kind=${kind.kind}`;
  throw untypedError(
    `failed to create typed patch object (${namespace}/${config.metadata?.name ?? ''}; ${gvk}): ${described}`,
  );
}

/**
 * Drops the unknown fields of any written object and returns their paths: a built-in kind's by its generated
 * schema, a custom resource's by its structural schema (as the custom resource handler's pruning reports them).
 */
export function pruneUnknownFields(kind: ResourceKind, obj: KubeObject): string[] {
  if (kind.origin !== 'crd') return pruneUnknownBuiltInFields(kind, obj);
  if (!kind.openApiSchema || !isJsonObject(obj)) return [];
  const unknown: string[] = [];
  pruneUnknownCustomFields(obj as Json, kind.openApiSchema as SchemaNode, unknown);
  return unknown.slice(0, MAX_REPORTED);
}

/** `runtime.NewStrictDecodingError(...).Error()` for these strict errors. */
export function strictDecodingMessage(errors: readonly string[]): string {
  return `strict decoding error: ${errors.join(', ')}`;
}

const duplicatesOfBodies = new WeakMap<KubeObject, string[]>();

/**
 * Notes the duplicate keys of a JSON request body (`JSON.parse` keeps the last, as Go does) for
 * {@link enforceOnDecodedObject} to report; YAML and protobuf bodies are not looked at.
 */
export function rememberDuplicateFields(
  obj: KubeObject,
  body: Buffer,
  contentType: string | undefined,
): void {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType && mediaType !== 'application/json') return;
  const duplicates = findDuplicateFields(body.toString('utf8'));
  if (duplicates.length > 0) duplicatesOfBodies.set(obj, duplicates);
}

const unknownError = (path: string) => `unknown field ${JSON.stringify(path)}`;
const duplicateError = (path: string) => `duplicate field ${JSON.stringify(path)}`;

/**
 * Create and update (PUT, the status subresource's too): unknown fields are dropped; `Warn` adds one
 * warning per unknown or duplicate field, `Strict` answers the 400 `transformDecodeError` makes of the strict
 * decoding error (unknown fields first, then duplicates; upstream lists them in document order).
 */
export function enforceOnDecodedObject(
  kind: ResourceKind,
  obj: KubeObject,
  directive: FieldValidationDirective,
): void {
  const errors = [
    ...pruneUnknownFields(kind, obj).map(unknownError),
    ...(duplicatesOfBodies.get(obj) ?? []).map(duplicateError),
  ];
  if (errors.length === 0 || directive === 'Ignore') return;
  if (directive === 'Strict') {
    throw badRequest(
      `${kind.kind} in version ${JSON.stringify(kind.version)} cannot be handled as a ${kind.kind}: ${strictDecodingMessage(errors)}`,
    );
  }
  for (const error of errors) addWarning(error);
}

/**
 * JSON, merge and strategic merge patches: the patched object is decoded strictly; unknown fields are dropped,
 * warned about, or with `Strict` the 422 `patch: Invalid value: ...` whose value is the patched JSON (JSON and
 * merge patches) or the patch printed as Go prints a map (strategic merge patches, `%+v`). Duplicate keys of a
 * merge or strategic merge patch come first, as `kjson.UnmarshalStrict` of the patch finds them.
 */
export function enforceOnPatchedObject(
  kind: ResourceKind,
  patched: KubeObject,
  directive: FieldValidationDirective,
  patchType: string,
  patchBody: Buffer,
): void {
  const patchedJson = directive === 'Strict' ? JSON.stringify(patched) : '';
  const duplicates =
    patchType === 'application/json-patch+json' ? [] : findDuplicateFields(patchBody.toString('utf8'));
  const errors = [...duplicates.map(duplicateError), ...pruneUnknownFields(kind, patched).map(unknownError)];
  if (errors.length === 0 || directive === 'Ignore') return;
  if (directive === 'Warn') {
    for (const error of errors) addWarning(error);
    return;
  }
  const value =
    patchType === 'application/strategic-merge-patch+json'
      ? goPrint(parsePatchOrNull(patchBody))
      : patchedJson;
  throw patchInvalid(value, strictDecodingMessage(errors));
}
