import type { FieldError } from '../errors/status.js';
import { validateName } from '../api/object-validation.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { SchemaNode } from './structural-schema.js';
import { requiredField } from '../errors/field-errors.js';

type Json = Record<string, unknown>;
const asObj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

const invalidValue = (field: string, value: string, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  detail: `Invalid value: ${value}: ${detail}`,
});
/** How `field.Invalid` prints the versions slice; upstream prints every field with `%#v`. */
const VERSIONS_VALUE = '[]apiextensions.CustomResourceDefinitionVersion{...}';

/**
 * The mistakes users make in a CustomResourceDefinition, with the messages of `ValidateCustomResourceDefinition`:
 * the name, group, names, scope, the storage version and a structural schema per version.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go
 */
export function validateCustomResourceDefinition(crd: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = asObj(crd.spec);
  const names = asObj(spec.names);
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = typeof names.plural === 'string' ? names.plural : '';
  const name = crd.metadata?.name ?? '';
  if (name !== `${plural}.${group}`)
    errors.push(
      invalidValue('metadata.name', JSON.stringify(name), 'must be spec.names.plural+"."+spec.group'),
    );
  if (!group) errors.push(requiredField('spec.group'));
  else if (!group.includes('.'))
    errors.push(
      invalidValue('spec.group', JSON.stringify(group), 'should be a domain with at least one dot'),
    );
  else
    for (const message of validateName(group, 'dns1123Subdomain'))
      errors.push(invalidValue('spec.group', JSON.stringify(group), message));

  const scope = spec.scope;
  if (scope === undefined || scope === '') errors.push(requiredField('spec.scope'));
  else if (scope !== 'Namespaced' && scope !== 'Cluster')
    errors.push({
      type: 'FieldValueNotSupported',
      field: 'spec.scope',
      detail: `Unsupported value: ${JSON.stringify(scope)}: supported values: "Cluster", "Namespaced"`,
    });

  const versions = Array.isArray(spec.versions) ? spec.versions.map(asObj) : [];
  if (versions.length === 0) errors.push(requiredField('spec.versions'));
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((version, index) => {
    const path = `spec.versions[${index}]`;
    const versionName = typeof version.name === 'string' ? version.name : '';
    if (!versionName) errors.push(requiredField(`${path}.name`));
    if (seen.has(versionName)) unique = false;
    seen.add(versionName);
    const schema = asObj(version.schema).openAPIV3Schema;
    if (schema === undefined)
      errors.push(requiredField(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
    else errors.push(...structuralErrors(schema as SchemaNode, `${path}.schema.openAPIV3Schema`, true));
  });
  if (!unique)
    errors.push(invalidValue('spec.versions', VERSIONS_VALUE, 'must contain unique version names'));
  if (versions.length > 0 && versions.filter((v) => v.storage === true).length !== 1)
    errors.push(
      invalidValue(
        'spec.versions',
        VERSIONS_VALUE,
        'must have exactly one version marked as storage version',
      ),
    );

  if (!plural) errors.push(requiredField('spec.names.plural'));
  else
    for (const message of validateName(plural, 'dns1123Label'))
      errors.push(invalidValue('spec.names.plural', JSON.stringify(plural), message));
  if (typeof names.kind !== 'string' || !names.kind) errors.push(requiredField('spec.names.kind'));
  const strategy = asObj(spec.conversion).strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook')
    errors.push({
      type: 'FieldValueNotSupported',
      field: 'spec.conversion.strategy',
      detail: `Unsupported value: ${JSON.stringify(strategy)}: supported values: "None", "Webhook"`,
    });
  return errors;
}

/** The structural-schema rules users trip on: a `type` everywhere, `object` at the root. */
function structuralErrors(schema: SchemaNode, path: string, root: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const untyped =
    !schema.type && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields'];
  if (root) {
    if (!schema.type) errors.push(requiredField(`${path}.type`, 'must not be empty at the root'));
    else if (schema.type !== 'object')
      errors.push(invalidValue(`${path}.type`, JSON.stringify(schema.type), 'must be object at the root'));
  } else if (untyped) {
    errors.push(requiredField(`${path}.type`, 'must not be empty for specified object fields'));
  }
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    errors.push(...structuralErrors(child, `${path}.properties[${key}]`, false));
  if (schema.items && typeof schema.items === 'object')
    errors.push(...structuralErrors(schema.items, `${path}.items`, false));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    errors.push(...structuralErrors(schema.additionalProperties, `${path}.additionalProperties`, false));
  return errors;
}
