import { describe, expect, it } from 'vitest';
import { createStatusRule } from '../api/create-status-reset.js';
import { goPatchSchema } from '../api/patch-schemas/go-patch-schema.js';
import { hasKindPrinter } from '../api/table.js';
import { goTypeOf } from '../decode/typed-decode.js';
import { GENERATED_ROOT_KINDS } from '../http/protobuf-schemas.generated.js';
import { builtInKinds } from './built-in-kinds.js';
import { apiVersionOf, type ResourceKind } from './resource-kind.js';

/**
 * Every built-in kind against every facet a kind has, as kube-apiserver binds them per resource in
 * pkg/registry/<group>/<kind>: a facet a kind lacks must be stated here, with the reason, or the test fails.
 */

const name = (kind: ResourceKind) => `${apiVersionOf(kind)} ${kind.kind}`;
const stored = builtInKinds.filter((kind) => kind.storage === 'stored');

/** Kinds kube-apiserver prints with the default Name/Created At columns (or with columns that are those). */
const DEFAULT_COLUMNS = new Set([
  'rbac.authorization.k8s.io/v1 Role',
  'rbac.authorization.k8s.io/v1 ClusterRole',
  'apiextensions.k8s.io/v1 CustomResourceDefinition',
]);

/** Kinds whose protobuf encoding is not decoded: clients send them as JSON (CRDs go through dynamic clients). */
const NO_PROTOBUF = new Set(['apiextensions.k8s.io/v1 CustomResourceDefinition']);

describe('every built-in kind has every facet, or says why not', () => {
  it.each(builtInKinds.map((kind) => [name(kind), kind] as const))('%s: discovery data', (_name, kind) => {
    expect(kind.resource).toMatch(/^[a-z0-9.]+$/);
    expect(kind.verbs.length).toBeGreaterThan(0);
    expect(kind.storage === 'review' || kind.singular.length > 0).toBe(true);
  });

  it.each(builtInKinds.map((kind) => [name(kind), kind] as const))(
    '%s: decoded into its Go type',
    (_name, kind) => {
      expect(goTypeOf(apiVersionOf(kind), kind.kind)).toBeTypeOf('number');
    },
  );

  it.each(stored.map((kind) => [name(kind), kind] as const))(
    '%s: a strategic merge patch schema',
    (_name, kind) => {
      expect(goPatchSchema(apiVersionOf(kind), kind.kind)?.fields?.metadata).toBeDefined();
    },
  );

  it.each(stored.map((kind) => [name(kind), kind] as const))('%s: protobuf bodies', (_name, kind) => {
    expect(NO_PROTOBUF.has(name(kind)) || GENERATED_ROOT_KINDS[name(kind)] !== undefined).toBe(true);
  });

  it.each(stored.map((kind) => [name(kind), kind] as const))('%s: a Table printer', (_name, kind) => {
    expect(hasKindPrinter(kind.kind) !== DEFAULT_COLUMNS.has(name(kind))).toBe(true);
  });

  it.each(stored.map((kind) => [name(kind), kind] as const))('%s: status on create', (_name, kind) => {
    // A built-in kind with a status subresource resets (or keeps) it as its strategy does; dropping is a CR's.
    expect(createStatusRule(kind)).not.toBe('drop');
  });
});
