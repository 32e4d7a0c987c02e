import { describe, expect, it } from 'vitest';
import { jsonBytes } from './serialize.js';

describe('jsonBytes', () => {
  it('serializes a frozen object once and reuses the bytes', () => {
    const obj = Object.freeze({ metadata: Object.freeze({ name: 'a' }) });
    const first = jsonBytes(obj);
    expect(first.toString()).toBe('{"metadata":{"name":"a"}}');
    expect(jsonBytes(obj)).toBe(first);
  });

  it('serializes a mutable object afresh every time', () => {
    const obj: { n: number } = { n: 1 };
    expect(jsonBytes(obj).toString()).toBe('{"n":1}');
    obj.n = 2;
    expect(jsonBytes(obj).toString()).toBe('{"n":2}');
  });

  it('serializes primitives', () => {
    expect(jsonBytes('x').toString()).toBe('"x"');
    expect(jsonBytes(null).toString()).toBe('null');
  });
});

describe('jsonBytes cache', () => {
  it('keeps a bounded number of objects, oldest out first', () => {
    const first = Object.freeze({ n: -1 });
    const firstBytes = jsonBytes(first);
    for (let i = 0; i < 2000; i++) jsonBytes(Object.freeze({ n: i }));
    const again = jsonBytes(first);
    expect(again).not.toBe(firstBytes);
    expect(again.equals(firstBytes)).toBe(true);
  });
});
