import { describe, expect, it } from 'vitest';
import { defaultCustomResourceDefinition, establishedStatus } from './crd-kind.js';
import { validateCustomResourceDefinition } from './crd-validation.js';
import type { KubeObject } from '../registry/resource-kind.js';

const valid = () => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
  },
});

describe('validateCustomResourceDefinition', () => {
  it('accepts a valid CRD', () => {
    expect(validateCustomResourceDefinition(valid())).toEqual([]);
  });

  it('names the usual mistakes as upstream does', () => {
    const crd = valid();
    crd.spec.group = 'example';
    crd.spec.versions.push({
      name: 'v2',
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: 'object' } },
    });
    crd.spec.versions[0]!.schema = {
      openAPIV3Schema: { type: 'object', properties: { spec: {} } } as never,
    };
    expect(validateCustomResourceDefinition(crd).map((e) => `${e.field}: ${e.detail}`)).toEqual([
      'metadata.name: Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group',
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version',
    ]);
  });

  it('requires names, scope and a schema per version', () => {
    const crd = {
      ...valid(),
      metadata: { name: '.example.com' },
      spec: { group: 'example.com', names: {}, versions: [{ name: 'v1', served: true, storage: true }] },
    };
    expect(validateCustomResourceDefinition(crd).map((e) => `${e.field}: ${e.detail}`)).toEqual([
      'spec.scope: Required value',
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
      'spec.names.plural: Required value',
      'spec.names.kind: Required value',
    ]);
  });
});

describe('CRD defaults and status', () => {
  it('defaults conversion, singular and listKind, and establishes the names', () => {
    const crd: KubeObject = valid();
    defaultCustomResourceDefinition(crd);
    const spec = crd.spec as Record<string, unknown>;
    expect(spec.conversion).toEqual({ strategy: 'None' });
    expect(spec.names).toEqual({
      plural: 'widgets',
      kind: 'Widget',
      singular: 'widget',
      listKind: 'WidgetList',
    });
    const status = establishedStatus(crd, new Date('2026-01-01T00:00:00Z'));
    expect(status).toEqual({
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          reason: 'NoConflicts',
          message: 'no conflicts found',
        },
        {
          type: 'Established',
          status: 'True',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
        },
      ],
      acceptedNames: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      storedVersions: ['v1'],
    });
    crd.status = status;
    spec.versions = [{ name: 'v2', served: true, storage: true }];
    const later = establishedStatus(crd, new Date('2026-02-01T00:00:00Z'));
    expect(later.storedVersions).toEqual(['v1', 'v2']);
    expect((later.conditions as { lastTransitionTime: string }[])[0]!.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
  });
});
