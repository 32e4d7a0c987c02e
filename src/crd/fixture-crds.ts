import { apiVersionOf, type ResourceKind } from '../registry/resource-kind.js';
import { isCustomResourceDefinitionKind } from './crd-kind.js';
import { kindsOfCustomResourceDefinition } from './custom-resource-kinds.js';

/**
 * The kind of a custom resource defined by a CustomResourceDefinition earlier in the same fixture set
 * (or manifest), which the registry does not serve yet: the CRD is created first, then its objects.
 */
export function kindFromFixtureCrds(
  fixtures: { objects: readonly { kind: ResourceKind; object: Record<string, unknown> }[] },
  apiVersion: string,
  kind: string,
): ResourceKind | undefined {
  for (const { kind: fixtureKind, object } of fixtures.objects) {
    if (!isCustomResourceDefinitionKind(fixtureKind)) continue;
    const found = kindsOfCustomResourceDefinition(object).find(
      (k) => apiVersionOf(k) === apiVersion && k.kind === kind,
    );
    if (found) return found;
  }
  return undefined;
}

const DEFINES_CRD =
  /^\s*kind:\s*["']?CustomResourceDefinition["']?\s*$|"kind"\s*:\s*"CustomResourceDefinition"/m;

/** Fixture files in their order, those that define a CustomResourceDefinition moved before the rest. */
export function crdFilesFirst<T extends { text: string }>(files: readonly T[]): T[] {
  const defining = files.filter((file) => DEFINES_CRD.test(file.text));
  return [...defining, ...files.filter((file) => !defining.includes(file))];
}
