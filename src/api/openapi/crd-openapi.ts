import type { CustomResourceFacts, ResourceKind } from '../../registry/resource-kind.js';
import { crdOpenApiParts } from './openapi-data.js';

type Json = Record<string, unknown>;
type SchemaNode = Json;

/** The descriptions apimachinery's generated TypeMeta and PartialObjectMetadata give these properties. */
const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DESCRIPTION =
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
/** What builder.go's addEmbeddedProperties writes, lower-case as there. */
const EMBEDDED_API_VERSION_DESCRIPTION =
  'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const EMBEDDED_KIND_DESCRIPTION =
  'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

/** The schema keywords a structural schema keeps (structuralschema.NewStructural drops the rest). */
const STRUCTURAL_KEYWORDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'default',
  'nullable',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'items',
  'properties',
  'additionalProperties',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
const TRUE_ONLY = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A CRD schema node as the builder publishes it: structural keywords kept, false extensions and nullable
 * dropped, int-or-string unfolded (`structural.Unfold`), embedded resources given apiVersion, kind and metadata.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/kubeopenapi.go
 */
function publishedSchema(node: SchemaNode, v2: boolean): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' && value !== true) continue;
    if (TRUE_ONLY.includes(key)) {
      if (value === true) out[key] = true;
      continue;
    }
    if (!STRUCTURAL_KEYWORDS.has(key)) continue;
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, publishedSchema(child as SchemaNode, v2)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = publishedSchema(value, v2);
    } else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) {
      out[key] = value.map((child) => publishedSchema(child as SchemaNode, v2));
    } else if (key === 'not' && isObject(value)) {
      out.not = publishedSchema(value, v2);
    } else out[key] = structuredClone(value);
  }
  if (out['x-kubernetes-int-or-string'] === true && !intOrStringPattern(out)) {
    const anyOf = [{ type: 'integer' }, { type: 'string' }];
    if (out.anyOf === undefined) out.anyOf = anyOf;
    else out.allOf = [{ anyOf }, ...((out.allOf as SchemaNode[] | undefined) ?? [])];
  }
  if (v2) toOpenApiV2(out);
  if (
    !(v2 && out['x-kubernetes-preserve-unknown-fields'] === true) &&
    out['x-kubernetes-embedded-resource'] === true
  ) {
    const properties = (out.properties ??= {}) as Json;
    properties.apiVersion = { description: EMBEDDED_API_VERSION_DESCRIPTION, type: 'string' };
    properties.kind = { description: EMBEDDED_KIND_DESCRIPTION, type: 'string' };
    properties.metadata = metadataRef(OBJECT_META, METADATA_DESCRIPTION, v2);
    const required = (out.required ??= []) as string[];
    if (!required.includes('kind')) required.push('kind');
    if (!required.includes('apiVersion')) required.push('apiVersion');
  }
  return out;
}

/** Whether `anyOf` (or the first `allOf`'s) already is `[{type: integer}, {type: string}]`. */
function intOrStringPattern(node: SchemaNode): boolean {
  const isPattern = (anyOf: unknown) =>
    Array.isArray(anyOf) &&
    anyOf.length === 2 &&
    (anyOf[0] as Json).type === 'integer' &&
    (anyOf[1] as Json).type === 'string';
  if (isPattern(node.anyOf)) return true;
  const allOf = node.allOf as Json[] | undefined;
  return Array.isArray(allOf) && allOf.length > 0 && isPattern(allOf[0]!.anyOf);
}

/**
 * What OpenAPI v2 (and kubectl's v2 validation) cannot say, removed as `ToStructuralOpenAPIV2` does.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiextensions-apiserver/pkg/controller/openapi/v2/conversion.go
 */
function toOpenApiV2(node: SchemaNode): void {
  for (const junctor of ['allOf', 'oneOf', 'anyOf', 'not']) delete node[junctor];
  if (node.nullable === true) {
    delete node.type;
    delete node.nullable;
    delete node.items;
    delete node.properties;
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === true) {
    delete node.items;
    delete node.properties;
  }
  if (node.items === undefined && node.type === 'array') delete node.type;
  if (node['x-kubernetes-preserve-unknown-fields'] === true && node.type === 'object') delete node.type;
}

function metadataRef(name: string, description: string, v2: boolean): Json {
  return v2
    ? { description, $ref: `#/definitions/${name}` }
    : { description, allOf: [{ $ref: `#/components/schemas/${name}` }] };
}

/** `util.ToRESTFriendlyName("<group>/<version>/<kind>")`: the group's labels reversed, then version and kind. */
export function definitionName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/** builder.go's buildKubeNative: the published schema with TypeMeta, ObjectMeta and the kind's GVK. */
function kindSchema(kind: ResourceKind, source: CustomResourceFacts, v2: boolean): SchemaNode {
  const schema = (kind.openApiSchema ?? {}) as SchemaNode;
  const gvk = [{ group: kind.group, kind: kind.kind, version: kind.version }];
  let out: SchemaNode;
  if (v2 && (schema['x-kubernetes-preserve-unknown-fields'] === true || source.preserveUnknownFields)) {
    out = { type: 'object' };
  } else {
    out = publishedSchema(schema, v2);
    const properties = (out.properties ??= {}) as Json;
    properties.metadata = metadataRef(OBJECT_META, METADATA_DESCRIPTION, v2);
    properties.apiVersion = { description: API_VERSION_DESCRIPTION, type: 'string' };
    properties.kind = { description: KIND_DESCRIPTION, type: 'string' };
  }
  out['x-kubernetes-group-version-kind'] = gvk;
  if (source.selectableFields.length)
    out['x-kubernetes-selectable-fields'] = source.selectableFields.map((path) => ({
      fieldPath: path.replace(/^\./, ''),
    }));
  return out;
}

function listSchema(kind: ResourceKind, source: CustomResourceFacts, v2: boolean): SchemaNode {
  const prefix = v2 ? '#/definitions/' : '#/components/schemas/';
  const out: SchemaNode = {
    description: `${source.listKind} is a list of ${kind.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      items: {
        description: `List of ${kind.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: { $ref: `${prefix}${definitionName(kind.group, kind.version, kind.kind)}` },
      },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: metadataRef(LIST_META, LIST_METADATA_DESCRIPTION, v2),
    },
    'x-kubernetes-group-version-kind': [{ group: kind.group, kind: source.listKind, version: kind.version }],
  };
  if (source.selectableFields.length)
    out['x-kubernetes-selectable-fields'] = source.selectableFields.map((path) => ({
      fieldPath: path.replace(/^\./, ''),
    }));
  return out;
}

/** `openapi.ToValidOperationID`. */
function operationIdPart(text: string, capitalizeFirst: boolean): string {
  let out = '';
  let capitalize = capitalizeFirst;
  [...text].forEach((char, index) => {
    if (/\p{L}/u.test(char) || char === '_' || (index !== 0 && /\p{Nd}/u.test(char))) {
      out += capitalize ? char.toUpperCase() : char;
      capitalize = false;
    } else capitalize = true;
  });
  return out;
}

/** `endpoints.GetArticleForNoun(noun, " ")`. */
function article(noun: string): string {
  if (!noun.endsWith('ss') && noun.endsWith('s')) return ' ';
  return /^[aeiou]/i.test(noun) ? ' an ' : ' a ';
}

interface Route {
  path: string;
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  action: 'list' | 'post' | 'deletecollection' | 'get' | 'put' | 'delete' | 'patch';
  verb: 'list' | 'create' | 'deletecollection' | 'read' | 'replace' | 'delete' | 'patch';
  operation: string;
  sample: 'kind' | 'list' | 'status' | 'scale';
  subresource: string;
}

/** The routes `generateBuilder` registers for a CRD version, in its order. */
function routes(kind: ResourceKind): Route[] {
  const out: Route[] = [];
  const namespaced = kind.namespaced ? 'Namespaced' : '';
  let root = `/apis/${kind.group}/${kind.version}/${kind.resource}`;
  const add = (
    path: string,
    method: Route['method'],
    action: Route['action'],
    verb: Route['verb'],
    sample: Route['sample'],
    operation?: string,
  ) => {
    const subresource = path.split('/')[2] ?? '';
    const title = subresource ? subresource[0]!.toUpperCase() + subresource.slice(1) : '';
    out.push({
      path: root + path,
      method,
      action,
      verb,
      sample,
      subresource,
      operation: operation ?? `${verb}${namespaced}${kind.kind}${title}`,
    });
  };
  if (kind.namespaced) {
    add('', 'get', 'list', 'list', 'list', `list${kind.kind}ForAllNamespaces`);
    root = `/apis/${kind.group}/${kind.version}/namespaces/{namespace}/${kind.resource}`;
  }
  add('', 'get', 'list', 'list', 'list');
  add('', 'post', 'post', 'create', 'kind');
  add('', 'delete', 'deletecollection', 'deletecollection', 'status');
  add('/{name}', 'get', 'get', 'read', 'kind');
  add('/{name}', 'put', 'put', 'replace', 'kind');
  add('/{name}', 'delete', 'delete', 'delete', 'status');
  add('/{name}', 'patch', 'patch', 'patch', 'kind');
  const subresources = new Set((kind.subresources ?? []).map((s) => s.name));
  for (const sub of ['status', 'scale'] as const) {
    if (!subresources.has(sub)) continue;
    const sample = sub === 'scale' ? 'scale' : 'kind';
    add(`/{name}/${sub}`, 'get', 'get', 'read', sample);
    add(`/{name}/${sub}`, 'put', 'put', 'replace', sample);
    add(`/{name}/${sub}`, 'patch', 'patch', 'patch', sample);
  }
  return out;
}

/** builder.go's descriptionFor. */
function describe(kind: ResourceKind, route: Route): string {
  const sub = route.subresource ? ` ${route.subresource} of` : '';
  switch (route.verb) {
    case 'patch':
      return `partially update${sub} the specified ${kind.kind}`;
    case 'deletecollection':
      return `delete collection of${sub ? `${sub} a` : ''} ${kind.kind}`;
    case 'list':
      return `list${sub} objects of kind ${kind.kind}`;
    case 'read':
    case 'replace':
      return `${route.verb}${sub} the specified ${kind.kind}`;
    default:
      return `${route.verb}${sub}${article(kind.kind)}${kind.kind}`;
  }
}

/** `openapi.GetOperationIDAndTags` for a route under `/apis/<group>/<version>`. */
function operationIdAndTag(kind: ResourceKind, operation: string): { id: string; tag: string } {
  const verb = ['deletecollection', 'list', 'create', 'read', 'replace', 'delete', 'patch'].find((v) =>
    operation.startsWith(v),
  )!;
  const prefix = verb === 'deletecollection' ? 'delete' : verb;
  const group = kind.group.replace(/\.k8s\.io$/, '');
  const id =
    prefix +
    operationIdPart(group, true) +
    operationIdPart(kind.version, true) +
    operationIdPart(
      verb === 'deletecollection'
        ? `Collection${operation.slice(verb.length)}`
        : operation.slice(verb.length),
      true,
    );
  return { id, tag: `${operationIdPart(group, false)}_${operationIdPart(kind.version, false)}` };
}

/** Moves the parameters every operation of a path item shares to the item, as kube-openapi's builders do. */
function hoistCommonParameters(item: Json, pathParameters: Json[]): void {
  const operations = Object.values(item) as Json[];
  const keyOf = (parameter: Json) => JSON.stringify(parameter);
  const shared = (operations[0]!.parameters as Json[] | undefined)?.filter((parameter) =>
    operations.every((operation) =>
      ((operation.parameters as Json[] | undefined) ?? []).some((p) => keyOf(p) === keyOf(parameter)),
    ),
  );
  const hoisted = [...pathParameters, ...(shared ?? [])];
  for (const operation of operations) {
    const rest = ((operation.parameters as Json[] | undefined) ?? []).filter(
      (p) => !hoisted.some((h) => keyOf(h) === keyOf(p)),
    );
    if (rest.length) operation.parameters = rest;
    else delete operation.parameters;
  }
  item.parameters = hoisted;
}

/** A parameter's name, through its `$ref` into the document's shared parameters for v2. */
function parameterName(parameter: Json, shared: Record<string, Json>): string {
  const ref = parameter.$ref;
  if (typeof ref === 'string') return String(shared[ref.slice('#/parameters/'.length)]?.name ?? '');
  return String(parameter.name ?? '');
}

const sortByName = (parameters: Json[], shared: Record<string, Json> = {}) =>
  [...parameters].sort((a, b) => {
    const [x, y] = [parameterName(a, shared), parameterName(b, shared)];
    return x < y ? -1 : x > y ? 1 : 0;
  });

/**
 * The OpenAPI v3 document apiextensions-apiserver publishes for one served version of a CRD
 * (`builder.BuildOpenAPIV3`), before it is merged with the other CRDs of the group version.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder/builder.go
 */
export function crdOpenApiV3(kind: ResourceKind, source: CustomResourceFacts): Json {
  const parts = crdOpenApiParts().v3;
  const name = definitionName(kind.group, kind.version, kind.kind);
  const listName = definitionName(kind.group, kind.version, source.listKind);
  const schemaRef = (sample: Route['sample']) => ({
    $ref: `#/components/schemas/${{ kind: name, list: listName, status: STATUS, scale: SCALE }[sample]}`,
  });
  const content = (schema: Json) => ({ 'application/json': { schema }, 'application/yaml': { schema } });
  const paths: Record<string, Json> = {};
  for (const route of routes(kind)) {
    const { id, tag } = operationIdAndTag(kind, route.operation);
    const sample = schemaRef(route.sample);
    const responses: Json = { '200': { description: 'OK', content: content(sample) } };
    if (route.action === 'post') {
      responses['201'] = { description: 'Created', content: content(sample) };
      responses['202'] = { description: 'Accepted', content: content(sample) };
    } else if (route.action === 'delete')
      responses['202'] = { description: 'Accepted', content: content(sample) };
    else if (route.action === 'put') responses['201'] = { description: 'Created', content: content(sample) };
    responses['401'] = { description: 'Unauthorized' };
    const operation: Json = { tags: [tag], description: describe(kind, route), operationId: id };
    operation.parameters = sortByName(structuredClone(parts.operationParameters[route.action] ?? []));
    if (route.action === 'post' || route.action === 'put')
      operation.requestBody = { content: content(sample), required: true };
    else if (route.action === 'patch') {
      const patch = { schema: { $ref: `#/components/schemas/${PATCH}` } };
      operation.requestBody = {
        content: {
          'application/apply-patch+yaml': patch,
          'application/json-patch+json': patch,
          'application/merge-patch+json': patch,
        },
        required: true,
      };
    } else if (route.action === 'delete')
      operation.requestBody = { content: content({ $ref: `#/components/schemas/${DELETE_OPTIONS}` }) };
    operation.responses = responses;
    operation['x-kubernetes-action'] = route.action;
    operation['x-kubernetes-group-version-kind'] = {
      group: kind.group,
      version: kind.version,
      kind: kind.kind,
    };
    (paths[route.path] ??= {})[route.method] = operation;
  }
  for (const [path, item] of Object.entries(paths)) {
    const pathParameters: Json[] = [];
    if (path.includes('{name}'))
      pathParameters.push({
        name: 'name',
        in: 'path',
        description: `name of the ${kind.kind}`,
        required: true,
        schema: { type: 'string', uniqueItems: true },
      });
    if (path.includes('{namespace}')) pathParameters.push(structuredClone(parts.pathParameters.namespace!));
    pathParameters.push(structuredClone(parts.pathParameters.pretty!));
    hoistCommonParameters(item, pathParameters);
    item.parameters = sortByName(item.parameters as Json[]);
  }
  const schemas: Json = {
    [name]: kindSchema(kind, source, false),
    [listName]: listSchema(kind, source, false),
    ...structuredClone(parts.schemas),
  };
  if (!routes(kind).some((r) => r.sample === 'scale'))
    for (const scale of [SCALE, `${SCALE}Spec`, `${SCALE}Status`]) delete schemas[scale];
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas },
  };
}

/**
 * The Swagger 2.0 document apiextensions-apiserver merges into `/openapi/v2` for one served version of a CRD
 * (`builder.BuildOpenAPIV2`); the controller prunes its defaults ({@link pruneDefaults}) before merging it.
 */
export function crdOpenApiV2(kind: ResourceKind, source: CustomResourceFacts): Json {
  const parts = crdOpenApiParts().v2;
  const name = definitionName(kind.group, kind.version, kind.kind);
  const listName = definitionName(kind.group, kind.version, source.listKind);
  const shared = parts.parameters as Record<string, Json>;
  const paths: Record<string, Json> = {};
  for (const route of routes(kind)) {
    const { id, tag } = operationIdAndTag(kind, route.operation);
    const sample = {
      $ref: `#/definitions/${{ kind: name, list: listName, status: STATUS, scale: SCALE }[route.sample]}`,
    };
    const responses: Json = { '200': { description: 'OK', schema: sample } };
    if (route.action === 'post') {
      responses['201'] = { description: 'Created', schema: sample };
      responses['202'] = { description: 'Accepted', schema: sample };
    } else if (route.action === 'delete') responses['202'] = { description: 'Accepted', schema: sample };
    else if (route.action === 'put') responses['201'] = { description: 'Created', schema: sample };
    responses['401'] = { description: 'Unauthorized' };
    const parameters = structuredClone(parts.operationParameters[route.action] ?? []).map((parameter) =>
      parameter.in === 'body' ? { ...parameter, schema: sample } : parameter,
    );
    (paths[route.path] ??= {})[route.method] = {
      description: describe(kind, route),
      consumes:
        route.method === 'patch'
          ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
          : ['application/json', 'application/yaml'],
      produces: ['application/json', 'application/yaml'],
      schemes: ['https'],
      tags: [tag],
      operationId: id,
      parameters: sortByName(parameters, shared),
      responses,
      'x-kubernetes-action': route.action,
      'x-kubernetes-group-version-kind': { group: kind.group, version: kind.version, kind: kind.kind },
    };
  }
  const sharedRef = (prefix: string) => {
    const key = Object.keys(shared).find((k) => k.startsWith(`${prefix}-`))!;
    return { $ref: `#/parameters/${key}` };
  };
  for (const [path, item] of Object.entries(paths)) {
    const pathParameters: Json[] = [];
    if (path.includes('{name}'))
      pathParameters.push({
        uniqueItems: true,
        type: 'string',
        description: `name of the ${kind.kind}`,
        name: 'name',
        in: 'path',
        required: true,
      });
    if (path.includes('{namespace}')) pathParameters.push(sharedRef('namespace'));
    pathParameters.push(sharedRef('pretty'));
    hoistCommonParameters(item, pathParameters);
    item.parameters = sortByName(item.parameters as Json[], shared);
  }
  const definitions: Json = {
    [name]: kindSchema(kind, source, true),
    [listName]: listSchema(kind, source, true),
    ...structuredClone(parts.definitions),
  };
  if (!routes(kind).some((r) => r.sample === 'scale'))
    for (const scale of [SCALE, `${SCALE}Spec`, `${SCALE}Status`]) delete definitions[scale];
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    definitions,
    parameters: Object.fromEntries(
      Object.entries(shared).filter(([key]) => JSON.stringify(paths).includes(`"#/parameters/${key}"`)),
    ),
  };
}

/** kube-openapi's `handler.PruneDefaults`: no `default` in a schema or any schema below it. */
export function pruneDefaults(node: Json): Json {
  delete node.default;
  for (const key of ['items', 'additionalProperties', 'not'])
    if (isObject(node[key])) pruneDefaults(node[key]);
  if (isObject(node.properties))
    for (const child of Object.values(node.properties)) pruneDefaults(child as Json);
  for (const key of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(node[key])) for (const child of node[key] as Json[]) pruneDefaults(child);
  return node;
}
