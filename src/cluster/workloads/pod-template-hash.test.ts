import { describe, expect, it } from 'vitest';
import { computeHash, controllerRevisionHash, revisionPatch } from './pod-template-hash.js';
import { POD_TEMPLATE_HASH_VECTORS, REVISION_HASH_VECTORS } from './pod-template-spew.generated.js';

describe('computeHash, as the deployment controller names ReplicaSets', () => {
  it.each(POD_TEMPLATE_HASH_VECTORS)('%s with collisionCount %s is %s', (template, collisionCount, hash) => {
    expect(computeHash(JSON.parse(template), collisionCount)).toBe(hash);
  });
});

describe('the ControllerRevision patch and hash, as the StatefulSet controller makes them', () => {
  it.each(REVISION_HASH_VECTORS)('%s', (template, patch, hash, hashWithProbe) => {
    const made = revisionPatch(JSON.parse(template));
    expect(made).toBe(patch);
    expect(controllerRevisionHash(made)).toBe(hash);
    expect(controllerRevisionHash(made, 2)).toBe(hashWithProbe);
  });
});
