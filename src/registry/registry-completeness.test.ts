import { describe, expect, it } from 'vitest';
import { definitionOf } from '../api/kind-definition.js';
import { builtInKinds } from './built-in-kinds.js';
import { apiVersionOf, type ResourceKind } from './resource-kind.js';

/**
 * Every built-in kind against every facet its definition binds (`src/api/kind-definition.ts`), as kube-apiserver
 * binds them per resource in pkg/registry/<group>/<kind>: a facet a kind lacks must be stated here, with the
 * reason, or the test fails.
 */

const name = (kind: ResourceKind) => `${apiVersionOf(kind)} ${kind.kind}`;
const stored = builtInKinds.filter((kind) => kind.storage === 'stored');

/** Kinds kube-apiserver prints with the default Name/Created At columns (or with columns that are those). */
const DEFAULT_COLUMNS = new Set([
  'rbac.authorization.k8s.io/v1 Role',
  'rbac.authorization.k8s.io/v1 ClusterRole',
  'apiextensions.k8s.io/v1 CustomResourceDefinition',
]);

/**
 * Kinds whose protobuf encoding is not decoded: clients send them as JSON (CRDs go through dynamic clients;
 * kubectl writes APIServices as JSON, and kube-aggregator's own generated.proto is not among the generator's
 * sources, k8s.io/api and k8s.io/apimachinery).
 */
const NO_PROTOBUF = new Set([
  'apiextensions.k8s.io/v1 CustomResourceDefinition',
  'apiregistration.k8s.io/v1 APIService',
]);

describe('every built-in kind has every facet, or says why not', () => {
  it.each(builtInKinds.map((kind) => [name(kind), kind] as const))('%s: discovery data', (_name, kind) => {
    expect(definitionOf(kind).resource).toBe(kind);
    expect(kind.resource).toMatch(/^[a-z0-9.]+$/);
    expect(kind.verbs.length).toBeGreaterThan(0);
    expect(kind.storage === 'review' || kind.singular.length > 0).toBe(true);
  });

  it.each(builtInKinds.map((kind) => [name(kind), kind] as const))(
    '%s: decoded into its Go type',
    (_name, kind) => {
      expect(definitionOf(kind).goType).toBeTypeOf('number');
    },
  );

  it.each(stored.map((kind) => [name(kind), kind] as const))(
    '%s: a strategic merge patch schema',
    (_name, kind) => {
      const schema = definitionOf(kind).patchSchema;
      expect(typeof schema === 'object' && schema.fields?.metadata).toBeTruthy();
    },
  );

  it.each(stored.map((kind) => [name(kind), kind] as const))('%s: protobuf bodies', (_name, kind) => {
    const protobuf = definitionOf(kind).protobuf;
    if (NO_PROTOBUF.has(name(kind))) expect(protobuf).toBe('JSON only (as for custom resources)');
    else expect(protobuf).toMatch(/^k8s\.io\./);
  });

  it.each(stored.map((kind) => [name(kind), kind] as const))('%s: a Table printer', (_name, kind) => {
    const printer = definitionOf(kind).printer;
    expect(typeof printer === 'string').toBe(DEFAULT_COLUMNS.has(name(kind)));
  });

  it.each(stored.map((kind) => [name(kind), kind] as const))('%s: status on create', (_name, kind) => {
    // A built-in kind with a status subresource resets (or keeps) it as its strategy does; dropping is a CR's.
    const { statusOnCreate, statusSubresource } = definitionOf(kind).strategy;
    expect(statusOnCreate).not.toBe('drop');
    expect(statusOnCreate === 'none').toBe(!statusSubresource);
  });
});
