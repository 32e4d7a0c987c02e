import { FakeApiServerError } from '../errors/developer-error.js';
import {
  collectManifest,
  collectManifestText,
  loadFixtures,
  type Fixtures,
} from '../fixtures/load-fixtures.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import type { ManifestInput } from './types.js';

function isPathInput(input: ManifestInput): input is { path: string } {
  return (
    typeof input === 'object' &&
    !Array.isArray(input) &&
    typeof (input as { path?: unknown }).path === 'string' &&
    !('apiVersion' in input) &&
    !('kind' in input)
  );
}

/**
 * Reads what `apply` was given into checked documents, as fixtures are read (same checks, same messages):
 * errors are `FakeApiServerError`s naming the document (`manifest, document 2: ...`, `object 3: ...`, or
 * the file). Objects given are copied, never changed. Static users are refused: they are read at start.
 */
export async function readManifests(input: ManifestInput, registry: KindRegistry): Promise<Fixtures> {
  let fixtures: Fixtures = { objects: [], podLogs: [], users: [] };
  if (typeof input === 'string') {
    collectManifestText(input, 'manifest', registry, fixtures);
  } else if (isPathInput(input)) {
    fixtures = await loadFixtures([input.path], registry);
  } else {
    const objects: readonly unknown[] = Array.isArray(input) ? input : [input];
    objects.forEach((object, index) => {
      const where = Array.isArray(input) ? `object ${index + 1}` : 'object';
      if (object === null || typeof object !== 'object') {
        throw new FakeApiServerError('FIXTURE_INVALID', `${where}: a manifest must be a mapping`);
      }
      collectManifest(structuredClone(object), where, registry, fixtures);
    });
  }
  if (fixtures.users.length > 0) {
    throw new FakeApiServerError(
      'FIXTURE_INVALID',
      `User ${JSON.stringify(fixtures.users[0]!.name)}: static users are read at start only`,
      'put it in the fixtures or the users option',
    );
  }
  return fixtures;
}
