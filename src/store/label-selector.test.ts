import { describe, expect, it } from 'vitest';

import { ApiError } from '../errors/status.js';
import { labelSelectorFromMetav1, parseLabelSelector } from './label-selector.js';

const QUALIFIED_NAME_HELP =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_HELP =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end " +
  "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is " +
  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_HELP =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and " +
  "end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function parseError(text: string): ApiError {
  try {
    parseLabelSelector(text);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('parseLabelSelector', () => {
  // Upstream TestSelectorParse and TestSetSelectorParser: the canonical string of what parses.
  it.each([
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['', ''],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x==a', 'x==a'],
    ['x=a,a=x', 'a=x,x=a'],
    ['\rx', 'x'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    [
      '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)',
    ],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x in (def,abc,def)', 'x in (abc,def)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in ()', 'x in ()'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['x notin ( )', 'x notin ()'],
    ['x notin (, a)', 'x notin (,a)'],
    ['a ', 'a'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['notin=in', 'notin=in'],
    ['x in (a,,b)', 'x in (,a,b)'],
    ['x>5', 'x>5'],
  ])('parses %j as %j', (text, canonical) => {
    expect(parseLabelSelector(text).toString()).toBe(canonical);
  });

  it('exposes requirements sorted by key with sorted, deduplicated values', () => {
    expect(parseLabelSelector('z in (b,a,b),!y,x,w>3,v==1,u!=2').requirements).toEqual([
      { key: 'u', operator: '!=', values: ['2'] },
      { key: 'v', operator: '==', values: ['1'] },
      { key: 'w', operator: 'gt', values: ['3'] },
      { key: 'x', operator: 'exists', values: [] },
      { key: 'y', operator: '!', values: [] },
      { key: 'z', operator: 'in', values: ['a', 'b'] },
    ]);
  });

  it('is empty only without requirements', () => {
    expect(parseLabelSelector('').empty).toBe(true);
    expect(parseLabelSelector('  ').empty).toBe(true);
    expect(parseLabelSelector('a').empty).toBe(false);
  });

  it.each([
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${LABEL_VALUE_HELP}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    [
      'x<a',
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'x>',
      `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'x>99999999999999999999',
      `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'x>a_',
      `unable to parse requirement: [values[0]: Invalid value: "a_": for 'Gt', 'Lt' operators, the value must be an integer, ` +
        `values[0][x]: Invalid value: "a_": ${LABEL_VALUE_HELP}]`,
    ],
    ['x,,y', "found ',', expected: identifier after ','"],
    ['x<+5', `unable to parse requirement: values[0][x]: Invalid value: "+5": ${LABEL_VALUE_HELP}`],
    ['x>-5', `unable to parse requirement: values[0][x]: Invalid value: "-5": ${LABEL_VALUE_HELP}`],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!!x', "unable to parse requirement: found '!', expected: identifier"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['x in (a,,)', "unable to parse requirement: found ')', expected: ',', or identifier"],
    ['a_', `unable to parse requirement: <nil>: Invalid value: "a_": name part ${QUALIFIED_NAME_HELP}`],
    ['a_=b', `unable to parse requirement: <nil>: Invalid value: "a_": name part ${QUALIFIED_NAME_HELP}`],
    [
      'a/b/c',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${QUALIFIED_NAME_HELP} ` +
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [
      'Example.com/',
      `unable to parse requirement: <nil>: Invalid value: "Example.com/": prefix part ${SUBDOMAIN_HELP}; ` +
        `name part must be non-empty; name part ${QUALIFIED_NAME_HELP}`,
    ],
    [
      `${'a'.repeat(64)}`,
      `unable to parse requirement: <nil>: Invalid value: "${'a'.repeat(64)}": name part must be no more than 63 characters`,
    ],
    [
      `x=${'a'.repeat(64)}`,
      `unable to parse requirement: values[0][x]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
    ],
    [
      'x=a\u00a0"b',
      `unable to parse requirement: values[0][x]: Invalid value: "a\\u00a0\\"b": ${LABEL_VALUE_HELP}`,
    ],
    ['x=é\x01', `unable to parse requirement: values[0][x]: Invalid value: "é\\x01": ${LABEL_VALUE_HELP}`],
  ])('rejects %j with the upstream message', (text, message) => {
    const err = parseError(text);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(message);
  });
});

describe('LabelSelector.matches', () => {
  const labels = { foo: 'bar', baz: 'blah', n: '5', empty: '' };
  it.each([
    ['', undefined, true],
    ['', {}, true],
    ['foo=bar', labels, true],
    ['foo==bar,baz=blah', labels, true],
    ['foo=blah', labels, false],
    ['foo=bar,foobar=bar,baz=blah', labels, false],
    ['x=', labels, false],
    ['empty=', labels, true],
    ['foo!=bar', labels, false],
    ['foo!=x', labels, true],
    ['missing!=x', labels, true],
    ['foo in (bar,x)', labels, true],
    ['foo in (x)', labels, false],
    ['missing in (x)', labels, false],
    ['foo notin (bar)', labels, false],
    ['missing notin (bar)', labels, true],
    ['x notin (),y', { y: '' }, true],
    ['!x,y', { y: '' }, true],
    ['x notin (),!y', { y: '' }, false],
    ['foo', labels, true],
    ['missing', labels, false],
    ['missing', undefined, false],
    ['!missing', undefined, true],
    ['!foo', labels, false],
    ['n>4', labels, true],
    ['n>5', labels, false],
    ['n<6', labels, true],
    ['n<10', { n: '-2' }, true],
    ['n>1', { n: 'v2' }, false],
    ['n>1', { n: '+2' }, true],
    ['missing>1', labels, false],
    ['toString', {}, false],
  ] as const)('%j against %j is %s', (text, set, expected) => {
    expect(parseLabelSelector(text).matches(set)).toBe(expected);
  });
});

describe('labelSelectorFromMetav1', () => {
  it('selects nothing for a null or absent selector', () => {
    for (const sel of [null, undefined]) {
      const selector = labelSelectorFromMetav1(sel);
      expect(selector.matches({})).toBe(false);
      expect(selector.matches(undefined)).toBe(false);
      expect(selector.empty).toBe(false);
      expect(selector.toString()).toBe('');
      expect(selector.requirements).toEqual([]);
    }
  });

  it('selects everything for a selector without terms', () => {
    for (const sel of [{}, { matchLabels: {}, matchExpressions: [] }]) {
      const selector = labelSelectorFromMetav1(sel);
      expect(selector.matches({ a: 'b' })).toBe(true);
      expect(selector.matches(undefined)).toBe(true);
      expect(selector.empty).toBe(true);
    }
  });

  it('combines matchLabels and matchExpressions, sorted by key', () => {
    const selector = labelSelectorFromMetav1({
      matchLabels: { tier: 'web', app: 'shop' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'canary', operator: 'NotIn', values: ['true'] },
        { key: 'zone', operator: 'Exists', values: [] },
      ],
    });
    expect(selector.toString()).toBe('app=shop,canary notin (true),env in (dev,prod),!legacy,tier=web,zone');
    expect(selector.requirements.find((r) => r.key === 'env')).toEqual({
      key: 'env',
      operator: 'in',
      values: ['prod', 'dev'],
    });
    expect(selector.matches({ app: 'shop', tier: 'web', env: 'dev', zone: 'a' })).toBe(true);
    expect(selector.matches({ app: 'shop', tier: 'web', env: 'dev', zone: 'a', legacy: '' })).toBe(false);
    expect(selector.matches({ app: 'shop', tier: 'web', env: 'qa', zone: 'a' })).toBe(false);
    expect(selector.matches({ app: 'shop', tier: 'web', env: 'dev' })).toBe(false);
  });

  it.each([
    [
      { matchExpressions: [{ key: 'a', operator: 'In' as const }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'NotIn' as const, values: [] }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists' as const, values: ['<x>'] }] },
      '[values: Invalid value: []string{"<x>"}: values set must be empty for exists and does not exist, ' +
        `values[0][a]: Invalid value: "<x>": ${LABEL_VALUE_HELP}]`,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' as const, values: ['x', 'y'] }] },
      'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'toString' as unknown as 'In' }] },
      '"toString" is not a valid label selector operator',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt' as unknown as 'In', values: ['1'] }] },
      '"Gt" is not a valid label selector operator',
    ],
    [{ matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": name part ${QUALIFIED_NAME_HELP}`],
    [{ matchLabels: { a: 'b c' } }, `values[0][a]: Invalid value: "b c": ${LABEL_VALUE_HELP}`],
    [{ matchLabels: { 'b!': 'x', 'a!': 'x' } }, `key: Invalid value: "a!": name part ${QUALIFIED_NAME_HELP}`],
  ])('rejects %j with the upstream message', (sel, message) => {
    expect(() => labelSelectorFromMetav1(sel)).toThrow(expect.objectContaining({ code: 400, message }));
  });
});
