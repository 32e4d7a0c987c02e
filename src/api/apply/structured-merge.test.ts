import { describe, expect, it } from 'vitest';
import { formatFieldPath, fromFieldsV1, memberPaths, toFieldsV1 } from './field-set.js';
import { compareObjects, mergeApplied, pruneReleased, toFieldSet } from './structured-merge.js';
import type { ApplyShape } from './apply-schema.js';

const shape: ApplyShape = {
  fields: {
    spec: {
      fields: {
        containers: {
          listType: 'map',
          keys: ['name'],
          elements: {
            fields: {
              ports: {
                listType: 'map',
                keys: ['containerPort', 'protocol'],
                keyDefaults: { protocol: 'TCP' },
              },
            },
          },
        },
        finalizers: { listType: 'set' },
      },
    },
  },
};

describe('field sets', () => {
  it('round-trips FieldsV1 and prints paths as upstream', () => {
    const json = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } },
    };
    const set = fromFieldsV1(json);
    expect(toFieldsV1(set)).toEqual(json);
    expect(memberPaths(set).map(formatFieldPath)).toEqual([
      '.metadata.labels',
      '.metadata.labels.app',
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].image',
    ]);
  });

  it('builds the apply set with keyed items and defaulted keys', () => {
    const set = toFieldSet(
      { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }], finalizers: ['x'] } },
      shape,
    );
    expect(toFieldsV1(set)).toEqual({
      'f:spec': {
        'f:containers': {
          'k:{"name":"c"}': {
            '.': {},
            'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
        'f:finalizers': { 'v:"x"': {} },
      },
    });
  });
});

describe('merge, compare and prune', () => {
  it('merges associative lists by key and keeps live-only items', () => {
    const live = {
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '2' },
        ],
      },
    };
    const config = { spec: { containers: [{ name: 'b', image: '3' }] } };
    expect(mergeApplied(live, config, shape)).toEqual({
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '3' },
        ],
      },
    });
  });

  it('compares: added maps carry their own path, modified leaves', () => {
    const result = compareObjects({ data: { a: '1' } }, { data: { a: '2' }, spec: { x: 1 } }, shape);
    expect(toFieldsV1(result.modified)).toEqual({ 'f:data': { 'f:a': {} } });
    expect(toFieldsV1(result.added)).toEqual({ 'f:spec': { '.': {}, 'f:x': {} } });
  });

  it('prunes released fields nobody owns, keeps owned ones', () => {
    const released = fromFieldsV1({ 'f:data': { 'f:a': {}, 'f:b': {} } });
    const owned = fromFieldsV1({ 'f:data': { 'f:b': {} } });
    expect(pruneReleased({ data: { a: '1', b: '2', c: '3' } }, released, owned, shape)).toEqual({
      data: { b: '2', c: '3' },
    });
    expect(
      pruneReleased({ data: { a: '1' } }, fromFieldsV1({ 'f:data': { 'f:a': {} } }), fromFieldsV1({}), shape),
    ).toEqual({});
  });
});
