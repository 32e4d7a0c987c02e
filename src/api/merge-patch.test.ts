import { describe, expect, it } from 'vitest';

import { applyMergePatch } from './merge-patch.js';

describe('applyMergePatch', () => {
  // RFC 7386 appendix A, where the document is an object (the only kind the server patches).
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    [{ a: 'b' }, {}, { a: 'b' }],
  ])('patches %j with %j into %j', (original, patch, expected) => {
    expect(applyMergePatch(original, patch)).toEqual(expected);
  });

  // Where json-patch v4 (and so the apiserver) differs from a literal reading of the RFC.
  it.each([
    ['a null member is treated as absent', { a: null }, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    [
      'an array replacing a non-object is pruned',
      { a: [] },
      { a: [{ b: null, c: 1 }, null] },
      { a: [{ c: 1 }, null] },
    ],
    ['an array replacing an object is not pruned', { a: {} }, { a: [{ b: null }] }, { a: [{ b: null }] }],
    ['an array patch replaces the document, pruned', { a: 1 }, [{ b: null }, null], [{}, null]],
    ['an object patch replaces a non-object document', [1], { a: null, b: 1 }, { b: 1 }],
  ])('%s', (_name, original, patch, expected) => {
    expect(applyMergePatch(original, patch)).toEqual(expected);
  });

  it.each([null, 'x', 1, true])('rejects the patch %j as Invalid JSON Patch', (patch) => {
    expect(() => applyMergePatch({ a: 1 }, patch)).toThrow(
      expect.objectContaining({ code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' }),
    );
  });

  it('applies what kubectl label sends, keeping key order and other fields', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', labels: { app: 'web', x: 'old' }, annotations: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    };
    const result = applyMergePatch(pod, { metadata: { labels: { x: 'y', gone: null, tier: 'fe' } } });
    expect(result).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', labels: { app: 'web', x: 'y', tier: 'fe' }, annotations: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    expect(Object.keys((result as { metadata: { labels: object } }).metadata.labels)).toEqual([
      'app',
      'x',
      'tier',
    ]);
  });

  it('modifies neither input and shares no structure with them', () => {
    const original = { a: { b: [{ c: 1 }] }, d: { e: 1 } };
    const patch = { a: { f: { g: null, h: 2 } }, d: null };
    const originalCopy = structuredClone(original);
    const patchCopy = structuredClone(patch);
    const result = applyMergePatch(original, patch) as { a: { b: { c: number }[]; f: object } };
    expect(result).toEqual({ a: { b: [{ c: 1 }], f: { h: 2 } } });
    expect(original).toEqual(originalCopy);
    expect(patch).toEqual(patchCopy);
    result.a.b[0]!.c = 2;
    expect(original.a.b[0]!.c).toBe(1);
  });

  it('keeps __proto__ as an ordinary key', () => {
    const patch = JSON.parse('{"metadata":{"labels":{"__proto__":"x"}}}') as unknown;
    const result = applyMergePatch({ metadata: {} }, patch) as { metadata: { labels: object } };
    expect(Object.getPrototypeOf(result.metadata.labels)).toBe(Object.prototype);
    expect(JSON.stringify(result)).toBe('{"metadata":{"labels":{"__proto__":"x"}}}');
  });
});
