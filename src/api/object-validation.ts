import { badRequest, invalid, type FieldError } from '../errors/status.js';
import {
  apiVersionOf,
  type KubeObject,
  type NameValidation,
  type ResourceKind,
} from '../registry/resource-kind.js';
import { typeMetaError } from '../decode/typed-decode.js';
import { decodeObjectAsGo } from './typed-body.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The messages of `apimachinery/pkg/util/validation` for a name, empty when valid.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go
 */
export function validateName(name: string, rule: NameValidation): string[] {
  switch (rule) {
    case 'dns1123Label': {
      const errors: string[] = [];
      if (name.length > 63) errors.push('must be no more than 63 characters');
      if (!DNS1123_LABEL.test(name)) {
        errors.push(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        );
      }
      return errors;
    }
    case 'dns1035Label': {
      const errors: string[] = [];
      if (name.length > 63) errors.push('must be no more than 63 characters');
      if (!DNS1035_LABEL.test(name)) {
        errors.push(
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        );
      }
      return errors;
    }
    case 'dns1123Subdomain': {
      const errors: string[] = [];
      if (name.length > 253) errors.push('must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(name)) {
        errors.push(
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        );
      }
      return errors;
    }
    case 'pathSegment':
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      if (name.includes('/')) return ["may not contain '/'"];
      if (name.includes('%')) return ["may not contain '%'"];
      return [];
  }
}

/**
 * 400 for an object name in the URL that cannot be a storage key, as the registry's key functions
 * (`NamespaceKeyFunc`, `NoNamespaceKeyFunc`) refuse it with `path.IsValidPathSegmentName`: `.`, `..`, or
 * containing `/` or `%` (which reach the name once the path is decoded, from `%2e%2e` or `%25`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 */
export function checkUrlObjectName(name: string): void {
  const messages =
    name === '.' || name === '..'
      ? [`may not be '${name}'`]
      : ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
  if (messages.length > 0) {
    throw badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${messages.join(';')}`);
  }
}

/**
 * The versions kube-apiserver's scheme registers for the groups this server serves (the scheme holds
 * versions it no longer serves): a body in one of them decodes and converts, one in any other does not.
 */
const SCHEME_VERSIONS: Record<string, readonly string[]> = {
  '': ['v1'],
  'rbac.authorization.k8s.io': ['v1', 'v1beta1', 'v1alpha1'],
  'coordination.k8s.io': ['v1', 'v1beta1', 'v1alpha2'],
  'authentication.k8s.io': ['v1', 'v1beta1', 'v1alpha1'],
  'authorization.k8s.io': ['v1', 'v1beta1'],
  apps: ['v1', 'v1beta2', 'v1beta1'],
  autoscaling: ['v1', 'v2', 'v2beta2', 'v2beta1'],
};

/** Where kube-apiserver's scheme was made, as its "not registered" errors name it. */
const LEGACY_SCHEME = 'pkg/api/legacyscheme/scheme.go:30';

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The type check of the REST handlers: a body may leave out `apiVersion` and `kind` (they default from the
 * URL), but when given they must be the endpoint's, else 400 with the message of the step that fails
 * upstream. Decoding fails first for a version the scheme lacks (`no kind ... is registered`) and for
 * another kind (the conversion into the endpoint's type fails), both wrapped by `transformDecodeError`;
 * a body in another registered version of the same kind decodes, and the handler then refuses its version.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go
 */
export function checkTypeMeta(obj: KubeObject, apiVersion: string, kind: string): void {
  const metaError = typeMetaError(obj as Record<string, unknown>);
  if (metaError) throw badRequest(metaError);
  const dataApiVersion = obj.apiVersion || apiVersion;
  const dataKind = obj.kind || kind;
  if (dataApiVersion === apiVersion && dataKind === kind) return;
  const expected = splitApiVersion(apiVersion);
  const data = splitApiVersion(dataApiVersion);
  const cannotBeHandled = (cause: string) =>
    badRequest(
      `${dataKind} in version ${JSON.stringify(data.version)} cannot be handled as a ${kind}: ${cause}`,
    );
  if (!(SCHEME_VERSIONS[data.group] ?? []).includes(data.version)) {
    throw cannotBeHandled(
      `no kind ${JSON.stringify(dataKind)} is registered for version ${JSON.stringify(dataApiVersion)} in scheme ${JSON.stringify(LEGACY_SCHEME)}`,
    );
  }
  if (dataKind !== kind || data.group !== expected.group) {
    const internalPackage = expected.group ? expected.group.split('.')[0]! : 'core';
    throw cannotBeHandled(
      `converting (${data.version}.${dataKind}) to (${internalPackage}.${kind}): unknown conversion`,
    );
  }
  throw badRequest(
    `the API version in the data (${dataApiVersion}) does not match the expected API version (${apiVersion})`,
  );
}

/**
 * Checks an incoming object against its endpoint as the REST handlers and `ValidateObjectMeta` do:
 * apiVersion/kind (defaulted from the URL when absent, 400 when different), namespace (defaulted, 400
 * when different), and name (required, valid for the kind: 422 Invalid).
 */
export function admitObject(
  kind: ResourceKind,
  obj: KubeObject,
  urlNamespace: string,
  urlName?: string,
): KubeObject {
  const expectedApiVersion = apiVersionOf(kind);
  checkTypeMeta(obj, expectedApiVersion, kind.kind);
  obj.apiVersion = expectedApiVersion;
  obj.kind = kind.kind;
  decodeObjectAsGo(kind, obj);
  if (obj.metadata === null || obj.metadata === undefined) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw badRequest('metadata must be an object');
  }
  const metadata = obj.metadata;
  if (kind.namespaced) {
    if (metadata.namespace && metadata.namespace !== urlNamespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    metadata.namespace = urlNamespace;
  } else {
    delete metadata.namespace;
  }
  if (urlName !== undefined && metadata.name && metadata.name !== urlName) {
    throw badRequest(
      `the name of the object (${metadata.name}) does not match the name on the URL (${urlName})`,
    );
  }
  if (urlName !== undefined && !metadata.name) metadata.name = urlName;
  return obj;
}

/** 422 for a missing or invalid `metadata.name`; generateName must be resolved before. */
export function validateObjectName(kind: ResourceKind, obj: KubeObject): void {
  const name = obj.metadata?.name ?? '';
  const errors: FieldError[] = [];
  if (!name) {
    errors.push({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      detail: 'Required value: name or generateName is required',
    });
  } else {
    for (const message of validateName(name, kind.nameValidation ?? 'dns1123Subdomain')) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'metadata.name',
        detail: `Invalid value: "${name}": ${message}`,
      });
    }
  }
  if (errors.length > 0) throw invalid(kind.kind, kind.group, name, errors);
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `names.SimpleNameGenerator.GenerateName`: the base truncated to 58 characters, plus 5 random ones. */
export function generateNameFrom(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return `${base.slice(0, 58)}${suffix}`;
}

/** Resolves `generateName` as `names.SimpleNameGenerator`: base truncated to 58 characters plus 5 random ones. */
export function resolveGenerateName(obj: KubeObject): void {
  const metadata = obj.metadata!;
  if (metadata.name || !metadata.generateName) return;
  metadata.name = generateNameFrom(metadata.generateName);
}
