/**
 * JSON merge patch (`application/merge-patch+json`, RFC 7386) as kube-apiserver applies it: through
 * `gopkg.in/evanphx/json-patch.v4` `MergePatch`, whose corner cases differ slightly from the RFC.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 * @see https://github.com/evanphx/json-patch/blob/v4.12.0/merge.go
 */
import { badRequest } from '../errors/status.js';
import { isJsonObject } from '../json/json-object.js';

type JsonObject = { [key: string]: unknown };

/**
 * Applies a merge patch to a decoded JSON document and returns the result; neither input is modified.
 * An object patch merges recursively, `null` deleting a key; an array patch replaces the document (with
 * `null` members of objects inside it dropped). Existing keys keep their place and new keys are appended.
 * @throws ApiError 400 `Invalid JSON Patch` when the patch is `null`, a string, a number or a boolean, as
 * `ErrBadJSONPatch`, which the handler answers with `NewBadRequest`. Unless `fieldValidation=Ignore`, the
 * handler first decodes the body strictly into a map, so there a patch that is neither an object nor `null`
 * fails earlier, with 400 `error decoding patch: json: cannot unmarshal array into Go value of type
 * map[string]interface {}`; that decoding is the caller's.
 * @see https://github.com/evanphx/json-patch/blob/v4.12.0/merge.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isJsonObject(patch)) throw badRequest('Invalid JSON Patch');
  // A document that is not an object is replaced by the patch; the server's documents always are objects.
  if (!isJsonObject(original)) return pruneNulls(patch);
  const result = cloneJson(original) as JsonObject;
  mergeDocs(result, patch);
  return result;
}

/** `mergeDocs` of json-patch, on a copy of the document that it may change. */
function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete doc[key];
      continue;
    }
    const current = Object.hasOwn(doc, key) ? doc[key] : null;
    setOwn(doc, key, current === null ? pruneNulls(value) : merge(current, value));
  }
}

/** `merge` of json-patch: a non-object patch value replaces an object unpruned, but a non-object pruned. */
function merge(current: unknown, patch: unknown): unknown {
  if (!isJsonObject(current)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return cloneJson(patch);
  mergeDocs(current, patch);
  return current;
}

/** Drops `null` members of objects, at any depth; `null` items of arrays stay. Returns a copy. */
function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (isJsonObject(value)) {
    const result: JsonObject = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== null) setOwn(result, key, pruneNulls(member));
    }
    return result;
  }
  return value;
}

function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isJsonObject(value)) {
    const result: JsonObject = {};
    for (const [key, member] of Object.entries(value)) setOwn(result, key, cloneJson(member));
    return result;
  }
  return value;
}

/** Assignment would run the `__proto__` setter for a key a JSON body can carry. */
function setOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
