import { describe, expect, it } from 'vitest';
import { SortedBucket } from './sorted-bucket.js';

const obj = (name: string) => ({ metadata: { name } });
const names = (bucket: SortedBucket, prefix?: string) =>
  [...bucket.inOrder(prefix)].map((o) => o.metadata!.name);

describe('SortedBucket', () => {
  it('walks keys in sorted order, and only those of a namespace prefix', () => {
    const bucket = new SortedBucket();
    for (const key of ['b/2', 'a/1', 'b/1', 'ab/1', 'c/1']) bucket.set(key, obj(key));
    expect(names(bucket)).toEqual(['a/1', 'ab/1', 'b/1', 'b/2', 'c/1']);
    expect(names(bucket, 'b/')).toEqual(['b/1', 'b/2']);
    expect(names(bucket, 'a/')).toEqual(['a/1']);
    expect(names(bucket, 'z/')).toEqual([]);
  });

  it('keeps the order through inserts, replacements and deletes after the first walk', () => {
    const bucket = new SortedBucket();
    bucket.set('m/1', obj('m/1'));
    expect(names(bucket)).toEqual(['m/1']);
    bucket.set('a/1', obj('a/1'));
    bucket.set('z/1', obj('z/1'));
    bucket.set('m/1', obj('m/1 again'));
    bucket.delete('a/1');
    bucket.delete('nope');
    bucket.set('m/0', obj('m/0'));
    expect(names(bucket)).toEqual(['m/0', 'm/1 again', 'z/1']);
    expect(bucket.size).toBe(3);
    bucket.clear();
    bucket.set('b/1', obj('b/1'));
    expect(names(bucket)).toEqual(['b/1']);
  });

  it('agrees with a full sort after many random changes', () => {
    const bucket = new SortedBucket();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const key = `ns-${Math.floor(random() * 20)}/pod-${Math.floor(random() * 200)}`;
      if (random() < 0.3) bucket.delete(key);
      else bucket.set(key, obj(key));
      if (i % 500 === 0) names(bucket);
    }
    expect(names(bucket)).toEqual([...bucket.keys()].sort());
    expect(names(bucket, 'ns-3/')).toEqual([...bucket.keys()].filter((k) => k.startsWith('ns-3/')).sort());
  });
});
