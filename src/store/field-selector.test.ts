import { describe, expect, it } from 'vitest';

import { ApiError } from '../errors/status.js';
import { exactMetadataName, parseFieldSelector } from './field-selector.js';

function parseError(text: string): ApiError {
  try {
    parseFieldSelector(text);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

function fields(set: Record<string, string>): (field: string) => string | undefined {
  return (field) => (Object.hasOwn(set, field) ? set[field] : undefined);
}

describe('parseFieldSelector', () => {
  // Upstream TestSelectorParse: good strings print back unchanged (terms are sorted).
  it.each([
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['', ''],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=a||y\\=b', 'x=a||y\\=b'],
    ['x=a\\=\\=b', 'x=a\\=\\=b'],
    ['x=a,a=x', 'a=x,x=a'],
    ['a=x,x=a', 'a=x,x=a'],
    ['x==a', 'x=a'],
    ['k=\\,,k2=v2', 'k2=v2,k=\\,'],
    ['k=\\\\,k2=v2', 'k2=v2,k=\\\\'],
    ['함=수,목=록', '목=록,함=수'],
    ['a=a,', 'a=a'],
    [',a=a', 'a=a'],
    [',,', ''],
    ['=', ''],
    ['!=', ''],
    ['==,a=b', 'a=b'],
    ['=b', '=b'],
    ['a=', 'a='],
    ['a!b=c', 'a!b=c'],
  ])('parses %j as %j', (text, canonical) => {
    expect(parseFieldSelector(text).toString()).toBe(canonical);
  });

  it('exposes requirements with unescaped values, folding == into =', () => {
    expect(
      parseFieldSelector('spec.nodeName==n1,status.phase!=Running,metadata.name=a\\,b').requirements,
    ).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
  });

  it('is empty when no term survives', () => {
    expect(parseFieldSelector('').empty).toBe(true);
    expect(parseFieldSelector(',').empty).toBe(true);
    expect(parseFieldSelector('=').empty).toBe(true);
    expect(parseFieldSelector('a=').empty).toBe(false);
  });

  it.each([
    ['x=a||y=b', 'invalid field selector: unescaped character in value: 61'],
    ['x==a==b', 'invalid field selector: unescaped character in value: 61'],
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ['x in (a,b,c)', "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
    ['x', "invalid selector: 'x'; can't understand 'x'"],
    ['z=\\a,a', "invalid selector: 'z=\\a,a'; can't understand 'a'"],
    ['k=\\a', 'invalid field selector: invalid escape sequence: \\a'],
    ['k=\\수', 'invalid field selector: invalid escape sequence: \\수'],
    ['k=\\', 'invalid field selector: invalid escape sequence: \\'],
    ['k=\\\\\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j with the upstream message', (text, message) => {
    const err = parseError(text);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(message);
  });
});

describe('FieldSelector.matches', () => {
  const fieldset = { foo: 'bar', baz: 'blah', complex: '=value\\,\\', notin: 'in' };
  it.each([
    ['', {}, true],
    ['foo=bar', fieldset, true],
    ['foo==bar,baz=blah', fieldset, true],
    ['complex=\\=value\\\\\\,\\\\', fieldset, true],
    ['notin=in', fieldset, true],
    ['foo=blah', fieldset, false],
    ['foo=bar,foobar=bar,baz=blah', fieldset, false],
    ['foo!=bar', fieldset, false],
    ['foo!=x', fieldset, true],
    ['missing=', fieldset, true],
    ['missing!=', fieldset, false],
    ['missing!=x', fieldset, true],
  ] as const)('%j against %j is %s', (text, set, expected) => {
    expect(parseFieldSelector(text).matches(fields(set))).toBe(expected);
  });
});

describe('exactMetadataName', () => {
  it.each([
    ['metadata.name=web', 'web'],
    ['metadata.name==web', 'web'],
    ['metadata.namespace=default,metadata.name=web', 'web'],
    ['metadata.name=', ''],
    ['metadata.name!=web', undefined],
    ['metadata.name!=a,metadata.name=b', 'b'],
    // Terms are sorted before the first match wins: "==b" sorts before "=a".
    ['metadata.name=a,metadata.name==b', 'b'],
    ['metadata.name=b,metadata.name=a', 'a'],
    ['metadata.namespace=web', undefined],
    ['', undefined],
    ['metadata.name=.', undefined],
    ['metadata.name=..', undefined],
    ['metadata.name=...', '...'],
    ['metadata.name=a/b', undefined],
    ['metadata.name=a%2Fb', undefined],
    ['metadata.name=a\\,b', 'a,b'],
  ])('takes %j as %j', (text, name) => {
    expect(exactMetadataName(parseFieldSelector(text))).toBe(name);
  });
});
