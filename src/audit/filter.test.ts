import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { filterFromQuery, isCompletedWrite, matchesFilter, toRecordedWrite } from './filter.js';
import type { AuditEvent } from './types.js';

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'id',
    stage: 'ResponseComplete',
    requestURI: '/',
    verb: 'get',
    user: { username: 'jane', groups: ['system:authenticated'] },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2025-01-01T00:00:00.000000Z',
    stageTimestamp: '2025-01-01T00:00:00.000000Z',
    ...overrides,
  };
}

const podLog = event({
  verb: 'get',
  objectRef: { resource: 'pods', subresource: 'log', namespace: 'default', name: 'web', apiVersion: 'v1' },
});
const roleCreate = event({
  verb: 'create',
  user: { username: 'kubernetes-admin' },
  impersonatedUser: { username: 'system:serviceaccount:default:app' },
  objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
});

describe('matchesFilter', () => {
  it('matches each field given, and everything without a filter', () => {
    expect(matchesFilter(podLog, {})).toBe(true);
    expect(matchesFilter(podLog, { resource: 'pods' })).toBe(true);
    expect(matchesFilter(podLog, { resource: 'pods/log' })).toBe(true);
    expect(matchesFilter(podLog, { resource: 'pods/status' })).toBe(false);
    expect(matchesFilter(podLog, { subresource: 'log', namespace: 'default', name: 'web' })).toBe(true);
    expect(matchesFilter(podLog, { group: '' })).toBe(true);
    expect(matchesFilter(podLog, { group: 'apps' })).toBe(false);
    expect(matchesFilter(podLog, { verb: ['list', 'get'] })).toBe(true);
    expect(matchesFilter(podLog, { verb: 'list' })).toBe(false);
    expect(matchesFilter(podLog, { code: 200, stage: 'ResponseComplete' })).toBe(true);
    expect(matchesFilter(podLog, { stage: 'ResponseStarted' })).toBe(false);
  });

  it('matches the user who authenticated or the one impersonated; namespace "" means cluster-scoped', () => {
    expect(matchesFilter(roleCreate, { user: 'kubernetes-admin' })).toBe(true);
    expect(matchesFilter(roleCreate, { user: 'system:serviceaccount:default:app' })).toBe(true);
    expect(matchesFilter(roleCreate, { user: 'jane' })).toBe(false);
    expect(matchesFilter(roleCreate, { namespace: '' })).toBe(true);
    expect(matchesFilter(podLog, { namespace: '' })).toBe(false);
    expect(matchesFilter(event({}), { group: '' })).toBe(false);
  });
});

describe('writes', () => {
  it('selects completed writes and makes them short lines', () => {
    expect(isCompletedWrite(podLog)).toBe(false);
    expect(isCompletedWrite(roleCreate)).toBe(true);
    expect(isCompletedWrite({ ...roleCreate, stage: 'ResponseStarted' })).toBe(false);
    expect(toRecordedWrite(roleCreate)).toEqual({
      verb: 'create',
      resource: 'clusterroles',
      namespace: '',
      name: '',
      code: 201,
    });
    expect(toRecordedWrite({ ...podLog, verb: 'update' })).toEqual({
      verb: 'update',
      resource: 'pods/log',
      namespace: 'default',
      name: 'web',
      code: 200,
    });
  });
});

describe('filterFromQuery', () => {
  it('reads the filter, with verbs repeated or comma-separated', () => {
    expect(
      filterFromQuery(new URLSearchParams('user=jane&verb=create,patch&verb=delete&namespace=&code=403')),
    ).toEqual({ user: 'jane', verb: ['create', 'patch', 'delete'], namespace: '', code: 403 });
  });

  it('refuses unknown parameters and bad values with a 400', () => {
    const refused = (query: string): ApiError => {
      try {
        filterFromQuery(new URLSearchParams(query));
      } catch (error) {
        return error as ApiError;
      }
      throw new Error(`accepted ${query}`);
    };
    expect(refused('namspace=default')).toMatchObject({
      code: 400,
      message:
        'unknown query parameter "namspace"; the requests endpoint takes user, verb, resource, subresource, namespace, name, group, code, stage',
    });
    expect(refused('code=40x').message).toBe('code "40x" is not an HTTP status code');
    expect(refused('stage=Done').message).toBe(
      'stage "Done" is not one of RequestReceived, ResponseStarted, ResponseComplete, Panic',
    );
    expect(refused('user=a&user=b').message).toBe('query parameter "user" is given more than once');
  });
});
