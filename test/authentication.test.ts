import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('authentication', () => {
  let server: StartedFakeApiServer;
  let valid: string;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    server = await startFakeApiServer();
    valid = server.issueToken('default/pod-reader');
    claims = jwt.decode(valid) as Record<string, unknown>;
  });
  afterAll(() => server?.close());

  const get = (token: string, path = '/api/v1/namespaces/default/pods') =>
    send(server.url, server.caCert, { path, headers: { authorization: `Bearer ${token}` } });

  it('issues projected-token claims and accepts them, with any case of the Bearer scheme', async () => {
    expect(claims).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:default:pod-reader',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'pod-reader' } },
    });
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get(valid)).status).toBe(200);
    const lower = await send(server.url, server.caCert, {
      path: '/api/v1/namespaces/default/pods',
      headers: { authorization: `bearer ${valid}` },
    });
    expect(lower.status).toBe(200);
  });

  it('reports the service-account identity through SelfSubjectReview', async () => {
    const response = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      token: valid,
      body: {},
    });
    expect(response.status).toBe(201);
    expect(response.json().status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:pod-reader',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
  });

  const rejected: [string, () => string][] = [
    ['a malformed token', () => 'abc.def'],
    [
      'a token signed by another key',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return jwt.sign(claims, privateKey, { algorithm: 'RS256' });
      },
    ],
    [
      'an expired token',
      () => server.issueToken('default/pod-reader', { issuedAt: new Date(Date.now() - 7200_000) }),
    ],
    [
      'a token that is not valid yet',
      () => server.issueToken('default/pod-reader', { issuedAt: new Date(Date.now() + 3600_000) }),
    ],
    ['a token for another audience', () => server.issueToken('default/pod-reader', { audiences: ['vault'] })],
    ['an alg:none token', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
    ['an alg:NONE token', () => `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64(claims)}.`],
    [
      'an HS256 token keyed with the public key',
      () => {
        const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
        const jwks = server.caCert; // any public material: HS256 must never be accepted
        return `${head}.${createHmac('sha256', jwks).update(head).digest('base64url')}`;
      },
    ],
    [
      'a token whose sub does not match its kubernetes.io claim',
      () => {
        const [head, , sig] = valid.split('.');
        return `${head}.${b64({ ...claims, sub: 'system:serviceaccount:kube-system:default' })}.${sig}`;
      },
    ],
  ];
  for (const [what, token] of rejected) {
    it(`answers ${what} with 401 and a Status`, async () => {
      const response = await get(token());
      expect(response.status).toBe(401);
      expect(response.json()).toEqual(UNAUTHORIZED);
    });
  }

  it('rejects tokens of a service account that no longer exists (or was recreated)', async () => {
    const admin = adminCredentials(server.kubeconfig);
    const create = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/api/v1/namespaces/default/serviceaccounts',
      client: admin,
      body: { metadata: { name: 'short-lived' } },
    });
    expect(create.status).toBe(201);
    const token = server.issueToken('default/short-lived');
    expect((await get(token, '/api')).status).toBe(200);
    const deleted = await send(server.url, server.caCert, {
      method: 'DELETE',
      path: '/api/v1/namespaces/default/serviceaccounts/short-lived',
      client: admin,
    });
    expect(deleted.status).toBe(200);
    expect((await get(token, '/api')).status).toBe(401);
    await send(server.url, server.caCert, {
      method: 'POST',
      path: '/api/v1/namespaces/default/serviceaccounts',
      client: admin,
      body: { metadata: { name: 'short-lived' } },
    });
    expect((await get(token, '/api')).status).toBe(401);
  });

  it('treats a non-bearer Authorization header as no credentials (anonymous)', async () => {
    const response = await send(server.url, server.caCert, {
      path: '/version',
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(response.status).toBe(200);
    const api = await send(server.url, server.caCert, {
      path: '/api',
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(api.json().message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it('lets the admin certificate bypass RBAC as system:masters', async () => {
    const response = await send(server.url, server.caCert, {
      path: '/api/v1/pods',
      client: adminCredentials(server.kubeconfig),
    });
    expect(response.status).toBe(200);
    expect(response.json().items.length).toBeGreaterThanOrEqual(3);
  });
});
