import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtInKinds } from '../registry/built-in-kinds.js';
import { KindRegistry } from '../registry/kind-registry.js';
import {
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_DEPRECATED,
  negotiateOpenApiV2,
  openApiV2Document,
  openApiV2Protobuf,
} from './openapi-v2.js';

/** A decoded message: field number to its occurrences, varints as numbers, length-delimited as bytes. */
type Message = Map<number, (number | Buffer)[]>;

function decode(data: Buffer): Message {
  const fields: Message = new Map();
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = data[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (pos < data.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    let value: number | Buffer;
    if (tag % 8 === 0) value = varint();
    else if (tag % 8 === 2) {
      const length = varint();
      if (pos + length > data.length) throw new Error('truncated field');
      value = data.subarray(pos, pos + length);
      pos += length;
    } else throw new Error(`unexpected wire type ${tag % 8}`);
    fields.set(number, [...(fields.get(number) ?? []), value]);
  }
  return fields;
}

function bytesAt(message: Message, number: number): Buffer[] {
  return (message.get(number) ?? []).map((v) => {
    if (!Buffer.isBuffer(v)) throw new Error(`field ${number} is not length-delimited`);
    return v;
  });
}
/** The sub-message at a field path, as gogo's `GetX().GetY()` chains read it (empty when absent). */
function at(message: Message, ...numbers: number[]): Message {
  return numbers.reduce((m, n) => decode(bytesAt(m, n)[0] ?? Buffer.alloc(0)), message);
}
function text(message: Message, number: number): string {
  return bytesAt(message, number)[0]?.toString('utf8') ?? '';
}

/** `doc.GetPaths().GetPath()`: each NamedPathItem's name and PathItem. */
function pathsOf(document: Message): Map<string, Message> {
  return new Map(
    bytesAt(at(document, 8), 2).map((item) => {
      const named = decode(item);
      return [text(named, 1), at(named, 2)] as const;
    }),
  );
}

const registry = new KindRegistry(builtInKinds);
const document = decode(openApiV2Protobuf(registry));
const paths = pathsOf(document);

/** What `hasGVKExtension` and `supportsQueryParam` read from one PathItem's PATCH operation. */
function patchOperation(pathItem: Message) {
  const operation = at(pathItem, 8);
  const extensions = bytesAt(operation, 13).map((e) => {
    const named = decode(e);
    return { name: text(named, 1), yaml: text(at(named, 2), 2) };
  });
  const queryParameters = bytesAt(operation, 8).map((p) => at(decode(p), 1, 2, 3));
  return { extensions, queryParameters };
}

describe('openApiV2Protobuf', () => {
  it('is a swagger 2.0 Document with the Kubernetes info', () => {
    expect(text(document, 1)).toBe('2.0');
    expect(text(at(document, 2), 1)).toBe('Kubernetes');
    expect(text(at(document, 2), 2)).toBe('v1.33.1');
  });

  it('has one PATCH path per stored kind, namespaced or cluster-scoped, core or grouped', () => {
    expect([...paths.keys()].sort()).toEqual(
      [
        '/api/v1/namespaces/{namespace}/configmaps/{name}',
        '/api/v1/namespaces/{namespace}/pods/{name}',
        '/api/v1/namespaces/{namespace}/serviceaccounts/{name}',
        '/api/v1/namespaces/{namespace}/secrets/{name}',
        '/api/v1/namespaces/{name}',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}',
        '/apis/apps/v1/namespaces/{namespace}/controllerrevisions/{name}',
        '/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}',
        '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
        '/apis/apps/v1/namespaces/{namespace}/replicasets/{name}',
        '/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}',
        '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}',
        '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{name}',
        '/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}',
        '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings/{name}',
        '/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}',
        // The kinds of src/registry/kinds/.
        '/api/v1/namespaces/{namespace}/endpoints/{name}',
        '/api/v1/namespaces/{namespace}/events/{name}',
        '/api/v1/namespaces/{namespace}/limitranges/{name}',
        '/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}',
        '/api/v1/namespaces/{namespace}/replicationcontrollers/{name}',
        '/api/v1/namespaces/{namespace}/resourcequotas/{name}',
        '/api/v1/namespaces/{namespace}/services/{name}',
        '/api/v1/nodes/{name}',
        '/api/v1/persistentvolumes/{name}',
        '/apis/autoscaling/v1/namespaces/{namespace}/horizontalpodautoscalers/{name}',
        '/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/{name}',
        '/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}',
        '/apis/batch/v1/namespaces/{namespace}/jobs/{name}',
        '/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices/{name}',
        '/apis/events.k8s.io/v1/namespaces/{namespace}/events/{name}',
        '/apis/networking.k8s.io/v1/ingressclasses/{name}',
        '/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}',
        '/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}',
        '/apis/policy/v1/namespaces/{namespace}/poddisruptionbudgets/{name}',
        '/apis/scheduling.k8s.io/v1/priorityclasses/{name}',
        '/apis/storage.k8s.io/v1/csidrivers/{name}',
        '/apis/storage.k8s.io/v1/csinodes/{name}',
        '/apis/storage.k8s.io/v1/storageclasses/{name}',
        '/apis/storage.k8s.io/v1/volumeattachments/{name}',
      ].sort(),
    );
  });

  it('tags each PATCH with x-kubernetes-group-version-kind as the YAML kubectl unmarshals', () => {
    const pod = patchOperation(paths.get('/api/v1/namespaces/{namespace}/pods/{name}')!);
    expect(pod.extensions).toEqual([
      { name: 'x-kubernetes-group-version-kind', yaml: 'group: ""\nkind: Pod\nversion: v1\n' },
    ]);
    const gvks = [...paths.values()].map(
      (item) => parse(patchOperation(item).extensions[0]!.yaml) as unknown,
    );
    expect(gvks).toEqual(
      expect.arrayContaining([
        { group: '', kind: 'Namespace', version: 'v1' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding', version: 'v1' },
      ]),
    );
    const rbac = patchOperation(
      paths.get('/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}')!,
    );
    expect(rbac.extensions[0]!.yaml).toBe('group: rbac.authorization.k8s.io\nkind: Role\nversion: v1\n');
  });

  it('declares fieldValidation as a non-body query parameter of every PATCH', () => {
    for (const [path, pathItem] of paths) {
      const [parameter, ...others] = patchOperation(pathItem).queryParameters;
      expect(others, path).toEqual([]);
      expect(text(parameter!, 4), path).toBe('fieldValidation');
      expect(text(parameter!, 2), path).toBe('query');
      expect(text(parameter!, 6), path).toBe('string');
    }
  });

  it('says the same as the JSON document', () => {
    const json = openApiV2Document(registry) as {
      swagger: string;
      paths: Record<string, { patch: Record<string, unknown> & { parameters: Record<string, unknown>[] } }>;
    };
    expect(json.swagger).toBe('2.0');
    expect(Object.keys(json.paths)).toEqual([...paths.keys()]);
    for (const [path, { patch }] of Object.entries(json.paths)) {
      const operation = patchOperation(paths.get(path)!);
      expect(parse(operation.extensions[0]!.yaml)).toEqual(patch['x-kubernetes-group-version-kind']);
      const parameter = operation.queryParameters[0]!;
      expect(patch.parameters).toEqual([
        {
          name: text(parameter, 4),
          in: text(parameter, 2),
          type: text(parameter, 6),
          description: text(parameter, 3),
          uniqueItems: parameter.get(20)?.[0] === 1,
        },
      ]);
    }
  });

  it('quotes YAML 1.1 booleans, which kubectl would otherwise fail to read as strings', () => {
    const odd = new KindRegistry([
      { ...builtInKinds[0]!, group: 'example.com', kind: 'Yes', resource: 'yeses' },
    ]);
    const [pathItem] = pathsOf(decode(openApiV2Protobuf(odd))).values();
    expect(patchOperation(pathItem!).extensions[0]!.yaml).toBe(
      'group: example.com\nkind: "Yes"\nversion: v1\n',
    );
  });
});

describe('negotiateOpenApiV2', () => {
  it.each([
    [OPENAPI_V2_PROTOBUF_DEPRECATED, OPENAPI_V2_PROTOBUF],
    [OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF],
    ['application/json', 'application/json'],
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['*/*', 'application/json'],
    ['application/json, */*', 'application/json'],
    [`*/*, ${OPENAPI_V2_PROTOBUF_DEPRECATED}`, OPENAPI_V2_PROTOBUF],
    [`application/json;q=0.5, ${OPENAPI_V2_PROTOBUF_DEPRECATED}`, OPENAPI_V2_PROTOBUF],
    ['text/html', undefined],
    ['application/vnd.kubernetes.protobuf', undefined],
  ])('Accept %j answers %j', (accept, expected) => {
    expect(negotiateOpenApiV2(accept)).toBe(expected);
  });
});
