import { invalid } from '../errors/status.js';
import { addWarning } from '../http/warnings.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { systemClock, type Clock } from '../time/clock.js';
import { kubeTimestamp } from '../store/object-store.js';
import { validateCustomResourceDefinition } from './crd-validation.js';

/** The API group of CustomResourceDefinitions. */
export const APIEXTENSIONS_GROUP = 'apiextensions.k8s.io';

type Json = Record<string, unknown>;
const asObj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

/** Whether a kind is apiextensions.k8s.io's CustomResourceDefinition (by group/resource, whatever the object). */
export function isCustomResourceDefinitionKind(kind: Pick<ResourceKind, 'group' | 'resource'>): boolean {
  return kind.group === APIEXTENSIONS_GROUP && kind.resource === 'customresourcedefinitions';
}

/**
 * The defaults of `apiextensions/v1`'s `SetDefaults_CustomResourceDefinition`: `conversion.strategy: None`,
 * `names.singular` and `names.listKind`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/defaults.go
 */
export function defaultCustomResourceDefinition(crd: KubeObject): void {
  const spec = (crd.spec ??= {}) as Json;
  const conversion = (spec.conversion ??= {}) as Json;
  conversion.strategy ??= 'None';
  const names = (spec.names ??= {}) as Json;
  if (typeof names.kind === 'string') {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
}

/**
 * The status the apiextensions controllers converge on at once (no name conflicts are checked):
 * `acceptedNames`, `NamesAccepted` and `Established` True, and the storage version among `storedVersions`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/controller/establish/establishing_controller.go
 */
export function establishedStatus(crd: KubeObject, now: Date): Json {
  const spec = asObj(crd.spec);
  const names = asObj(spec.names);
  const previous = asObj(crd.status);
  const previousConditions = Array.isArray(previous.conditions) ? previous.conditions.map(asObj) : [];
  const condition = (type: string, reason: string, message: string): Json => {
    const before = previousConditions.find((c) => c.type === type && c.status === 'True');
    return {
      type,
      status: 'True',
      lastTransitionTime: (before?.lastTransitionTime as string | undefined) ?? kubeTimestamp(now),
      reason,
      message,
    };
  };
  const acceptedNames: Json = {};
  for (const key of ['plural', 'singular', 'shortNames', 'kind', 'listKind', 'categories'])
    if (names[key] !== undefined) acceptedNames[key] = names[key];
  const stored = Array.isArray(previous.storedVersions) ? [...(previous.storedVersions as string[])] : [];
  const versions = Array.isArray(spec.versions) ? spec.versions.map(asObj) : [];
  const storage = versions.find((v) => v.storage === true)?.name;
  if (typeof storage === 'string' && !stored.includes(storage)) stored.push(storage);
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames,
    storedVersions: stored,
  };
}

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition, cluster scoped: every write is defaulted, validated
 * (422 as upstream) and given the established status; `clock` stamps the conditions.
 */
export function createCustomResourceDefinitionKind(clock: Clock): ResourceKind {
  return {
    group: APIEXTENSIONS_GROUP,
    version: 'v1',
    kind: 'CustomResourceDefinition',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    namespaced: false,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: [{ name: 'status', kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] }],
    storage: 'stored',
    nameValidation: 'dns1123Subdomain',
    tracksGeneration: true,
    origin: 'built-in',
    normalizeOnWrite(crd) {
      defaultCustomResourceDefinition(crd);
      const errors = validateCustomResourceDefinition(crd);
      if (errors.length > 0)
        throw invalid('CustomResourceDefinition', APIEXTENSIONS_GROUP, crd.metadata?.name ?? '', errors);
      if (asObj(asObj(crd.spec).conversion).strategy === 'Webhook')
        addWarning(
          'fake-apiserver does not call conversion webhooks: each custom resource is served as it was written, with only its apiVersion rewritten to the version asked for',
        );
      crd.status = establishedStatus(crd, clock.now());
    },
  };
}

/** The CustomResourceDefinition kind on the system clock, as `builtInKinds` lists it. */
export const customResourceDefinitionKind: ResourceKind = createCustomResourceDefinitionKind(systemClock);
