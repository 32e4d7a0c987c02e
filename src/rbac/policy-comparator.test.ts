// Upstream's tables for Covers, nonResourceURLCovers, CompactRules and isSimpleResourceRule, row for row.
//   staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator_test.go
//   pkg/registry/rbac/validation/policy_compact_test.go
import { describe, expect, it } from 'vitest';
import { goQuote } from '../json/go-quote.js';
import {
  compactRules,
  compactString,
  covers,
  isSimpleResourceRule,
  nonResourceURLCovers,
  type SimpleResource,
} from './policy-comparator.js';
import type { PolicyRule } from './types.js';

type Rule = Partial<PolicyRule>;
const rules = (list: Rule[]) => list as PolicyRule[];

/** `rulesMatch`: the same rules, in any order (Go's reflect.DeepEqual per rule). */
function sameRules(actual: PolicyRule[], expected: Rule[]): void {
  const canonical = (list: Rule[]) => list.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  expect(canonical(actual)).toEqual(canonical(expected));
}

describe('Covers (policy_comparator_test.go)', () => {
  const cases: [string, Rule[], Rule[], boolean, Rule[]][] = [
    [
      'TestCoversExactMatch',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
      true,
      [],
    ],
    [
      'TestCoversSubresourceWildcard',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*/scale'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['foo/scale'] }],
      true,
      [],
    ],
    [
      'TestCoversMultipleRulesCoveringSingleRule',
      [
        { apiGroups: ['v1'], verbs: ['delete'], resources: ['deployments'] },
        { apiGroups: ['v1'], verbs: ['delete'], resources: ['builds'] },
        { apiGroups: ['v1'], verbs: ['update'], resources: ['builds', 'deployments'] },
      ],
      [{ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
      true,
      [],
    ],
    [
      'TestCoversMultipleAPIGroupsCoveringSingleRule',
      [
        { apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] },
        { apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] },
        { apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] },
        { apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] },
        { apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] },
        { apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] },
      ],
      [
        {
          apiGroups: ['group1', 'group2'],
          verbs: ['delete', 'update'],
          resources: ['builds', 'deployments'],
        },
      ],
      true,
      [],
    ],
    [
      'TestCoversSingleAPIGroupsCoveringMultiple',
      [
        {
          apiGroups: ['group1', 'group2'],
          verbs: ['delete', 'update'],
          resources: ['builds', 'deployments'],
        },
      ],
      [
        { apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] },
        { apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] },
        { apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] },
        { apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] },
        { apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] },
        { apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] },
      ],
      true,
      [],
    ],
    [
      'TestCoversMultipleRulesMissingSingleVerbResourceCombination',
      [
        { apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] },
        { apiGroups: ['v1'], verbs: ['delete'], resources: ['pods'] },
      ],
      [{ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments', 'pods'] }],
      false,
      [{ apiGroups: ['v1'], verbs: ['update'], resources: ['pods'] }],
    ],
    [
      'TestCoversAPIGroupStarCoveringMultiple',
      [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
      [{ apiGroups: ['group1', 'group2'], verbs: ['get'], resources: ['roles'] }],
      true,
      [],
    ],
    [
      'TestCoversEnumerationNotCoveringAPIGroupStar',
      [{ apiGroups: ['dummy-group'], verbs: ['get'], resources: ['roles'] }],
      [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
      false,
      [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
    ],
    [
      'TestCoversAPIGroupStarCoveringStar',
      [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
      [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
      true,
      [],
    ],
    [
      'TestCoversVerbStarCoveringMultiple',
      [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
      [{ apiGroups: ['v1'], verbs: ['watch', 'list'], resources: ['roles'] }],
      true,
      [],
    ],
    [
      'TestCoversEnumerationNotCoveringVerbStar',
      [
        {
          apiGroups: ['v1'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'delete', 'exec'],
          resources: ['roles'],
        },
      ],
      [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
      false,
      [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
    ],
    [
      'TestCoversVerbStarCoveringStar',
      [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
      [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
      true,
      [],
    ],
    [
      'TestCoversResourceStarCoveringMultiple',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['resourcegroup:deployments'] }],
      true,
      [],
    ],
    [
      'TestCoversEnumerationNotCoveringResourceStar',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['roles', 'resourcegroup:deployments'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
      false,
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
    ],
    [
      'TestCoversResourceStarCoveringStar',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
      true,
      [],
    ],
    [
      'TestCoversResourceNameEmptyCoveringMultiple',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] }],
      true,
      [],
    ],
    [
      'TestCoversEnumerationNotCoveringResourceNameEmpty',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] }],
      false,
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'] }],
    ],
    [
      'TestCoversNonResourceURLs',
      [{ nonResourceURLs: ['/apis'], verbs: ['*'] }],
      [{ nonResourceURLs: ['/apis'], verbs: ['*'] }],
      true,
      [],
    ],
    [
      'TestCoversNonResourceURLsStar',
      [{ nonResourceURLs: ['*'], verbs: ['*'] }],
      [{ nonResourceURLs: ['/apis', '/apis/v1', '/'], verbs: ['*'] }],
      true,
      [],
    ],
    [
      'TestCoversNonResourceURLsStarAfterPrefixDoesntCover',
      [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }],
      [{ nonResourceURLs: ['/apis', '/apis/v1'], verbs: ['get'] }],
      false,
      [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
    ],
    [
      'TestCoversNonResourceURLsStarAfterPrefix',
      [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }],
      [{ nonResourceURLs: ['/apis/v1/foo', '/apis/v1'], verbs: ['get'] }],
      true,
      [],
    ],
    [
      'TestCoversNonResourceURLsWithOtherFields',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
      true,
      [],
    ],
    [
      'TestCoversNonResourceURLsWithOtherFieldsFailure',
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
      [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
      false,
      [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
    ],
  ];

  it.each(cases)('%s', (_name, owner, servant, expectedCovered, expectedUncovered) => {
    const result = covers(rules(owner), rules(servant));
    expect(result.covered).toBe(expectedCovered);
    sameRules(result.uncovered, expectedUncovered);
  });
});

describe('TestNonResourceURLCovers (policy_comparator_test.go)', () => {
  it.each([
    ['*', '', true],
    ['*', '/', true],
    ['*', '/api', true],
    ['/*', '', false],
    ['/*', '/', true],
    ['/*', '/foo', true],
    ['/api', '/api', true],
    ['/apis', '/api', false],
    ['/api/v1', '/api', false],
    ['/api/v1', '/api/v1', true],
    ['/api/*', '/api/v1', true],
    ['/api/*', '/api', false],
    ['/api/*/*', '/api/v1', false],
    ['/*/v1/*', '/api/v1', false],
  ] as const)('nonResourceURLCovers(%j, %j) = %s', (owner, requested, want) => {
    expect(nonResourceURLCovers(owner, requested)).toBe(want);
  });
});

describe('TestCompactRules (policy_compact_test.go)', () => {
  const testcases: [string, Rule[], Rule[]][] = [
    ['empty', [], []],
    [
      'simple',
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds'] },
        { verbs: ['list'], apiGroups: [''], resources: ['builds'] },
        { verbs: ['update', 'patch'], apiGroups: [''], resources: ['builds'] },

        { verbs: ['create'], apiGroups: ['extensions'], resources: ['daemonsets'] },
        { verbs: ['delete'], apiGroups: ['extensions'], resources: ['daemonsets'] },
        { verbs: ['patch'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: [''] },
        { verbs: ['get'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: ['foo'] },
        { verbs: ['list'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: ['foo'] },

        { verbs: ['educate'], apiGroups: [''], resources: ['dolphins'] },

        // nil verbs are preserved in non-merge cases.
        // these are the pirates who don't do anything.
        { apiGroups: [''], resources: ['pirates'] },

        // Test merging into a nil Verbs string set
        { apiGroups: [''], resources: ['pods'] },
        { verbs: ['create'], apiGroups: [''], resources: ['pods'] },
      ],
      [
        { verbs: ['create', 'delete'], apiGroups: ['extensions'], resources: ['daemonsets'] },
        { verbs: ['patch'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: [''] },
        {
          verbs: ['get', 'list'],
          apiGroups: ['extensions'],
          resources: ['daemonsets'],
          resourceNames: ['foo'],
        },
        { verbs: ['get', 'list', 'update', 'patch'], apiGroups: [''], resources: ['builds'] },
        { verbs: ['educate'], apiGroups: [''], resources: ['dolphins'] },
        { apiGroups: [''], resources: ['pirates'] },
        { verbs: ['create'], apiGroups: [''], resources: ['pods'] },
      ],
    ],
    [
      'complex multi-group',
      [
        { verbs: ['get'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
        { verbs: ['list'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
      ],
      [
        { verbs: ['get'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
        { verbs: ['list'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
      ],
    ],
    [
      'complex multi-resource',
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds', 'images'] },
        { verbs: ['list'], apiGroups: [''], resources: ['builds', 'images'] },
      ],
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds', 'images'] },
        { verbs: ['list'], apiGroups: [''], resources: ['builds', 'images'] },
      ],
    ],
    [
      'complex named-resource',
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild'] },
        { verbs: ['list'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild2'] },
      ],
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild'] },
        { verbs: ['list'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild2'] },
      ],
    ],
    [
      'complex non-resource',
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/'] },
        { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/foo'] },
      ],
      [
        { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/'] },
        { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/foo'] },
      ],
    ],
  ];

  it.each(testcases)('%s', (_name, input, expected) => {
    const original = structuredClone(input);
    const compacted = compactRules(rules(input));
    expect(input).toEqual(original);
    expect(covers(compacted, rules(input)).covered).toBe(true);
    expect(covers(rules(input), compacted).covered).toBe(true);
    sameRules(compacted, expected);
  });
});

describe('TestIsSimpleResourceRule (policy_compact_test.go)', () => {
  const simple = (group: string, resource: string, name?: string): SimpleResource => ({
    group,
    resource,
    resourceNameExist: name !== undefined,
    resourceName: name ?? '',
  });
  it.each([
    ['simple, no verbs', { verbs: [], apiGroups: [''], resources: ['builds'] }, simple('', 'builds')],
    ['simple, one verb', { verbs: ['get'], apiGroups: [''], resources: ['builds'] }, simple('', 'builds')],
    [
      'simple, one empty resource name',
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: [''] },
      simple('', 'builds', ''),
    ],
    [
      'simple, one resource name',
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['foo'] },
      simple('', 'builds', 'foo'),
    ],
    [
      'simple, multi verb',
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['builds'] },
      simple('', 'builds'),
    ],
    ['complex, empty', {}, undefined],
    ['complex, no group', { verbs: ['get'], apiGroups: [], resources: ['builds'] }, undefined],
    ['complex, multi group', { verbs: ['get'], apiGroups: ['a', 'b'], resources: ['builds'] }, undefined],
    ['complex, no resource', { verbs: ['get'], apiGroups: [''], resources: [] }, undefined],
    [
      'complex, multi resource',
      { verbs: ['get'], apiGroups: [''], resources: ['builds', 'images'] },
      undefined,
    ],
    [
      'complex, resource names',
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['foo', 'bar'] },
      undefined,
    ],
    [
      'complex, non-resource urls',
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/'] },
      undefined,
    ],
  ] as [string, Rule, SimpleResource | undefined][])('%s', (_name, rule, expected) => {
    expect(isSimpleResourceRule(rule as PolicyRule)).toEqual(expected);
  });
});

describe('CompactString and Go quoting', () => {
  it('renders the fields that are set, in the struct order, with %q lists', () => {
    expect(compactString({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })).toBe(
      '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
    expect(
      compactString({
        verbs: ['get', 'list'],
        apiGroups: ['apps'],
        resources: ['deployments'],
        resourceNames: ['web'],
      }),
    ).toBe('{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get" "list"]}');
    expect(compactString({ verbs: ['get'], nonResourceURLs: ['/healthz', '/api/*'] })).toBe(
      '{NonResourceURLs:["/healthz" "/api/*"], Verbs:["get"]}',
    );
    expect(compactString({ verbs: [] })).toBe('{}');
  });

  it('quotes as strconv.Quote', () => {
    expect(goQuote('system:serviceaccount:default:x')).toBe('"system:serviceaccount:default:x"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('tab\tnl\nbell\x07del\x7f')).toBe('"tab\\tnl\\nbell\\adel\\x7f"');
    expect(goQuote('ünï €')).toBe('"ünï €"');
    expect(goQuote('nb\u00a0sp\u2028')).toBe('"nb\\u00a0sp\\u2028"');
  });
});
