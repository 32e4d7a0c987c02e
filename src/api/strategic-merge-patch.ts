/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) as kube-apiserver 1.33 applies it: a port of
 * the server-side path of `strategicpatch.StrategicMergeMapPatch` (merge options `MergeParallelList` and
 * `IgnoreUnmatchedNulls`), driven by a {@link PatchSchema} read from the Go struct tags
 * (`patch-schemas/go-patch-schema.ts`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
import { ApiError, badRequest, patchRejected, untypedError } from '../errors/status.js';

/**
 * One value of a `patchStrategy` struct tag.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/meta.go
 */
export type PatchStrategy = 'merge' | 'retainKeys' | 'replace';

/**
 * The patch metadata of an object type: what the `patchStrategy`/`patchMergeKey` tags of its Go struct say.
 * Only fields that carry tags, or contain fields that do, need to be listed; any other field has no
 * metadata, so an object there merges key by key and a list there is replaced wholesale.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/meta.go
 */
export interface PatchSchema {
  readonly fields?: Readonly<Record<string, PatchField>>;
}

/**
 * The patch metadata of one field.
 * - A list of objects merges by key when `strategies` has `merge` and `mergeKey` is set (`containers` by `name`).
 * - A list of primitives merges as a set when `strategies` has `merge` and there is no `mergeKey` (`finalizers`).
 * - `retainKeys` only tells clients to send `$retainKeys`; the server honours that directive wherever it appears.
 * - `replace` on an object field replaces it instead of merging it.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/api/core/v1/types.go
 */
export interface PatchField {
  /** The `patchStrategy` tag split at commas, e.g. `['merge', 'retainKeys']`. */
  readonly strategies?: readonly PatchStrategy[];
  /** The `patchMergeKey` tag. */
  readonly mergeKey?: string;
  /** The schema of the field's value, when it is an object. */
  readonly object?: PatchSchema;
  /** The schema of the list's items, when the field is a list of objects. */
  readonly items?: PatchSchema;
}

/**
 * Applies a strategic merge patch to a decoded object and returns the result; neither input is modified.
 * Supported, as upstream: map merge, `null` deleting a key, lists merged by key or as sets, `$patch:
 * replace|delete` on maps and in lists, `$setElementOrder/<list>`, `$retainKeys` and
 * `$deleteFromPrimitiveList/<list>`. Directives inside values that are copied rather than merged stay in the
 * result, as upstream, where typed decoding then drops them.
 * @throws ApiError as the PATCH handler answers SMP failures: 400 for a malformed `$retainKeys`,
 * `$setElementOrder` or `$deleteFromPrimitiveList` and for a patch that is not a JSON object; 422 for a list of
 * lists; 500 with the bare upstream message (e.g. `map: map[image:x] does not contain declared merge key: name`)
 * for everything else, which the real server returns as an untyped error.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: PatchSchema): unknown {
  // The handler decodes the body into a map first; JSON null decodes to an empty patch.
  if (patch === null) return cloneJson(original);
  if (!isMap(patch)) {
    throw badRequest(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const target = original === null || original === undefined ? {} : cloneJson(original);
  if (!isMap(target)) throw new TypeError('strategic merge patch: the original object is not a JSON object');
  try {
    return mergeMap(target, cloneJson(patch) as JsonMap, schema);
  } catch (err) {
    if (err instanceof PatchError) throw toApiError(err);
    throw err;
  }
}

// ---- Errors ------------------------------------------------------------------------------------

const DIRECTIVE_MARKER = '$patch';
const DELETE_DIRECTIVE = 'delete';
const REPLACE_DIRECTIVE = 'replace';
const MERGE_DIRECTIVE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/** The `mergepatch` sentinel errors that `interpretStrategicMergePatchError` maps to a status code. */
const ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = 'invalid patch format of setElementOrder list';
const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';
const BAD_REQUEST_ERRORS = new Set([
  ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST,
  ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS,
  ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST,
]);

class PatchError extends Error {}

function toApiError(err: PatchError): ApiError {
  if (BAD_REQUEST_ERRORS.has(err.message)) return badRequest(err.message);
  if (err.message === ERR_NO_LIST_OF_LISTS) {
    // NewGenericServerResponse(422, ..., isUnexpectedResponse=false) drops the patch error's own text.
    return patchRejected();
  }
  // The real server answers the untyped error with code 500 and the error text as the message.
  return untypedError(err.message, 'InternalError');
}

function errNoMergeKey(m: JsonMap, key: string): PatchError {
  return new PatchError(`map: ${goFormat(m, 'v')} does not contain declared merge key: ${key}`);
}

function errBadArgType(expected: GoType, actual: unknown): PatchError {
  const actualType = goType(actual);
  const actualName = actualType === 'nil' ? '%!s(<nil>)' : GO_TYPE_NAMES[actualType];
  return new PatchError(`expected a ${GO_TYPE_NAMES[expected]}, but received a ${actualName}`);
}

function errBadPatchType(directive: unknown, m: JsonMap): PatchError {
  return new PatchError(`unknown patch type: ${goFormat(directive, 's')} in map: ${goFormat(m, 'v')}`);
}

// ---- mergeMap ----------------------------------------------------------------------------------

type JsonMap = { [key: string]: unknown };

function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(m: JsonMap, key: string): boolean {
  return Object.hasOwn(m, key);
}

/** Assignment would run the `__proto__` setter for a key a JSON body can carry. */
function setOwn(m: JsonMap, key: string, value: unknown): void {
  Object.defineProperty(m, key, { value, writable: true, enumerable: true, configurable: true });
}

function lookupField(schema: PatchSchema | undefined, key: string): PatchField | undefined {
  const fields = schema?.fields;
  return fields !== undefined && Object.hasOwn(fields, key) ? fields[key] : undefined;
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: PatchSchema | undefined): JsonMap {
  if (has(patch, DIRECTIVE_MARKER)) return handleDirectiveInMergeMap(patch[DIRECTIVE_MARKER], patch);

  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(original, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    let k = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      isDeleteList = true;
      const originalKey = extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      if (originalKey.length > 0) k = originalKey;
    }

    if (patchV === null) {
      delete original[k];
      continue;
    }

    if (!has(original, k) || goType(original[k]) !== goType(patchV)) {
      if (!isDeleteList) {
        discardNullValuesFromPatch(patchV);
        takePatchValue(original, k, patchV);
      }
      continue;
    }

    const originalV = original[k];
    const field = lookupField(schema, k);
    const strategy = extractRetainKeysPatchStrategy(field?.strategies ?? []);
    if (isMap(originalV)) {
      setOwn(original, k, mergeMapHandler(originalV, patchV as JsonMap, field?.object, strategy));
    } else if (Array.isArray(originalV)) {
      const merged = mergeSliceHandler(originalV, patchV as unknown[], field, strategy, isDeleteList);
      setOwn(original, k, merged);
    } else {
      takePatchValue(original, k, patchV);
    }
  }
  return original;
}

/** `original[k], ok = removeDirectives(patchV); if !ok { delete(original, k) }`. */
function takePatchValue(original: JsonMap, k: string, patchV: unknown): void {
  const [value, keep] = removeDirectives(patchV);
  if (keep) setOwn(original, k, value);
  else delete original[k];
}

function handleDirectiveInMergeMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === REPLACE_DIRECTIVE) {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  throw errBadPatchType(directive, patch);
}

function mergeMapHandler(
  original: JsonMap,
  patch: JsonMap,
  schema: PatchSchema | undefined,
  strategy: string,
): JsonMap {
  return strategy === REPLACE_DIRECTIVE ? patch : mergeMap(original, patch, schema);
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  field: PatchField | undefined,
  strategy: string,
  isDeleteList: boolean,
): unknown[] {
  if (strategy !== MERGE_DIRECTIVE && !isDeleteList) return patch;
  return mergeSlice(goSlice(original), patch, field, isDeleteList);
}

/** `extractRetainKeysPatchStrategy`: the strategy other than `retainKeys`, or `''`. */
function extractRetainKeysPatchStrategy(strategies: readonly string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : (strategies[0] ?? '');
  if (strategies.length === 2) {
    if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1] ?? '';
    if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0] ?? '';
  }
  throw new PatchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

/** `extractKey`: the list name after `<prefix>/`. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST_PREFIX)
      throw new PatchError(ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST);
    throw new PatchError(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST);
  }
  return s.slice(slash + 1);
}

/** Clears the keys of `original` that `$retainKeys` does not list, after checking the patch only sets those. */
function applyRetainKeysDirective(original: JsonMap, patch: JsonMap): void {
  if (!has(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retainKeys = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retainKeys)) throw new PatchError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
  const retained = new Set<unknown>(retainKeys);
  for (const [k, v] of Object.entries(patch)) {
    if (
      v === null ||
      k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      k.startsWith(SET_ELEMENT_ORDER_PREFIX)
    ) {
      continue;
    }
    if (!retained.has(k)) throw new PatchError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) {
    if (!retained.has(k)) delete original[k];
  }
}

/**
 * Processes each `$setElementOrder/<list>` with its list: merges the list, then orders the result with
 * precedence `$setElementOrder` > patch order > live order, and removes both from the patch.
 */
function mergePatchIntoOriginal(original: JsonMap, patch: JsonMap, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX) || !has(patch, key)) continue;
    const setElementOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setElementOrder)) throw errBadArgType('slice', setElementOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER_PREFIX);

    const foundOriginal = has(original, originalKey);
    const foundPatch = has(patch, originalKey);
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType('slice', originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType('slice', patchList);
    const originalFieldValue = foundOriginal ? (originalList as unknown[]) : [];
    const patchFieldValue = foundPatch ? (patchList as unknown[]) : [];

    const field = lookupField(schema, originalKey);
    const strategy = extractRetainKeysPatchStrategy(field?.strategies ?? []);
    const mergeKey = field?.mergeKey ?? '';
    validatePatchWithSetOrderList(patchFieldValue, setElementOrder, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) {
      merged = originalFieldValue;
    } else if (!foundOriginal && foundPatch) {
      merged = removeDirectives(patchFieldValue)[0] as unknown[];
    } else if (foundOriginal && foundPatch) {
      // mergeSlice shifts and appends in place; Go's originalFieldValue shares that array and sees it below.
      merged = mergeSliceHandler(originalFieldValue, patchFieldValue, field, strategy, false);
    } else {
      continue;
    }

    const [patchItems, serverOnlyItems] =
      mergeKey === ''
        ? partitionPrimitivesByPresentInList(merged, setElementOrder)
        : partitionMapsByPresentInList(merged, setElementOrder, mergeKey);
    const kind = sliceElementType([originalFieldValue, patchFieldValue]);
    setOwn(
      original,
      originalKey,
      normalizeElementOrder(patchItems, serverOnlyItems, setElementOrder, originalFieldValue, mergeKey, kind),
    );
    delete patch[originalKey];
  }
}

/** Checks that the patch list's items appear in `$setElementOrder` in the same relative order. */
function validatePatchWithSetOrderList(
  patchList: unknown[],
  setOrderList: unknown[],
  mergeKey: string,
): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDeleteList = mergeKey.length > 0 ? extractToDeleteItems(patchList)[0] : patchList;
  let patchIndex = 0;
  let setOrderIndex = 0;
  while (patchIndex < nonDeleteList.length && setOrderIndex < setOrderList.length) {
    const item = nonDeleteList[patchIndex];
    if (isMap(item) && has(item, DIRECTIVE_MARKER)) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrderList[setOrderIndex], mergeKey)) patchIndex++;
    setOrderIndex++;
  }
  if (patchIndex < nonDeleteList.length && setOrderIndex >= setOrderList.length) {
    throw new PatchError(
      `The order in patch list:\n${goFormat(patchList, 'v')}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n` +
        `${goFormat(setOrderList, 'v')}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey.length === 0) return left === right;
  if (!isMap(left)) throw errBadArgType('map', left);
  if (!isMap(right)) throw errBadArgType('map', right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** Removes `$patch` maps (and the keys holding them) from a value that is copied rather than merged. */
function removeDirectives(obj: unknown): [unknown, boolean] {
  if (isMap(obj)) {
    if (has(obj, DIRECTIVE_MARKER)) return [null, false];
    for (const [k, v] of Object.entries(obj)) {
      const [value, keep] = removeDirectives(v);
      if (keep) setOwn(obj, k, value);
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const result: unknown[] = [];
    for (const v of obj) {
      const [value, keep] = removeDirectives(v);
      if (keep) result.push(value);
    }
    return [result, true];
  }
  return [obj, true];
}

/** Drops `null` members of maps at any depth; `null` items of lists stay. */
function discardNullValuesFromPatch(patchV: unknown): void {
  if (isMap(patchV)) {
    for (const [k, v] of Object.entries(patchV)) {
      if (v === null) delete patchV[k];
      else discardNullValuesFromPatch(v);
    }
  } else if (Array.isArray(patchV)) {
    for (const v of patchV) discardNullValuesFromPatch(v);
  }
}

// ---- Lists -------------------------------------------------------------------------------------

/**
 * A Go slice: `len` items of `buf`, whose length is the capacity (a live list starts full, as `ToUnstructured`
 * builds it). Deleting from a merged list shifts items inside the live list's array and later appends may fill
 * its tail, which `$setElementOrder` then reads back as the live order; reproducing that aliasing reproduces
 * upstream's ordering exactly.
 */
interface GoSlice {
  buf: unknown[];
  len: number;
}

function goSlice(items: unknown[]): GoSlice {
  return { buf: items, len: items.length };
}

function sliceItems(s: GoSlice): unknown[] {
  return s.buf.slice(0, s.len);
}

/** `append(s[:i], s[i+1:]...)`. */
function goDeleteAt(s: GoSlice, i: number): GoSlice {
  for (let j = i; j < s.len - 1; j++) s.buf[j] = s.buf[j + 1];
  return { buf: s.buf, len: s.len - 1 };
}

/** `append(s, v)`: in place while capacity lasts, else into a new array no one else sees. */
function goAppend(s: GoSlice, v: unknown): GoSlice {
  return goAppendAll(s, [v]);
}

function goAppendAll(s: GoSlice, items: unknown[]): GoSlice {
  if (s.len + items.length <= s.buf.length) {
    items.forEach((v, i) => (s.buf[s.len + i] = v));
    return { buf: s.buf, len: s.len + items.length };
  }
  const buf = [...sliceItems(s), ...items];
  return { buf, len: buf.length };
}

function mergeSlice(
  original: GoSlice,
  patch: unknown[],
  field: PatchField | undefined,
  isDeleteList: boolean,
): unknown[] {
  if (original.len === 0 && patch.length === 0) return sliceItems(original);
  const mergeKey = field?.mergeKey ?? '';
  const kind = sliceElementType([sliceItems(original), patch]);

  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(sliceItems(original), patch);
    // With an empty patch, `append` returns the live list itself, which the deduplication then rewrites.
    merged = deduplicateScalars(goAppendAll(original, patch));
  } else {
    if (mergeKey === '') {
      throw new PatchError(`cannot merge lists without merge key for ${field?.items ? 'struct' : 'string'}`);
    }
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = sliceItems(mergeSliceWithoutSpecialElements(original, patch, mergeKey, field?.items));
  }

  const [patchItems, serverOnlyItems] =
    mergeKey === ''
      ? partitionPrimitivesByPresentInList(merged, patch)
      : partitionMapsByPresentInList(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnlyItems, patch, sliceItems(original), mergeKey, kind);
}

/** Applies `$patch: delete` items and detects `$patch: replace`; returns the original and the plain patch items. */
function mergeSliceWithSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
): [GoSlice, unknown[]] {
  const plainItems: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonMap;
    if (!has(item, DIRECTIVE_MARKER)) {
      plainItems.push(v);
      continue;
    }
    const patchType = item[DIRECTIVE_MARKER];
    if (patchType === DELETE_DIRECTIVE) {
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      original = deleteMatchingEntries(original, mergeKey, item[mergeKey]);
    } else if (patchType === REPLACE_DIRECTIVE) {
      replace = true;
    } else if (patchType === MERGE_DIRECTIVE) {
      throw new PatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(patchType, item);
    }
  }
  return replace ? [goSlice(plainItems), []] : [original, plainItems];
}

function deleteMatchingEntries(original: GoSlice, mergeKey: string, mergeValue: unknown): GoSlice {
  for (;;) {
    const found = findMapInSliceBasedOnKeyValue(sliceItems(original), mergeKey, mergeValue);
    if (found === undefined) return original;
    original = goDeleteAt(original, found.index);
  }
}

function mergeSliceWithoutSpecialElements(
  original: GoSlice,
  patch: unknown[],
  mergeKey: string,
  itemSchema: PatchSchema | undefined,
): GoSlice {
  for (const v of patch) {
    const item = v as JsonMap;
    if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const found = findMapInSliceBasedOnKeyValue(sliceItems(original), mergeKey, item[mergeKey]);
    if (found !== undefined) {
      original.buf[found.index] = mergeMap(found.map, item, itemSchema);
    } else {
      original = goAppend(original, v);
    }
  }
  return original;
}

function findMapInSliceBasedOnKeyValue(
  items: unknown[],
  key: string,
  value: unknown,
): { map: JsonMap; index: number } | undefined {
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (!isMap(item)) throw new PatchError(`value for key ${index} is not a map`);
    if (has(item, key) && item[key] === value) return { map: item, index };
  }
  return undefined;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const deleted = new Set(toDelete);
  return current.filter((v) => !deleted.has(v));
}

/** Upstream's in-place deduplication, which moves the last item into each duplicate's place. */
function deduplicateScalars(s: GoSlice): unknown[] {
  const { buf } = s;
  let length = s.len - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (buf[i] === buf[j]) {
        buf[j] = buf[length];
        length--;
        j--;
      }
    }
  }
  return buf.slice(0, length + 1);
}

function partitionPrimitivesByPresentInList(
  original: unknown[],
  partitionBy: unknown[],
): [unknown[], unknown[]] {
  const inPatch = new Set(partitionBy);
  return [original.filter((v) => inPatch.has(v)), original.filter((v) => !inPatch.has(v))];
}

function partitionMapsByPresentInList(
  original: unknown[],
  partitionBy: unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isMap(v)) throw errBadArgType('map', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    if (findMapInSliceBasedOnKeyValue(partitionBy, mergeKey, v[mergeKey]) !== undefined) patchItems.push(v);
    else serverOnly.push(v);
  }
  return [patchItems, serverOnly];
}

/** Sorts the patch items by `patchOrder` and the server-only items by `serverOrder`, then interleaves them. */
function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: GoType,
): unknown[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServerOnly = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServerOnly, sortedPatch, serverOrder, mergeKey, kind);
}

/**
 * Inserts each `left` item before the first `right` item that it precedes in `serverOrder`; a `right` item
 * absent from `serverOrder` (a new one) goes first.
 */
function mergeSortedSlice(
  left: unknown[],
  right: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: GoType,
): unknown[] {
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) result.push(right[j++]);
    else if (j >= right.length) result.push(left[i++]);
    else {
      const li = index(serverOrder, left[i], mergeKey, kind);
      const ri = index(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) result.push(left[i++]);
      else result.push(right[j++]);
    }
  }
  return result;
}

/** The position of an item in a list, by merge key value for maps and by value otherwise. */
function index(list: unknown[], value: unknown, mergeKey: string, kind: GoType): number {
  const key = (item: unknown): unknown =>
    kind !== 'map' ? item : isMap(item) && has(item, mergeKey) ? item[mergeKey] : null;
  const wanted = key(value);
  return list.findIndex((item) => key(item) === wanted);
}

/** Sorts `toSort` by position in `order`, `$patch: delete` items last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: GoType): unknown[] {
  let items = [...toSort];
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, [toSort, order]);
    [items, toDelete] = extractToDeleteItems(toSort);
  }
  goSliceStable(items, (a, b) => {
    const ia = index(order, a, mergeKey, kind);
    const ib = index(order, b, mergeKey, kind);
    // Not a strict order: an item missing from `order` is "less" than anything, which makes the exact
    // algorithm of Go's sort.SliceStable decide where it ends up.
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  });
  return [...items, ...toDelete];
}

/** Go's `sort.SliceStable`: insertion sort on blocks of 20, then SymMerge. */
function goSliceStable(data: unknown[], less: (a: unknown, b: unknown) => boolean): void {
  const lessAt = (i: number, j: number): boolean => less(data[i], data[j]);
  const swap = (i: number, j: number): void => {
    [data[i], data[j]] = [data[j], data[i]];
  };
  const insertionSort = (a: number, b: number): void => {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
    }
  };
  const swapRange = (a: number, b: number, n: number): void => {
    for (let i = 0; i < n; i++) swap(a + i, b + i);
  };
  const rotate = (a: number, m: number, b: number): void => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (lessAt(h, a)) i = h + 1;
        else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!lessAt(m, h)) i = h + 1;
        else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start: number;
    let r: number;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!lessAt(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = n - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };

  const n = data.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}

function validateMergeKeyInLists(mergeKey: string, lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw errBadArgType('map', item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const nonDelete: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw errBadArgType('map', v);
    if (has(v, DIRECTIVE_MARKER) && v[DIRECTIVE_MARKER] === DELETE_DIRECTIVE) toDelete.push(v);
    else nonDelete.push(v);
  }
  return [nonDelete, toDelete];
}

/** The one Go type of all items of the lists; mixed types, nested lists and no items at all are errors. */
function sliceElementType(lists: unknown[][]): GoType {
  let previous: GoType | undefined;
  for (const list of lists) {
    for (const v of list) {
      const current = goType(v);
      if (previous === undefined) {
        previous = current;
        if (current === 'slice') throw new PatchError(ERR_NO_LIST_OF_LISTS);
      } else if (previous !== current) {
        throw new PatchError(`list element types are not identical: ${goFormat(lists, 'v')}`);
      }
    }
  }
  if (previous === undefined) throw new PatchError('no elements in any of the given slices');
  return previous;
}

// ---- Go values ---------------------------------------------------------------------------------

/** The dynamic Go type a decoded JSON value has (`UnmarshalCaseSensitivePreserveInts` keeps integers int64). */
type GoType = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

const GO_TYPE_NAMES: Record<GoType, string> = {
  map: 'map[string]interface {}',
  slice: '[]interface {}',
  string: 'string',
  int64: 'int64',
  float64: 'float64',
  bool: 'bool',
  nil: '<nil>',
};

function goType(value: unknown): GoType {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'slice';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isSafeInteger(value) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'map';
  }
}

/** How `encoding/json` names a value it cannot decode into a map. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** `fmt` with `%v` or `%s` of a decoded JSON value: `map[a:1 b:[x y]]`, map keys sorted. */
function goFormat(value: unknown, verb: 'v' | 's'): string {
  const type = goType(value);
  switch (type) {
    case 'nil':
      return verb === 'v' ? '<nil>' : '%!s(<nil>)';
    case 'string':
      return value as string;
    case 'slice':
      return `[${(value as unknown[]).map((v) => goFormat(v, verb)).join(' ')}]`;
    case 'map': {
      const m = value as JsonMap;
      const keys = Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      return `map[${keys.map((k) => `${k}:${goFormat(m[k], verb)}`).join(' ')}]`;
    }
    default: {
      const text = type === 'float64' ? goFloat(value as number) : String(value);
      return verb === 'v' ? text : `%!s(${type}=${text})`;
    }
  }
}

/** `%v` of a float64 (`strconv` 'g', shortest): exponent form below 1e-4 and from 1e6 up, as in `1.5e+06`. */
function goFloat(n: number): string {
  const [mantissa = '', exponent = '0'] = n.toExponential().split('e');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isMap(value)) {
    const result: JsonMap = {};
    for (const [k, v] of Object.entries(value)) setOwn(result, k, cloneJson(v));
    return result;
  }
  return value;
}
