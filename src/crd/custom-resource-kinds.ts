import { isDeepStrictEqual } from 'node:util';
import { invalid } from '../errors/status.js';
import { addWarning } from '../http/warnings.js';
import type { KubeObject, ResourceKind, SubresourceDefinition } from '../registry/resource-kind.js';
import {
  applySchemaDefaults,
  hasCelRules,
  pruneUnknownFields,
  validateAgainstSchema,
  type SchemaNode,
} from './structural-schema.js';

type Json = Record<string, unknown>;
const asObj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.length > 0
    ? value.filter((v): v is string => typeof v === 'string')
    : undefined;

/** One of a CRD version's `additionalPrinterColumns`. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const printerColumnsByKind = new WeakMap<ResourceKind, readonly PrinterColumn[]>();

/** The `additionalPrinterColumns` of the CRD version a kind was made from (none for other kinds). */
export function printerColumnsOf(kind: ResourceKind): readonly PrinterColumn[] | undefined {
  return printerColumnsByKind.get(kind);
}

/**
 * Whether anything but metadata (and status, with a status subresource) changed: what bumps a custom
 * resource's generation (`customResourceStrategy.PrepareForUpdate`).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go
 */
function contentChanged(next: KubeObject, current: KubeObject, hasStatus: boolean): boolean {
  const content = (obj: KubeObject): Record<string, unknown> => {
    const { metadata: _metadata, status, ...rest } = obj;
    return hasStatus ? rest : { ...rest, status };
  };
  return !isDeepStrictEqual(content(next), content(current));
}

/**
 * A custom resource's verbs in the order the CRD discovery controller lists them (not sorted, unlike a
 * built-in resource's).
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_discovery_controller.go
 */
const CUSTOM_RESOURCE_VERBS = [
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'create',
  'update',
  'watch',
] as const;

/**
 * The kinds a CustomResourceDefinition serves: one per served version, with its names, scope, schema
 * (pruning, defaults and validation on every write), subresources and printer columns.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go
 */
export function kindsOfCustomResourceDefinition(crd: KubeObject): ResourceKind[] {
  const spec = asObj(crd.spec);
  const names = asObj(spec.names);
  const group = String(spec.group ?? '');
  const kindName = String(names.kind ?? '');
  const versions = Array.isArray(spec.versions) ? spec.versions.map(asObj) : [];
  return versions
    .filter((version) => version.served === true)
    .map((version) => {
      const schema = asObj(asObj(version.schema).openAPIV3Schema) as SchemaNode;
      const celRules = hasCelRules(schema);
      const subresources = asObj(version.subresources);
      const scale = subresources.scale === undefined ? undefined : asObj(subresources.scale);
      const served: SubresourceDefinition[] = [];
      if (subresources.status !== undefined)
        served.push({ name: 'status', kind: kindName, verbs: ['get', 'patch', 'update'] });
      if (scale)
        served.push({
          name: 'scale',
          kind: 'Scale',
          group: 'autoscaling',
          version: 'v1',
          verbs: ['get', 'patch', 'update'],
        });
      const shortNames = strings(names.shortNames);
      const categories = strings(names.categories);
      const kind: ResourceKind = {
        group,
        version: String(version.name),
        kind: kindName,
        resource: String(names.plural ?? ''),
        singular: String(names.singular ?? kindName.toLowerCase()),
        namespaced: spec.scope !== 'Cluster',
        verbs: CUSTOM_RESOURCE_VERBS,
        ...(shortNames ? { shortNames } : {}),
        ...(categories ? { categories } : {}),
        ...(served.length > 0 ? { subresources: served } : {}),
        storage: 'stored',
        nameValidation: 'dns1123Subdomain',
        tracksGeneration: true,
        generationChanged: (next, current) =>
          contentChanged(next, current, subresources.status !== undefined),
        openApiSchema: schema,
        customResource: {
          listKind: String(names.listKind ?? `${kindName}List`),
          selectableFields: Array.isArray(version.selectableFields)
            ? version.selectableFields.map((field) => String(asObj(field).jsonPath ?? ''))
            : [],
          preserveUnknownFields: spec.preserveUnknownFields === true,
          storageVersion: String(versions.find((v) => v.storage === true)?.name ?? version.name),
        },
        origin: 'crd',
        ...(scale
          ? {
              scale: {
                specReplicasPath: String(scale.specReplicasPath ?? ''),
                statusReplicasPath: String(scale.statusReplicasPath ?? ''),
                ...(typeof scale.labelSelectorPath === 'string'
                  ? { labelSelectorPath: scale.labelSelectorPath }
                  : {}),
              },
            }
          : {}),
        normalizeOnWrite: (obj, current) => {
          // With a status subresource, writes to the main resource leave status as it is.
          if (current && subresources.status !== undefined) {
            if (current.status === undefined) delete obj.status;
            else obj.status = structuredClone(current.status);
          }
          admitCustomResource(obj, schema, kindName, group);
          if (celRules)
            addWarning(
              `fake-apiserver does not evaluate x-kubernetes-validations (CEL) rules: the rules of ${kindName}.${group} were not checked`,
            );
        },
      };
      const columns = Array.isArray(version.additionalPrinterColumns)
        ? (version.additionalPrinterColumns.map(asObj) as unknown as PrinterColumn[])
        : [];
      printerColumnsByKind.set(kind, columns);
      return kind;
    });
}

/**
 * What the custom resource handler does with a written object: prune unknown fields, apply schema
 * defaults, validate (422 with upstream's causes).
 */
export function admitCustomResource(obj: KubeObject, schema: SchemaNode, kind: string, group: string): void {
  pruneUnknownFields(obj, schema);
  applySchemaDefaults(obj, schema);
  const errors = validateAgainstSchema(obj, schema);
  if (errors.length > 0) throw invalid(kind, group, obj.metadata?.name ?? '', errors);
}
