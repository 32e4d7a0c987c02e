import jsonPatch from 'fast-json-patch';
import { ApiError, badRequest, requestEntityTooLarge, unsupportedMediaType } from '../errors/status.js';
import { parseJson } from '../http/body.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch, PATCH_SCHEMAS } from './strategic-merge-patch.js';

/** The patch media types this server applies. Server-side apply is refused explicitly (see below). */
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

const MAX_JSON_PATCH_OPERATIONS = 10_000;

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
        throw requestEntityTooLarge(MAX_JSON_PATCH_OPERATIONS);
      }
      try {
        const result = jsonPatch.applyPatch(
          structuredClone(current),
          operations as jsonPatch.Operation[],
          true,
          false,
        );
        return result.newDocument as KubeObject;
      } catch {
        // The apiserver drops the library's text: NewGenericServerResponse(422, ...) with its generic message.
        throw new ApiError(
          422,
          'Invalid',
          'the server rejected our request due to an error in our request',
          {},
        );
      }
    }
    case 'application/merge-patch+json': {
      const patch = parseJson(body);
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      }
      // Results may share subtrees with the stored (frozen) object: copy before the handler edits them.
      return structuredClone(applyMergePatch(current, patch)) as KubeObject;
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
      const schema = PATCH_SCHEMAS[`${apiVersionOf(kind)}/${kind.kind}`];
      if (!schema)
        throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
      return structuredClone(applyStrategicMergePatch(current, patch, schema)) as KubeObject;
    }
    case 'application/apply-patch+yaml':
      // The handlers route apply to src/api/apply/server-side-apply.ts before they get here.
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'server-side apply is served by the PATCH handlers, not by applyPatch',
      );
    default:
      throw unsupportedMediaType([...PATCH_MEDIA_TYPES, 'application/apply-patch+yaml']);
  }
}
