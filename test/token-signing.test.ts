import { createLocalJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../src/index.js';
import { run } from './support/external.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';

describe('ES256 service-account tokens', () => {
  it('signs with P-256, publishes the key for OIDC verifiers, and is accepted by curl as the docs use it', async () => {
    await using server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
    const token = server.issueToken('default/pod-reader');
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as {
      alg: string;
    };
    expect(header.alg).toBe('ES256');

    const admin = adminCredentials(server.kubeconfig);
    const config = await send(server.url, server.caCert, {
      path: '/.well-known/openid-configuration',
      client: admin,
    });
    expect(config.json().id_token_signing_alg_values_supported).toEqual(['ES256']);
    const jwks = (await send(server.url, server.caCert, { path: '/openid/v1/jwks', client: admin })).json();
    expect(jwks.keys[0]).toMatchObject({ use: 'sig', kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(Object.keys(jwks.keys[0])).toEqual(['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: 'https://kubernetes.default.svc.cluster.local',
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe('system:serviceaccount:default:pod-reader');

    const ca = join(await mkdtemp(join(tmpdir(), 'fake-apiserver-es256-')), 'ca.crt');
    await writeFile(ca, server.caCert);
    const curl = await run('curl', [
      '-sS',
      '--cacert',
      ca,
      '-H',
      `Authorization: Bearer ${token}`,
      `${server.url}/api/v1/namespaces/default/pods`,
    ]);
    expect(JSON.parse(curl.stdout)).toMatchObject({ kind: 'PodList' });
  });

  it('accepts only its own algorithm: an RS256 token with the right claims is refused', async () => {
    await using server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
    const genuine = server.issueToken('default/pod-reader');
    const claims = JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString('utf8')) as object;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = jwt.sign(claims, privateKey, { algorithm: 'RS256' });
    const response = await send(server.url, server.caCert, { path: '/api', token: forged });
    expect(response.status).toBe(401);
    expect((await send(server.url, server.caCert, { path: '/api', token: genuine })).status).toBe(200);
  });

  it('keeps RS256 by default, with an RSA key', async () => {
    await using server = await startFakeApiServer({});
    const header = server.issueToken('default/default').split('.')[0]!;
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg).toBe('RS256');
  });
});
