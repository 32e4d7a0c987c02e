import { exactMetadataName, parseFieldSelector } from '../store/field-selector.js';
import { parseLabelSelector } from '../store/label-selector.js';
import { booleanParameter } from './query-parameters.js';

/**
 * Request attributes derived from the URL and method, as `requestinfo.go` derives them: they drive
 * authorization before any routing happens.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go
 */

/** The attributes of one request. */
export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path, decoded. */
  path: string;
  verb: string;
  /** `api` or `apis`, for resource requests. */
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  /** The name authorization sees: the URL's, or for list/watch an exact `metadata.name` field selector's. */
  name: string;
  /** The object name in the URL path, which routing uses (empty for collections). */
  pathName: string;
  /** Path segments after the subresource (unused by this server, kept for exact routing). */
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * Parses `path` and `query` into request attributes. `path` is decoded once, as Go's `req.URL.Path` (see
 * `requestPath`): an encoded slash splits segments there too.
 */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    pathName: '',
    parts: [],
  };
  let segments = path.replace(/^\/+|\/+$/g, '').split('/');
  if (segments.length === 0 || (segments[0] !== 'api' && segments[0] !== 'apis')) return info;
  info.apiPrefix = segments[0]!;
  segments = segments.slice(1);
  if (info.apiPrefix === 'apis') {
    if (segments.length < 3) return info; // /apis, /apis/group, /apis/group/version
    info.apiGroup = segments[0]!;
    segments = segments.slice(1);
  } else if (segments.length < 2) {
    return info; // /api, /api/v1
  }
  info.isResourceRequest = true;
  info.apiVersion = segments[0]!;
  segments = segments.slice(1);

  let specialVerb = '';
  if (segments[0] === 'watch' || segments[0] === 'proxy') {
    specialVerb = segments[0];
    segments = segments.slice(1);
  }
  switch (method.toUpperCase()) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }
  if (specialVerb) info.verb = specialVerb;

  if (segments[0] === 'namespaces') {
    if (segments.length > 1) {
      info.namespace = segments[1]!;
      // /namespaces/{ns}/{resource}/...; but /namespaces/{ns} and its subresources are the namespace itself
      if (segments.length > 2 && !NAMESPACE_SUBRESOURCES.has(segments[2]!)) {
        segments = segments.slice(2);
      }
    }
  } else {
    info.namespace = '';
  }

  info.parts = segments;
  if (segments.length >= 3) info.subresource = segments[2]!;
  if (segments.length >= 2) info.name = info.pathName = segments[1]!;
  if (segments.length >= 1) info.resource = segments[0]!;

  // A GET without a name is a list, or a watch; a DELETE without a name is a deletecollection.
  if (info.parts.length === 1 && info.verb === 'get') {
    info.verb = booleanParameter(query.get('watch')) ? 'watch' : 'list';
  }
  if (info.parts.length === 1 && info.verb === 'delete') info.verb = 'deletecollection';

  // For list and watch, an exact metadata.name field selector names the object (for resourceNames).
  if ((info.verb === 'list' || info.verb === 'watch') && query.has('fieldSelector')) {
    const name = exactNameOfListOptions(query);
    if (name !== undefined) info.name = name;
  }
  return info;
}

/** The exact `metadata.name` of a list's field selector, when both selectors decode (as upstream requires). */
function exactNameOfListOptions(query: URLSearchParams): string | undefined {
  try {
    parseLabelSelector(query.get('labelSelector') ?? '');
    return exactMetadataName(parseFieldSelector(query.get('fieldSelector') ?? ''));
  } catch {
    return undefined;
  }
}
