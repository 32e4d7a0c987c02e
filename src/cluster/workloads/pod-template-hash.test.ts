import { describe, expect, it } from 'vitest';
import { computeHash } from './pod-template-hash.js';
import { POD_TEMPLATE_HASH_VECTORS } from './pod-template-spew.generated.js';

describe('computeHash, as the deployment controller names ReplicaSets', () => {
  it.each(POD_TEMPLATE_HASH_VECTORS)('%s with collisionCount %s is %s', (template, collisionCount, hash) => {
    expect(computeHash(JSON.parse(template), collisionCount)).toBe(hash);
  });
});
