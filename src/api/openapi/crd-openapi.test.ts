import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { kindsOfCustomResourceDefinition } from '../../crd/custom-resource-kinds.js';
import { crdOpenApiV2, crdOpenApiV3 } from './crd-openapi.js';

const fixtures = new URL('../../../test/fixtures/crd-openapi/', import.meta.url);
/** apiextensions-apiserver's own builder output for each fixture (scripts/generate-openapi.mjs). */
const vectors = JSON.parse(
  gunzipSync(readFileSync(new URL('vectors.json.gz', fixtures))).toString(),
) as Record<string, Record<string, { v3: unknown; v2: unknown }>>;

describe('CRD OpenAPI documents', () => {
  for (const fixture of Object.keys(vectors)) {
    const crd = JSON.parse(readFileSync(new URL(fixture, fixtures), 'utf8'));
    for (const kind of kindsOfCustomResourceDefinition(crd)) {
      const expected = vectors[fixture]![kind.version]!;
      it(`builds ${fixture} ${kind.version} as BuildOpenAPIV3 does`, () => {
        expect(crdOpenApiV3(kind, kind.customResource!)).toEqual(expected.v3);
      });
      it(`builds ${fixture} ${kind.version} as BuildOpenAPIV2 does`, () => {
        expect(crdOpenApiV2(kind, kind.customResource!)).toEqual(expected.v2);
      });
    }
  }
});
