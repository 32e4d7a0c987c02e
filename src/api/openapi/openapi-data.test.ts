import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInKinds } from '../../registry/built-in-kinds.js';
import { apiVersionOf } from '../../registry/resource-kind.js';
import { builtInOpenApiV3Bytes, builtInOpenApiV3Index } from './openapi-data.js';
import { servedDocument } from './serve-content.js';

const served = JSON.parse(
  readFileSync(new URL('../../../data/openapi/served.json', import.meta.url), 'utf8'),
) as {
  groupVersions: Record<string, Record<string, string[]>>;
};

describe('data/openapi', () => {
  it('was generated for the built-in kinds and subresources served now (else: node scripts/generate-openapi.mjs)', () => {
    const now: Record<string, Record<string, string[]>> = {};
    for (const kind of builtInKinds)
      (now[apiVersionOf(kind)] ??= {})[kind.resource] = (kind.subresources ?? []).map((s) => s.name).sort();
    expect(served.groupVersions).toEqual(now);
  });

  it('holds each document under the hash of its bytes, as handler3 computes it', () => {
    for (const [key, hash] of Object.entries(builtInOpenApiV3Index()))
      expect(servedDocument(builtInOpenApiV3Bytes(key)!).etag, key).toBe(hash);
  });

  it('has a v3 document with the schema of every built-in kind', () => {
    for (const kind of builtInKinds) {
      const key = kind.group ? `apis/${kind.group}/${kind.version}` : `api/${kind.version}`;
      const document = JSON.parse(builtInOpenApiV3Bytes(key)!.toString('utf8'));
      const gvks = Object.values(
        document.components.schemas as Record<string, Record<string, unknown>>,
      ).flatMap(
        (schema) => (schema['x-kubernetes-group-version-kind'] as { kind: string }[] | undefined) ?? [],
      );
      expect(
        gvks.map((g) => g.kind),
        `${key} ${kind.kind}`,
      ).toContain(kind.kind);
    }
  });
});
