import { badRequest } from '../errors/status.js';

/** What representation a GET or LIST response should take, from the Accept header. */
export type ResponseForm = 'object' | 'table' | 'partialMetadata';

/**
 * Picks the first acceptable representation in Accept order: a `meta.k8s.io` Table (v1 or v1beta1),
 * or the plain object. PartialObjectMetadata requests fall back to the object, which clients accept
 * because every object is a superset of its metadata.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
 */
export function negotiateResponseForm(accept: string | undefined): ResponseForm {
  for (const clause of (accept ?? '').split(',')) {
    const [mediaType, ...params] = clause.split(';').map((p) => p.trim());
    const values = Object.fromEntries(
      params.map((p) => {
        const [k, v] = p.split('=');
        return [(k ?? '').trim(), (v ?? '').trim()];
      }),
    );
    if (mediaType !== 'application/json' && mediaType !== '*/*') continue;
    if (
      values.as === 'Table' &&
      values.g === 'meta.k8s.io' &&
      (values.v === 'v1' || values.v === 'v1beta1')
    ) {
      return 'table';
    }
    if (values.as === undefined) return 'object';
  }
  return 'object';
}

/** The `includeObject` parameter of Table requests (default `Metadata`). */
export function includeObjectParameter(query: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const value = query.get('includeObject') ?? 'Metadata';
  if (value === 'None' || value === 'Object' || value === 'Metadata') return value;
  throw badRequest(
    `includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`,
  );
}
