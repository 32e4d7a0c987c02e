/**
 * The typed decode of every built-in body (`decode/typed-decode.ts`), answered as each kube-apiserver handler
 * answers a decode error.
 */
import { decodeIntoGoType, GoDecodeError, goTypeOf } from '../decode/typed-decode.js';
import { ApiError, badRequest, patchInvalid } from '../errors/status.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import { goPrint, parsePatchOrNull } from './patch-invalid.js';

function decodeOrThrow(
  obj: KubeObject,
  root: number | undefined,
  answer: (message: string) => ApiError,
): void {
  if (root === undefined) return;
  try {
    decodeIntoGoType(obj as Record<string, unknown>, root);
  } catch (error) {
    if (error instanceof GoDecodeError) throw answer(error.message);
    throw error;
  }
}

/** The root Go type of a built-in kind's objects; none for custom resources, which their schema validates. */
function rootOf(kind: ResourceKind): number | undefined {
  return kind.origin === 'crd' ? undefined : goTypeOf(apiVersionOf(kind), kind.kind);
}

/**
 * A create or update body (POST, PUT, the status subresource, a fixture, the programmatic `apply()`): 400 as
 * `transformDecodeError` words it, `ConfigMap in version "v1" cannot be handled as a ConfigMap: json: ...`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go
 */
export function decodeObjectAsGo(kind: ResourceKind, obj: KubeObject): void {
  decodeOrThrow(obj, rootOf(kind), cannotBeHandled(kind.kind, kind.version));
}

/** `transformDecodeError`'s 400 for a body of `kindName` in `version`. */
function cannotBeHandled(kindName: string, version: string): (message: string) => ApiError {
  return (message) =>
    badRequest(
      `${kindName} in version ${JSON.stringify(version)} cannot be handled as a ${kindName}: ${message}`,
    );
}

/**
 * A body of one of the request kinds (TokenRequest, the reviews, Scale), read as create reads it.
 */
export function decodeRequestAsGo(apiVersion: string, kindName: string, obj: KubeObject): void {
  const version = apiVersion.split('/').pop()!;
  decodeOrThrow(obj, goTypeOf(apiVersion, kindName), cannotBeHandled(kindName, version));
}

/**
 * A DELETE body: 400 with the decoder's own text, as the delete handlers answer it.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go
 */
export function decodeDeleteOptionsAsGo(obj: KubeObject): void {
  decodeOrThrow(obj, goTypeOf('v1', 'DeleteOptions'), (message) => badRequest(message));
}

/**
 * A patched object (JSON, merge and strategic merge patches): the 422 `patch: Invalid value: ...` the patch
 * handler makes of a decode error, whose value is the patched JSON, or for a strategic merge patch the patch
 * printed as Go prints a map.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
 */
export function decodePatchedAsGo(
  kind: ResourceKind,
  patched: KubeObject,
  patchType: string,
  patchBody: Buffer,
): void {
  const before = patchType === 'application/strategic-merge-patch+json' ? '' : JSON.stringify(patched);
  decodeOrThrow(patched, rootOf(kind), (message) => {
    const value = before === '' ? goPrint(parsePatchOrNull(patchBody)) : before;
    return patchInvalid(value, message);
  });
}

/**
 * An object read back from a `--data-dir`, decoded by its own `apiVersion` and `kind` as any write is (null
 * labels dropped, times in UTC); a {@link GoDecodeError} skips and reports it. Custom resources pass as they are.
 */
export function decodeStoredAsGo(_storageKey: string, obj: KubeObject): KubeObject {
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return obj;
  const root = goTypeOf(obj.apiVersion, obj.kind);
  if (root !== undefined) decodeIntoGoType(obj as Record<string, unknown>, root);
  return obj;
}
