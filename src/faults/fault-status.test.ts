import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from '../http/request-info.js';
import { statusFaultResponse, watchErrorStatus, type FaultedRequest } from './fault-status.js';

function request(method: string, path: string, query = ''): FaultedRequest {
  const params = new URLSearchParams(query);
  return {
    info: parseRequestInfo(method, path, params),
    user: { username: 'system:serviceaccount:default:ctrl', groups: ['system:serviceaccounts'] },
    resourceVersion: params.get('resourceVersion') ?? undefined,
    currentResourceVersion: 42,
    ruleId: 'r1',
  };
}

const getPod = request('GET', '/api/v1/namespaces/default/pods/web');
const listPods = request('GET', '/api/v1/namespaces/default/pods');

const respond = (
  code: number,
  req = getPod,
  extra: { message?: string; retryAfterSeconds?: number } = {},
) => {
  const { error, headers } = statusFaultResponse({ code, ...extra }, req);
  return { status: error.toStatus(), headers, retryAfter: error.details?.retryAfterSeconds };
};

// The bodies kube-apiserver 1.33 writes for these codes (apimachinery errors.go and the filters that use it).
describe('statusFaultResponse', () => {
  it('429: the not-ready cacher, with retryAfterSeconds (writeError adds the Retry-After header)', () => {
    expect(respond(429, listPods, { retryAfterSeconds: 2 }).status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'storage is (re)initializing',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 },
      code: 429,
    });
    expect(respond(429).retryAfter).toBe(1);
    expect(respond(429, getPod, { retryAfterSeconds: 0 }).status.details).toEqual({});
  });

  it('500: NewInternalError, naming the rule unless a message is given', () => {
    expect(respond(500).status).toMatchObject({
      message: 'Internal error occurred: fault injected by fake-apiserver rule "r1"',
      reason: 'InternalError',
      details: { causes: [{ message: 'fault injected by fake-apiserver rule "r1"' }] },
      code: 500,
    });
    expect(respond(500, getPod, { message: 'etcdserver: request timed out' }).status.message).toBe(
      'Internal error occurred: etcdserver: request timed out',
    );
  });

  it('503: the shutting-down apiserver, Retry-After as a header only', () => {
    const { status, headers } = respond(503);
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'apiserver is shutting down',
      reason: 'ServiceUnavailable',
      code: 503,
    });
    expect(headers).toEqual({ 'Retry-After': '1' });
  });

  it('504: the timeout filter', () => {
    expect(respond(504).status).toMatchObject({
      message: 'Timeout: request did not complete within the allotted timeout',
      reason: 'Timeout',
      details: {},
      code: 504,
    });
  });

  it('409: the optimistic-lock conflict on the named object', () => {
    expect(respond(409).status).toMatchObject({
      message:
        'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'web', kind: 'pods' },
      code: 409,
    });
  });

  it('410: the watch cache too-old resourceVersion, for the version asked', () => {
    expect(respond(410, request('GET', '/api/v1/pods', 'resourceVersion=7')).status).toMatchObject({
      message: 'too old resource version: 7 (43)',
      reason: 'Expired',
      code: 410,
    });
    expect(watchErrorStatus(undefined, 42).message).toBe('too old resource version: 42 (43)');
  });

  it('401, 403 and 404 as authentication, RBAC and the store word them', () => {
    expect(respond(401).status).toMatchObject({ message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect(respond(403, listPods).status).toMatchObject({
      message:
        'pods is forbidden: User "system:serviceaccount:default:ctrl" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
    });
    expect(respond(404).status).toMatchObject({
      message: 'pods "web" not found',
      reason: 'NotFound',
      details: { name: 'web', kind: 'pods' },
    });
    expect(respond(404, listPods).status.message).toBe('the server could not find the requested resource');
  });
});
