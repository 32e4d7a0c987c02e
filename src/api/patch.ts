import jsonPatch from 'fast-json-patch';
import {
  ApiError,
  badRequest,
  patchRejected,
  requestEntityTooLargeMessage,
  unsupportedMediaType,
  unsupportedMediaTypeMessage,
  untypedError,
} from '../errors/status.js';
import { MAX_REQUEST_BODY_BYTES, parseJson } from '../http/body.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { goPatchSchema } from './patch-schemas/go-patch-schema.js';

/** The patch media types this server applies. Server-side apply is refused explicitly (see below). */
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

// handlers/patch.go's maxJSONPatchOperations.
const MAX_JSON_PATCH_OPERATIONS = 10_000;

/**
 * How much `copy` operations may add to a JSON patch's document, in bytes: kube-apiserver's
 * `JSONPatchMaxCopyBytes` (3 MiB, twice etcd's 1.5 MB request limit, as `MaxRequestBodyBytes`), which it sets
 * as json-patch's `AccumulatedCopySizeLimit`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/server/config.go
 */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

/** What a failed patch application is answered: `NewGenericServerResponse(422, …)` drops the library's text. */
function patchApplicationFailed(): ApiError {
  return patchRejected();
}

/**
 * The length of `value` as Go's encoding/json writes it, which json-patch's `deepCopy` counts towards
 * `AccumulatedCopySizeLimit`: JSON.stringify's, plus the escapes Go adds for `<`, `>`, `&` (`\u003c`, 5 bytes
 * more than the character) and U+2028/U+2029 (`\u2028`, 3 bytes more).
 */
function goJsonLength(value: unknown): number {
  const text = JSON.stringify(value);
  if (text === undefined) return 0;
  const htmlEscapes = text.match(/[<>&]/g)?.length ?? 0;
  const separatorEscapes = text.match(/[\u2028\u2029]/g)?.length ?? 0;
  return Buffer.byteLength(text) + 5 * htmlEscapes + 3 * separatorEscapes;
}

/**
 * Applies a JSON patch as json-patch v4's `Patch.Apply` does under kube-apiserver: operation by operation,
 * each `copy` adding the size of what it copies to a total that may not pass `MAX_JSON_PATCH_COPY_BYTES`
 * (`AccumulatedCopySizeError`, checked before the copy is made), so that a few self-copies cannot double the
 * document into gigabytes. Any failure is the generic 422, as upstream answers it.
 * @see https://github.com/evanphx/json-patch/blob/master/patch.go (`copy`, `ApplyIndent`)
 * @see https://github.com/evanphx/json-patch/blob/master/errors.go (`AccumulatedCopySizeError`)
 */
function applyJsonPatch(current: KubeObject, operations: readonly unknown[]): KubeObject {
  let document: unknown = structuredClone(current);
  let copied = 0;
  try {
    operations.forEach((operation, index) => {
      const { op, from } = (operation ?? {}) as { op?: unknown; from?: unknown };
      if (op === 'copy' && typeof from === 'string') {
        let value: unknown;
        try {
          value = jsonPatch.getValueByPointer(document, from);
        } catch {
          value = undefined; // the operation itself fails below, with the library's validation
        }
        copied += goJsonLength(value);
        if (copied > MAX_JSON_PATCH_COPY_BYTES) {
          throw new Error(
            `Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
          );
        }
      }
      if (op === 'test' && testsNullOfMissingKey(document, operation)) return;
      document = jsonPatch.applyOperation(
        document,
        operation as jsonPatch.Operation,
        true,
        true,
        true,
        index,
      ).newDocument;
    });
  } catch {
    throw patchApplicationFailed();
  }
  return document as KubeObject;
}

/**
 * Whether `operation` is a `test` of `null` at a key its object lacks, which json-patch v4 passes: a missing
 * key and a null one are both a nil node there (`partialDoc.get`), and a nil node equals a null value
 * (`test`: `if val == nil { if op.value().raw == nil { return nil } }`). kube-rs's `finalizer()` adds the first
 * finalizer with `test /metadata/finalizers null`, then `add`. fast-json-patch fails such a test; a missing
 * parent still fails, as it does upstream ("is missing path").
 * @see https://github.com/evanphx/json-patch/blob/v4.12.0/patch.go (`test`)
 */
function testsNullOfMissingKey(document: unknown, operation: unknown): boolean {
  const { path, value } = operation as { path?: unknown; value?: unknown };
  if (value !== null || typeof path !== 'string' || path === '') return false;
  const slash = path.lastIndexOf('/');
  if (slash < 0) return false;
  let parent: unknown;
  try {
    parent = slash === 0 ? document : jsonPatch.getValueByPointer(document, path.slice(0, slash));
  } catch {
    return false;
  }
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return false;
  const key = path
    .slice(slash + 1)
    .replaceAll('~1', '/')
    .replaceAll('~0', '~');
  return !Object.hasOwn(parent, key);
}

/**
 * Refuses a patched object too large to store. kube-apiserver has no such check of its own: etcd refuses the
 * write (its request limit, 1.5 MiB by default) and the error comes back as a plain error, a 500 with etcd's
 * message and no reason (`ErrorToAPIStatus`; kubernetes/kubernetes#112152). Here the limit is the request
 * body limit (3 MiB), so that what a patch makes is no larger than what a PUT could send.
 */
export function assertStorableSize(obj: KubeObject): void {
  if (Buffer.byteLength(JSON.stringify(obj)) > MAX_REQUEST_BODY_BYTES) {
    throw untypedError('etcdserver: request is too large');
  }
}

/**
 * Applies a PATCH body to the current object by media type, as `handlers/patch.go` does.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
export function applyPatch(
  kind: ResourceKind,
  current: KubeObject,
  body: Buffer,
  mediaType: string,
): KubeObject {
  switch (mediaType) {
    case 'application/json-patch+json': {
      const operations = parseJson(body);
      if (!Array.isArray(operations)) {
        throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      }
      if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
        throw requestEntityTooLargeMessage(
          `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`,
        );
      }
      return storable(applyJsonPatch(current, operations));
    }
    case 'application/merge-patch+json': {
      const patch = parseJson(body);
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      }
      // Results may share subtrees with the stored (frozen) object: copy before the handler edits them.
      return storable(structuredClone(applyMergePatch(current, patch)) as KubeObject);
    }
    case 'application/strategic-merge-patch+json': {
      // crdHandler: custom resources have no Go struct to take merge keys from.
      if (kind.origin === 'crd')
        throw unsupportedMediaType([
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
        ]);
      const patch = parseJson(body);
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      }
      const schema = goPatchSchema(apiVersionOf(kind), kind.kind);
      if (!schema)
        throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
      return storable(structuredClone(applyStrategicMergePatch(current, patch, schema)) as KubeObject);
    }
    case 'application/apply-patch+yaml':
      // The handlers route apply to src/api/apply/server-side-apply.ts before they get here.
      throw unsupportedMediaTypeMessage(
        'server-side apply is served by the PATCH handlers, not by applyPatch',
      );
    default:
      throw unsupportedMediaType([...PATCH_MEDIA_TYPES, 'application/apply-patch+yaml']);
  }
}

function storable(obj: KubeObject): KubeObject {
  assertStorableSize(obj);
  return obj;
}
