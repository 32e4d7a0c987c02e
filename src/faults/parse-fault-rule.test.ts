import { describe, expect, it } from 'vitest';
import { FaultRuleError, parseFaultRule, parseFaultRules } from './parse-fault-rule.js';

const invalid = (value: unknown) => () => parseFaultRule(value);

describe('parseFaultRule', () => {
  it('keeps the match fields, the counters and the action', () => {
    const spec = parseFaultRule({
      id: 'throttle',
      verb: 'list',
      resource: 'pods',
      group: '',
      namespace: 'default',
      user: 'system:serviceaccount:default:ctrl',
      times: 2,
      after: 1,
      status: 429,
      retryAfterSeconds: 1,
    });
    expect(spec).toMatchObject({
      id: 'throttle',
      verb: 'list',
      resource: 'pods',
      group: '',
      namespace: 'default',
      name: undefined,
      user: 'system:serviceaccount:default:ctrl',
      times: 2,
      after: 1,
      latencyMs: undefined,
      action: { type: 'status', code: 429, retryAfterSeconds: 1 },
    });
    expect(spec.rule).toEqual({
      id: 'throttle',
      verb: 'list',
      resource: 'pods',
      group: '',
      namespace: 'default',
      user: 'system:serviceaccount:default:ctrl',
      times: 2,
      after: 1,
      status: 429,
      retryAfterSeconds: 1,
    });
  });

  it('reads latency as milliseconds or a Go duration, alone or with another action', () => {
    expect(parseFaultRule({ latency: 250 })).toMatchObject({ latencyMs: 250, action: undefined });
    expect(parseFaultRule({ latency: '1.5s' }).latencyMs).toBe(1500);
    expect(parseFaultRule({ latency: '1m30s', status: 500 })).toMatchObject({
      latencyMs: 90_000,
      action: { type: 'status', code: 500 },
    });
  });

  it('limits watch actions to watches, and makes watch their default verb', () => {
    expect(parseFaultRule({ watchError: true }).verb).toBe('watch');
    expect(parseFaultRule({ verb: '*', endWatchAfter: 3 })).toMatchObject({
      verb: 'watch',
      action: { type: 'endWatch', afterEvents: 3 },
    });
    expect(invalid({ verb: 'list', watchError: true })).toThrow(
      'watchError applies to watches: set verb to "watch" or leave it out, not "list"',
    );
  });

  it('treats * as any verb and any group', () => {
    expect(parseFaultRule({ verb: '*', group: '*', reset: true })).toMatchObject({
      verb: undefined,
      group: undefined,
      action: { type: 'reset' },
    });
  });

  it.each([
    [{ stauts: 500 }, 'unknown field "stauts" (rule fields: id, verb, resource,'],
    [{ status: 418 }, 'status 418 is not supported; use one of 401, 403, 404, 409, 410, 429, 500, 503, 504'],
    [{ status: '500' }, 'status "500" is not supported'],
    [{ status: 500, times: -1 }, 'times must be an integer of at least 1, not -1'],
    [{ status: 500, times: 0 }, 'times must be an integer of at least 1, not 0'],
    [{ status: 500, after: 1.5 }, 'after must be an integer of at least 0, not 1.5'],
    [{ latency: -5 }, 'latency must be milliseconds of at least 0, not -5'],
    [{ latency: '-1s' }, 'latency must not be negative, not "-1s"'],
    [
      { latency: '5 sec' },
      'latency "5 sec" is not a Go duration (time: unknown unit " sec" in duration "5 sec")',
    ],
    [{ verb: 'GET', status: 500 }, 'verb "GET" is not one of get, list, watch,'],
    [{ resource: 'Pods', status: 500 }, 'resource "Pods" is not a plural resource'],
    [{ resource: 'pods/*', status: 500 }, 'resource "pods/*" is not a plural resource'],
    [{ id: 'a b', status: 500 }, 'id "a b" must be 1 to 63 letters'],
    [{ name: '', status: 500 }, 'name must be a non-empty string, not ""'],
    [{ status: 500, reset: true }, 'a rule has one action: status, reset, watchError or endWatchAfter'],
    [{ verb: 'get' }, 'the rule does nothing: give latency, status, reset, watchError or endWatchAfter'],
    [{ reset: false }, 'the rule does nothing'],
    [{ reset: 'yes' }, 'reset must be true or false, not "yes"'],
    [{ status: 404, message: 'gone' }, 'message is not used with status 404'],
    [{ status: 500, retryAfterSeconds: 1 }, 'retryAfterSeconds is not used with status 500'],
    [{ message: 'x', latency: 1 }, 'message needs a status'],
    [{ endWatchAfter: -1 }, 'endWatchAfter must be an integer of at least 0, not -1'],
    ['rule', 'a rule must be an object, not "rule"'],
  ])('refuses %j', (rule, message) => {
    expect(invalid(rule)).toThrow(FaultRuleError);
    expect(invalid(rule)).toThrow(message);
  });
});

describe('parseFaultRules', () => {
  it('names the rule that is wrong, counting from 1', () => {
    expect(() => parseFaultRules([{ status: 500 }, { status: 500, times: -2 }])).toThrow(
      'rule 2: times must be an integer of at least 1, not -2',
    );
  });

  it('wants a list, or a single rule where allowed', () => {
    expect(() => parseFaultRules({ status: 500 })).toThrow('expected a list of rules, not {"status":500}');
    expect(parseFaultRules({ status: 500 }, true)).toHaveLength(1);
    expect(parseFaultRules([])).toEqual([]);
  });
});
