import { describe, expect, it } from 'vitest';
import { findDuplicateFields } from './duplicate-fields.js';

describe('findDuplicateFields', () => {
  it('finds repeated keys with their paths through objects, lists and maps, in document order', () => {
    const text = `{"metadata":{"name":"a","labels":{"x":"1","x":"2"},"name":"b"},
      "spec":{"containers":[{"name":"c"},{"image":"i","image":"j"}]},"spec":{}}`;
    expect(findDuplicateFields(text)).toEqual([
      'metadata.labels.x',
      'metadata.name',
      'spec.containers[1].image',
      'spec',
    ]);
  });

  it('reads escaped strings and ignores keys repeated in different objects', () => {
    expect(
      findDuplicateFields('{"a":"x\\"}","b":{"a":1},"c":[{"a":1},{"a":2}],"a\\u0041":1,"aA":2}'),
    ).toEqual(['aA']);
  });

  it('reports each path once, and nothing for non-objects', () => {
    expect(findDuplicateFields('{"a":1,"a":2,"a":3}')).toEqual(['a']);
    expect(findDuplicateFields('[{"a":1,"a":2}]')).toEqual([]);
    expect(findDuplicateFields('')).toEqual([]);
  });
});
