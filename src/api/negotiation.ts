import { badRequest } from '../errors/status.js';

/** What representation a GET or LIST response should take, from the Accept header. */
export type ResponseForm = 'object' | 'table' | 'partialMetadata';

/** The representation, and for `PartialObjectMetadata` which one was asked for (`as=`) and in which version. */
export type ResponseTarget =
  | { form: 'object' }
  | { form: 'table' }
  | {
      form: 'partialMetadata';
      as: 'PartialObjectMetadata' | 'PartialObjectMetadataList';
      apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
    };

/**
 * Picks the first acceptable representation in Accept order: a `meta.k8s.io` Table or
 * PartialObjectMetadata(List) (v1 or v1beta1, the conversions `targetEncodingForTransform` accepts), or the
 * plain object.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
 */
export function negotiateResponseTarget(accept: string | undefined): ResponseTarget {
  for (const clause of (accept ?? '').split(',')) {
    const [mediaType, ...params] = clause.split(';').map((p) => p.trim());
    const values = Object.fromEntries(
      params.map((p) => {
        const [k, v] = p.split('=');
        return [(k ?? '').trim(), (v ?? '').trim()];
      }),
    );
    if (mediaType !== 'application/json' && mediaType !== '*/*') continue;
    const metaVersion = values.g === 'meta.k8s.io' && (values.v === 'v1' || values.v === 'v1beta1');
    if (values.as === 'Table' && metaVersion) return { form: 'table' };
    if ((values.as === 'PartialObjectMetadata' || values.as === 'PartialObjectMetadataList') && metaVersion) {
      return {
        form: 'partialMetadata',
        as: values.as,
        apiVersion: `meta.k8s.io/${values.v as 'v1' | 'v1beta1'}`,
      };
    }
    if (values.as === undefined) return { form: 'object' };
  }
  return { form: 'object' };
}

/** The form `negotiateResponseTarget` picks. */
export function negotiateResponseForm(accept: string | undefined): ResponseForm {
  return negotiateResponseTarget(accept).form;
}

/** The `includeObject` parameter of Table requests (default `Metadata`). */
export function includeObjectParameter(query: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const value = query.get('includeObject') ?? 'Metadata';
  if (value === 'None' || value === 'Object' || value === 'Metadata') return value;
  throw badRequest(
    `includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`,
  );
}
