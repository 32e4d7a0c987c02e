import { describe, expect, it } from 'vitest';
import { DuplicateFaultRuleError, FaultInjector } from './fault-injector.js';
import type { FaultRequestAttributes } from './fault-matching.js';
import { faultRuleMatches } from './fault-matching.js';
import { parseFaultRule, parseFaultRules } from './parse-fault-rule.js';
import type { FaultRule } from './types.js';

const listPods: FaultRequestAttributes = {
  verb: 'list',
  apiGroup: '',
  namespace: 'default',
  resource: 'pods',
  subresource: '',
  name: '',
  username: 'system:serviceaccount:default:ctrl',
};

const matches = (rule: FaultRule, request: Partial<FaultRequestAttributes> = {}) =>
  faultRuleMatches(parseFaultRule({ status: 500, ...rule }), { ...listPods, ...request });

describe('faultRuleMatches', () => {
  it('matches anything on fields left out', () => {
    expect(matches({})).toBe(true);
    expect(matches({}, { verb: 'create', resource: 'configmaps', namespace: 'kube-system' })).toBe(true);
  });

  it('compares verb, group, namespace, name and user exactly', () => {
    expect(matches({ verb: 'list' })).toBe(true);
    expect(matches({ verb: 'get' })).toBe(false);
    expect(matches({ group: '' })).toBe(true);
    expect(matches({ group: 'apps' })).toBe(false);
    expect(matches({ namespace: 'default' })).toBe(true);
    expect(matches({ namespace: '' })).toBe(false);
    expect(matches({ namespace: '' }, { namespace: '' })).toBe(true);
    expect(matches({ name: 'web' })).toBe(false);
    expect(matches({ name: 'web' }, { verb: 'get', name: 'web' })).toBe(true);
    expect(matches({ user: 'system:serviceaccount:default:ctrl' })).toBe(true);
    expect(matches({ user: 'system:serviceaccount:default:other' })).toBe(false);
  });

  it('matches resources as RBAC does: pods is not pods/log, * is everything, */log any log', () => {
    const log = { verb: 'get', name: 'web', subresource: 'log' };
    expect(matches({ resource: 'pods' }, log)).toBe(false);
    expect(matches({ resource: 'pods/log' }, log)).toBe(true);
    expect(matches({ resource: 'pods/log' })).toBe(false);
    expect(matches({ resource: '*' }, log)).toBe(true);
    expect(matches({ resource: '*/log' }, log)).toBe(true);
    expect(matches({ resource: '*/log' })).toBe(false);
  });

  it('matches watch actions on watches only', () => {
    expect(matches({ status: undefined, watchError: true })).toBe(false);
    expect(matches({ status: undefined, watchError: true }, { verb: 'watch' })).toBe(true);
  });
});

describe('FaultInjector', () => {
  const injector = (...rules: FaultRule[]) => {
    const faults = new FaultInjector();
    faults.add(parseFaultRules(rules));
    return faults;
  };

  it('affects `times` matching requests after skipping `after` of them, then is spent', () => {
    const faults = injector({ id: 'r', status: 500, times: 2, after: 1 });
    const taken = [1, 2, 3, 4, 5].map(() => faults.decide(listPods)?.id);
    expect(taken).toEqual([undefined, 'r', 'r', undefined, undefined]);
    expect(faults.list()).toEqual([
      { id: 'r', status: 500, times: 2, after: 1, hits: 2, matches: 3, spent: true },
    ]);
  });

  it('gives each request to the first due rule; the later ones do not see it', () => {
    const faults = injector({ id: 'first', latency: 1, times: 1 }, { id: 'second', status: 503 });
    expect(faults.decide(listPods)?.id).toBe('first');
    expect(faults.decide(listPods)?.id).toBe('second');
    expect(faults.list().map(({ id, hits, matches }) => ({ id, hits, matches }))).toEqual([
      { id: 'first', hits: 1, matches: 1 },
      { id: 'second', hits: 1, matches: 1 },
    ]);
  });

  it('lets a rule still in its `after` pass the request on to the next rule', () => {
    const faults = injector({ id: 'later', status: 500, after: 1 }, { id: 'now', status: 503 });
    expect(faults.decide(listPods)?.id).toBe('now');
    expect(faults.decide(listPods)?.id).toBe('later');
  });

  it('generates ids around the ones given, and refuses a taken id, adding nothing', () => {
    const faults = injector({ status: 500 }, { id: 'fault-2', status: 500 }, { status: 500 });
    expect(faults.list().map((rule) => rule.id)).toEqual(['fault-1', 'fault-2', 'fault-3']);
    expect(() =>
      faults.add(
        parseFaultRules([
          { id: 'new', status: 500 },
          { id: 'fault-1', status: 500 },
        ]),
      ),
    ).toThrow(new DuplicateFaultRuleError('fault rule "fault-1" already exists'));
    expect(faults.list()).toHaveLength(3);
  });

  it('removes one rule or all, answering them with their counters', () => {
    const faults = injector({ id: 'a', status: 500 }, { id: 'b', status: 503 });
    faults.decide(listPods);
    expect(faults.remove('a')).toMatchObject({ id: 'a', hits: 1 });
    expect(faults.remove('a')).toBeUndefined();
    expect(faults.clear().map((rule) => rule.id)).toEqual(['b']);
    expect(faults.hasRules).toBe(false);
    expect(faults.decide(listPods)).toBeUndefined();
  });
});
