/** The eight verbs of a plain generic-registry resource, as discovery lists them. */
export const STANDARD_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const;

/** The verbs of a `status` or `scale` subresource. */
export const SUBRESOURCE_VERBS = ['get', 'patch', 'update'] as const;
