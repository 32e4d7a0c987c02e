import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from '../http/request-info.js';
import {
  buildAuditEvent,
  microTime,
  sourceIps,
  truncateUserAgent,
  type RequestFacts,
  type ResponseFacts,
} from './event-builder.js';

const RECEIVED = new Date('2025-05-01T10:00:00.123Z');
const DONE = new Date('2025-05-01T10:00:00.130Z');
const ADMIN = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const APP = {
  username: 'system:serviceaccount:default:app',
  uid: 'sa-uid',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/credential-id': ['JTI=abc'] },
};

function facts(method: string, uri: string, overrides: Partial<RequestFacts> = {}): RequestFacts {
  const url = new URL(uri, 'https://x.invalid');
  return {
    auditID: 'a1b2',
    level: 'Metadata',
    requestURI: uri,
    info: parseRequestInfo(method, url.pathname, url.searchParams),
    user: ADMIN,
    impersonatedUser: undefined,
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc',
    receivedAt: RECEIVED,
    requestBody: undefined,
    authorization: { allowed: true, reason: '' },
    ...overrides,
  };
}

const ok = (code: number, body?: unknown): ResponseFacts => ({ code, status: undefined, body });
const CONFIGMAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };

describe('buildAuditEvent', () => {
  it('writes a create as kube-apiserver does, keys in the Go struct order, the name taken from the body', () => {
    const event = buildAuditEvent(
      facts('POST', '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create', {
        requestBody: CONFIGMAP,
      }),
      ok(201, CONFIGMAP),
      'ResponseComplete',
      DONE,
    );
    expect(JSON.stringify(event)).toBe(
      JSON.stringify({
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID: 'a1b2',
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create',
        verb: 'create',
        user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
        sourceIPs: ['127.0.0.1'],
        userAgent: 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc',
        objectRef: { resource: 'configmaps', namespace: 'default', name: 'settings', apiVersion: 'v1' },
        responseStatus: { metadata: {}, code: 201 },
        requestReceivedTimestamp: '2025-05-01T10:00:00.123000Z',
        stageTimestamp: '2025-05-01T10:00:00.130000Z',
        annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
      }),
    );
  });

  it('copies the Status of a denial and records the forbid decision with its reason', () => {
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "system:serviceaccount:default:app" cannot list resource "pods"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    };
    const event = buildAuditEvent(
      facts('GET', '/api/v1/namespaces/kube-system/pods', {
        user: APP,
        authorization: { allowed: false, reason: '' },
      }),
      { code: 403, status, body: status },
      'ResponseComplete',
      DONE,
    );
    expect(event.user).toEqual(APP);
    expect(event.verb).toBe('list');
    expect(event.objectRef).toEqual({ resource: 'pods', namespace: 'kube-system', apiVersion: 'v1' });
    expect(event.responseStatus).toEqual({
      metadata: {},
      status: 'Failure',
      message: status.message,
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    expect(event.annotations).toEqual({
      'authorization.k8s.io/decision': 'forbid',
      'authorization.k8s.io/reason': '',
    });
    expect(event.responseObject).toBeUndefined();
  });

  it('has an empty user and no decision when authentication failed', () => {
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'Unauthorized',
      code: 401,
    };
    const event = buildAuditEvent(
      facts('GET', '/api', { user: undefined, authorization: undefined }),
      { code: 401, status: { ...status, reason: 'Unauthorized' }, body: undefined },
      'ResponseComplete',
      DONE,
    );
    expect(event.user).toEqual({});
    expect(event.objectRef).toBeUndefined();
    expect(event.annotations).toBeUndefined();
    expect(event.responseStatus).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('names the impersonated user apart from the one who authenticated', () => {
    const event = buildAuditEvent(
      facts('GET', '/api/v1/namespaces/default/pods/web', { impersonatedUser: APP }),
      ok(200),
      'ResponseComplete',
      DONE,
    );
    expect(event.user.username).toBe('kubernetes-admin');
    expect(event.impersonatedUser).toEqual(APP);
    expect(event.objectRef?.name).toBe('web');
  });

  it('records bodies only at the levels that ask, and only for resource requests', () => {
    const create = (level: RequestFacts['level']) =>
      buildAuditEvent(
        facts('POST', '/api/v1/namespaces/default/configmaps', { level, requestBody: CONFIGMAP }),
        ok(201, { ...CONFIGMAP, metadata: { ...CONFIGMAP.metadata, uid: 'u1' } }),
        'ResponseComplete',
        DONE,
      );
    expect(create('Metadata')).not.toHaveProperty('requestObject');
    expect(create('Metadata')).not.toHaveProperty('responseObject');
    expect(create('Request').requestObject).toEqual(CONFIGMAP);
    expect(create('Request')).not.toHaveProperty('responseObject');
    expect(create('RequestResponse').responseObject).toMatchObject({ metadata: { uid: 'u1' } });

    const discovery = buildAuditEvent(
      facts('GET', '/api', { level: 'RequestResponse' }),
      ok(200, { kind: 'APIVersions', versions: ['v1'] }),
      'ResponseComplete',
      DONE,
    );
    expect(discovery).not.toHaveProperty('objectRef');
    expect(discovery).not.toHaveProperty('responseObject');
  });

  it('records a patch document as it came, without taking names from it', () => {
    const patch = [{ op: 'replace', path: '/metadata/name', value: 'other' }];
    const event = buildAuditEvent(
      facts('PATCH', '/api/v1/namespaces/default/configmaps/settings', {
        level: 'Request',
        requestBody: patch,
      }),
      ok(200),
      'ResponseComplete',
      DONE,
    );
    expect(event.requestObject).toEqual(patch);
    expect(event.objectRef?.name).toBe('settings');
  });

  it('takes uid and resourceVersion from an update body, and subresources from the URL', () => {
    const event = buildAuditEvent(
      facts('PUT', '/api/v1/namespaces/default/pods/web/status', {
        requestBody: { metadata: { name: 'web', uid: 'u9', resourceVersion: '42' } },
      }),
      ok(200),
      'ResponseComplete',
      DONE,
    );
    expect(event.objectRef).toEqual({
      resource: 'pods',
      namespace: 'default',
      name: 'web',
      uid: 'u9',
      apiVersion: 'v1',
      resourceVersion: '42',
      subresource: 'status',
    });
  });

  it('redacts tokens in bodies and in error messages', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const event = buildAuditEvent(
      facts('POST', '/api/v1/namespaces/default/serviceaccounts/app/token', {
        level: 'RequestResponse',
        requestBody: { kind: 'TokenRequest', spec: { audiences: ['api'] } },
      }),
      {
        code: 201,
        status: undefined,
        body: { kind: 'TokenRequest', status: { token: jwt, expirationTimestamp: 'x' } },
      },
      'ResponseComplete',
      DONE,
    );
    expect(JSON.stringify(event)).not.toContain(jwt);
    expect(event.responseObject).toEqual({
      kind: 'TokenRequest',
      status: { token: 'eyJhbGci...[redacted]', expirationTimestamp: 'x' },
    });
    const failed = buildAuditEvent(
      facts('POST', '/apis/authentication.k8s.io/v1/tokenreviews'),
      {
        code: 400,
        status: {
          status: 'Failure',
          message: `Object 'Kind' is missing in '"${jwt}"'`,
          reason: 'BadRequest',
        },
        body: undefined,
      },
      'ResponseComplete',
      DONE,
    );
    expect(failed.responseStatus?.message).toBe(`Object 'Kind' is missing in '"eyJhbGci...[redacted]"'`);
  });

  it('reports a response closed before anything was written as kube-apiserver does', () => {
    const event = buildAuditEvent(
      facts('GET', '/api/v1/pods?watch=true'),
      { code: undefined, status: undefined, body: undefined },
      'ResponseComplete',
      DONE,
    );
    expect(event.verb).toBe('watch');
    expect(event.responseStatus).toEqual({
      metadata: {},
      status: 'Success',
      message: 'Connection closed early',
      code: 200,
    });
  });
});

describe('sourceIps', () => {
  it('lists X-Forwarded-For, then X-Real-Ip unless listed, then the peer unless it is the last', () => {
    expect(sourceIps(undefined, undefined, '127.0.0.1')).toEqual(['127.0.0.1']);
    expect(sourceIps('10.0.0.1, bogus, 10.0.0.2', '10.0.0.1', '127.0.0.1')).toEqual([
      '10.0.0.1',
      '10.0.0.2',
      '127.0.0.1',
    ]);
    expect(sourceIps('10.0.0.1', '10.0.0.3', '10.0.0.3')).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(sourceIps(undefined, undefined, '::ffff:127.0.0.1')).toEqual(['127.0.0.1']);
    expect(sourceIps(undefined, undefined, '0:0:0:0:0:0:0:1')).toEqual(['::1']);
    expect(sourceIps(undefined, undefined, undefined)).toEqual([]);
  });
});

describe('formats', () => {
  it('writes MicroTime with six fractional digits in UTC', () => {
    expect(microTime(new Date('2024-02-29T23:59:59.007Z'))).toBe('2024-02-29T23:59:59.007000Z');
  });

  it('cuts a user agent longer than 1024 characters as kube-apiserver does', () => {
    expect(truncateUserAgent('curl/8.0')).toBe('curl/8.0');
    expect(truncateUserAgent(undefined)).toBeUndefined();
    const long = truncateUserAgent('x'.repeat(2000))!;
    expect(long).toBe(`${'x'.repeat(1024)}...TRUNCATED`);
  });
});
