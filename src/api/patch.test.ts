import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { configMapKind } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { applyPatch, MAX_JSON_PATCH_COPY_BYTES } from './patch.js';

const JSON_PATCH = 'application/json-patch+json';
const configMap = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'default' },
  data,
});
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
/** `times` copies of /data/a, each removed again: the document stays small, the copies add up. */
const copies = (times: number) =>
  body(
    Array.from({ length: times }, () => [
      { op: 'copy', from: '/data/a', path: '/data/b' },
      { op: 'remove', path: '/data/b' },
    ]).flat(),
  );
const statusOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.toStatus();
    throw error;
  }
  return undefined;
};

// The answer of handlers/patch.go to any error of patchObj.Apply, the copy limit's included.
const GENERIC_422 = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server rejected our request due to an error in our request',
  reason: 'Invalid',
  details: {},
  code: 422,
};

describe('applyPatch: JSON patch limits', () => {
  // Each copy of a string counts its JSON encoding, quotes included: 786430 + 2 bytes, 4 times is exactly
  // the limit (json-patch refuses only past it), 5 times is over.
  const quarter = 'x'.repeat(MAX_JSON_PATCH_COPY_BYTES / 4 - 2);

  it('allows copies adding up to AccumulatedCopySizeLimit, and refuses the one past it with the generic 422', () => {
    const current = configMap({ a: quarter });
    expect(applyPatch(configMapKind, current, copies(4), JSON_PATCH).data).toEqual({ a: quarter });
    expect(statusOf(() => applyPatch(configMapKind, current, copies(5), JSON_PATCH))).toEqual(GENERIC_422);
  });

  it("counts what Go's encoder writes: < > & as \\u003c (6 bytes each)", () => {
    const angles = '<'.repeat(131072); // 6 × 131072 + 2 bytes a copy: 4 copies pass the limit
    expect(
      statusOf(() => applyPatch(configMapKind, configMap({ a: angles }), copies(4), JSON_PATCH)),
    ).toEqual(GENERIC_422);
    const plain = 'x'.repeat(131072);
    expect(applyPatch(configMapKind, configMap({ a: plain }), copies(4), JSON_PATCH).data).toEqual({
      a: plain,
    });
  });

  it('refuses a self-doubling copy bomb at once instead of building gigabytes', () => {
    const bomb = [
      { op: 'add', path: '/data/seed', value: 'x'.repeat(1500) },
      ...Array.from({ length: 19 }, (_, i) => ({ op: 'copy', from: '/data', path: `/data/c${i}` })),
    ];
    const started = performance.now();
    expect(statusOf(() => applyPatch(configMapKind, configMap({}), body(bomb), JSON_PATCH))).toEqual(
      GENERIC_422,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("passes a test of null at a missing key, as json-patch v4 does (kube-rs's finalizer())", () => {
    const addFirst = [
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: ['shop.example.com/cleanup'] },
    ];
    expect(applyPatch(configMapKind, configMap({}), body(addFirst), JSON_PATCH).metadata?.finalizers).toEqual(
      ['shop.example.com/cleanup'],
    );
    // Present and not null, or under a missing parent: the test fails.
    const current = { ...configMap({}), metadata: { ...configMap({}).metadata, finalizers: ['other'] } };
    expect(statusOf(() => applyPatch(configMapKind, current, body(addFirst), JSON_PATCH))).toEqual(
      GENERIC_422,
    );
    const missingParent = [{ op: 'test', path: '/spec/template', value: null }];
    expect(statusOf(() => applyPatch(configMapKind, configMap({}), body(missingParent), JSON_PATCH))).toEqual(
      GENERIC_422,
    );
  });

  it('answers more than 10000 operations as handlers/patch.go does', () => {
    const operations = Array.from({ length: 10_001 }, () => ({
      op: 'test',
      path: '/kind',
      value: 'ConfigMap',
    }));
    expect(statusOf(() => applyPatch(configMapKind, configMap({}), body(operations), JSON_PATCH))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
      reason: 'RequestEntityTooLarge',
      code: 413,
    });
  });

  it.each([
    ['application/json-patch+json', [{ op: 'add', path: '/data/more', value: 'y'.repeat(2 * 1024 * 1024) }]],
    ['application/merge-patch+json', { data: { more: 'y'.repeat(2 * 1024 * 1024) } }],
    ['application/strategic-merge-patch+json', { data: { more: 'y'.repeat(2 * 1024 * 1024) } }],
  ])('refuses a %s result larger than a request may be, as etcd refuses it', (mediaType, patch) => {
    const current = configMap({ a: 'x'.repeat(1.5 * 1024 * 1024) });
    expect(statusOf(() => applyPatch(configMapKind, current, body(patch), mediaType))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'etcdserver: request is too large',
      code: 500,
    });
  });
});
