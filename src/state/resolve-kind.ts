import { FakeApiServerError } from '../errors/developer-error.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import { apiVersionOf, type ResourceKind } from '../registry/resource-kind.js';
import type { KindReference } from './types.js';

function names(kind: ResourceKind): string[] {
  return [kind.kind, kind.resource, kind.singular, ...(kind.shortNames ?? [])].map((n) => n.toLowerCase());
}

/**
 * The stored kind a reference names, by kind, resource, singular or short name (case-insensitive), as
 * kubectl resolves `get pods` or `get Pod`; a `FakeApiServerError` when none or several match.
 */
export function resolveKind(registry: KindRegistry, reference: KindReference): ResourceKind {
  const wanted = reference.kind.toLowerCase();
  const stored = registry.all().filter((kind) => kind.storage === 'stored');
  const matches = stored.filter(
    (kind) =>
      names(kind).includes(wanted) &&
      (reference.apiVersion === undefined || apiVersionOf(kind) === reference.apiVersion),
  );
  const described = `${JSON.stringify(reference.kind)}${reference.apiVersion ? ` in ${reference.apiVersion}` : ''}`;
  if (matches.length === 0) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `no served kind is named ${described}`,
      `served kinds: ${stored.map((kind) => `${apiVersionOf(kind)} ${kind.kind}`).join(', ')}`,
    );
  }
  // One resource served in several versions (autoscaling/v1 and v2 HPAs, core and events.k8s.io events) is
  // named by the version it is stored in.
  const storedVersions = matches.filter((kind) => !kind.conversion);
  if (matches.length > 1 && storedVersions.length === 1) return storedVersions[0]!;
  if (matches.length > 1) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${described} names several kinds: ${matches.map((kind) => `${apiVersionOf(kind)} ${kind.kind}`).join(', ')}`,
      'add apiVersion to pick one',
    );
  }
  return matches[0]!;
}

/**
 * The namespace an object of `kind` lives in: `namespace`, `default` when a namespaced kind is given none;
 * a `FakeApiServerError` for a namespace on a cluster-scoped kind.
 */
export function namespaceFor(kind: ResourceKind, namespace: string | undefined): string {
  if (kind.namespaced) return namespace || 'default';
  if (namespace) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${kind.kind} is cluster-scoped: it has no namespace (${JSON.stringify(namespace)} given)`,
      'leave namespace out',
    );
  }
  return '';
}
