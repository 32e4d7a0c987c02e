import { execFileSync } from 'node:child_process';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { run } from '../support/external.js';
import { send, type TestResponse } from '../support/https-client.js';

// What kube-apiserver answers for any failed credential (authentication/request/union, filters/authn).
const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};
const PODS = '/api/v1/namespaces/default/pods';
const ANONYMOUS_FORBIDDEN =
  'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS over exactly this header and payload, signed with `key` (ES256, RS256 or HS256). */
function signJws(header: Record<string, unknown>, payload: unknown, key: KeyObject | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  let signature: Buffer;
  if (typeof key === 'string') signature = createHmac('sha256', key).update(input).digest();
  else if (key.asymmetricKeyType === 'ec')
    signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else signature = sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const decodeClaims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;

/** A self-signed client certificate (not from the server's CA) claiming the admin's identity. */
function selfSignedAdminCertificate(dir: string): { cert: string; key: string } {
  const keyFile = join(dir, 'forged.key');
  const certFile = join(dir, 'forged.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=kubernetes-admin/O=system:masters',
      '-addext',
      'extendedKeyUsage=clientAuth',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: execFileSync('cat', [certFile]).toString(),
    key: execFileSync('cat', [keyFile]).toString(),
  };
}

/** One request with Authorization headers exactly as given (several values are several header lines). */
function withAuthorization(server: StartedFakeApiServer, authorization: string | string[], path = PODS) {
  return new Promise<TestResponse>((resolve, reject) => {
    const url = new URL(path, server.url);
    const values = Array.isArray(authorization) ? authorization : [authorization];
    // Raw header lines: Node adds no Host of its own then.
    const headers = ['host', url.host, ...values.flatMap((value) => ['authorization', value])];
    const r = request(url, { ca: server.caCert, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    r.on('error', reject);
    r.end();
  });
}

describe('hostile tokens and identities', () => {
  let dir: string;
  let server: StartedFakeApiServer;
  let ourKey: KeyObject;
  let keyId: string;
  let genuine: string;
  let claims: Record<string, any>;
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logs: string[] = [];
  // Every credential sent, genuine or hostile: none may show up in logs or recorded requests.
  const sent = new Set<string>();

  const get = (token: string, path = PODS) => {
    sent.add(token);
    return send(server.url, server.caCert, { path, headers: { authorization: `Bearer ${token}` } });
  };
  const expectUnauthorized = async (response: TestResponse) => {
    expect(response.status).toBe(401);
    expect(response.json()).toEqual(UNAUTHORIZED);
    // ...and the server keeps serving.
    expect((await get(genuine)).status).toBe(200);
  };
  const whoami = async (headers: Record<string, string>, client?: { cert: string; key: string }) => {
    const response = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      headers,
      body: {},
      ...(client ? { client } : {}),
    });
    return { status: response.status, username: response.json().status?.userInfo?.username as string };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-hostile-'));
    server = await startFakeApiServer({
      tokenSigningAlgorithm: 'ES256',
      keyCacheDir: join(dir, 'keys'),
      log: (message) => logs.push(message),
    });
    // The server's own signing key, to prove that header tricks fail even on a correctly signed token.
    ourKey = createPrivateKey(await readFile(join(dir, 'keys', 'service-account-es256.key'), 'utf8'));
    genuine = server.issueToken('default/pod-reader');
    sent.add(genuine);
    claims = decodeClaims(genuine);
    keyId = (JSON.parse(Buffer.from(genuine.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts tokens it signed, with or without its own kid (the controls for the cases below)', async () => {
    expect((await get(genuine)).status).toBe(200);
    expect((await get(signJws({ alg: 'ES256', typ: 'JWT', kid: keyId }, claims, ourKey))).status).toBe(200);
    expect((await get(signJws({ alg: 'ES256', typ: 'JWT' }, claims, ourKey))).status).toBe(200);
    // go-jose ignores jku/x5u (it verifies with the configured keys only), so they change nothing here.
    const jku = signJws({ alg: 'ES256', kid: keyId, jku: 'https://attacker.example/jwks' }, claims, ourKey);
    expect((await get(jku)).status).toBe(200);
  });

  const attackerJwk = () => attacker.publicKey.export({ format: 'jwk' });
  const headerTricks: [string, () => Record<string, unknown>][] = [
    ['a kid naming a key of its own', () => ({ alg: 'ES256', kid: 'attacker-key' })],
    ['our kid on a token signed by another key', () => ({ alg: 'ES256', kid: keyId })],
    [
      'a jku pointing at the signer',
      () => ({ alg: 'ES256', kid: keyId, jku: 'https://attacker.example/jwks' }),
    ],
    ['an x5u pointing at the signer', () => ({ alg: 'ES256', x5u: 'https://attacker.example/cert.pem' })],
    ['the signing key embedded as jwk', () => ({ alg: 'ES256', jwk: attackerJwk() })],
    [
      'the signing key embedded as jwk, with our kid',
      () => ({ alg: 'ES256', kid: keyId, jwk: attackerJwk() }),
    ],
    ['a kid with a path traversal', () => ({ alg: 'ES256', kid: '../../../../dev/null' })],
  ];
  for (const [what, header] of headerTricks) {
    it(`refuses a token signed by an attacker's key with ${what}`, async () => {
      await expectUnauthorized(await get(signJws(header(), claims, attacker.privateKey)));
    });
  }

  it("refuses a token signed with the server's own key when its kid names another key", async () => {
    // kube-apiserver picks keys by kid: GetPublicKeys(kid) finds none, "invalid signature, no keys found".
    await expectUnauthorized(await get(signJws({ alg: 'ES256', kid: 'another-key' }, claims, ourKey)));
  });

  it("refuses crit headers go-jose does not implement, even on the server's own signature", async () => {
    const crit = (extra: Record<string, unknown>) =>
      signJws({ alg: 'ES256', kid: keyId, ...extra }, claims, ourKey);
    await expectUnauthorized(await get(crit({ crit: ['exp'], exp: claims.exp })));
    await expectUnauthorized(await get(crit({ crit: ['http://attacker.example/ext'] })));
    await expectUnauthorized(await get(crit({ crit: 'b64' })));
  });

  it('refuses algorithm confusion: HS256 keyed with the public key from /openid/v1/jwks', async () => {
    const jwks = (await send(server.url, server.caCert, { path: '/openid/v1/jwks', token: genuine })).json();
    const publicKey = createPublicKey({ key: jwks.keys[0], format: 'jwk' });
    const secrets = [
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      publicKey.export({ type: 'spki', format: 'der' }).toString('latin1'),
      JSON.stringify(jwks.keys[0]),
    ];
    for (const secret of secrets) {
      await expectUnauthorized(await get(signJws({ alg: 'HS256', typ: 'JWT' }, claims, secret)));
      await expectUnauthorized(await get(signJws({ alg: 'HS256', kid: keyId }, claims, secret)));
    }
    // The other asymmetric algorithm, with a signature that is valid for its own key.
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectUnauthorized(await get(signJws({ alg: 'RS256', kid: keyId }, claims, rsa)));
  });

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`refuses alg: ${alg}, unsigned or with a borrowed signature`, async () => {
      const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
      await expectUnauthorized(await get(`${unsigned}.`));
      await expectUnauthorized(await get(`${unsigned}.${genuine.split('.')[2]}`));
      await expectUnauthorized(await get(`${b64({ alg, kid: keyId })}.${genuine.split('.')[1]}.`));
    });
  }

  it('refuses tokens of a deleted service account and of a deleted pod', async () => {
    const admin = adminCredentials(server.kubeconfig);
    const asAdmin = (method: string, path: string, body?: unknown) =>
      send(server.url, server.caCert, { method, path, client: admin, ...(body ? { body } : {}) });
    expect(
      (await asAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'gone' } }))
        .status,
    ).toBe(201);
    const accountToken = server.issueToken('default/gone');
    expect((await get(accountToken, '/api')).status).toBe(200);
    expect((await asAdmin('DELETE', '/api/v1/namespaces/default/serviceaccounts/gone')).status).toBe(200);
    await expectUnauthorized(await get(accountToken, '/api'));

    const pod = {
      metadata: { name: 'victim' },
      spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'busybox' }] },
    };
    expect((await asAdmin('POST', PODS, pod)).status).toBe(201);
    const tokenRequest = await asAdmin('POST', '/api/v1/namespaces/default/serviceaccounts/default/token', {
      spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'victim' } },
    });
    const podToken = tokenRequest.json().status.token as string;
    sent.add(podToken);
    expect((await get(podToken, '/api')).status).toBe(200);
    expect((await asAdmin('DELETE', `${PODS}/victim`)).status).toBe(200);
    // The kubelet ends a bound pod's graceful deletion on a later turn: the token goes with the pod.
    await vi.waitFor(async () => expect((await asAdmin('GET', `${PODS}/victim`)).status).toBe(404), {
      timeout: 5000,
      interval: 25,
    });
    await expectUnauthorized(await get(podToken, '/api'));
    // A new pod of the same name has another uid: the token stays refused.
    expect((await asAdmin('POST', PODS, pod)).status).toBe(201);
    await expectUnauthorized(await get(podToken, '/api'));
  });

  it("applies kube-apiserver's 60 s leeway to exp, nbf and iat, and not a second more", async () => {
    const now = Date.now();
    const issued = (offsetSeconds: number, expirationSeconds = 600) =>
      server.issueToken('default/pod-reader', {
        issuedAt: new Date(now + offsetSeconds * 1000),
        expirationSeconds,
      });
    // exp 30 s ago: within the leeway (go-jose's DefaultLeeway, used by pkg/serviceaccount/claims.go).
    expect((await get(issued(-630))).status).toBe(200);
    await expectUnauthorized(await get(issued(-665)));
    // nbf (and iat) in the future.
    expect((await get(issued(30))).status).toBe(200);
    await expectUnauthorized(await get(issued(65)));
    await expectUnauthorized(await get(issued(3600)));
    // iat alone in the future: "service account token is issued in the future".
    const nowSeconds = Math.floor(now / 1000);
    const futureIat = { ...claims, iat: nowSeconds + 120, nbf: nowSeconds, exp: nowSeconds + 600 };
    await expectUnauthorized(await get(signJws({ alg: 'ES256', kid: keyId }, futureIat, ourKey)));
  });

  it('answers a token over the 1 MiB header limit with 431 and keeps serving; one just under gets 401 quickly', async () => {
    // kube-apiserver's MaxHeaderBytes (secure_serving.go): 1 << 20, request line and all headers.
    const limit = 1 << 20;
    const huge = `eyJ${'A'.repeat(limit)}`;
    const refused = await withAuthorization(server, `Bearer ${huge}`).catch((error: Error) => error);
    // 431, or the connection closed while the client was still sending.
    if (!(refused instanceof Error)) expect(refused.status).toBe(431);
    expect((await get(genuine)).status).toBe(200);

    const started = Date.now();
    const large = `eyJ${'A'.repeat(limit - 16 * 1024)}.${'B'.repeat(100)}.${'C'.repeat(100)}`;
    await expectUnauthorized(await get(large));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('extracts the bearer token exactly as bearertoken.go does', async () => {
    const as = async (authorization: string | string[]) => {
      const response = await withAuthorization(server, authorization);
      return { status: response.status, message: response.json().message as string };
    };
    // A token that fails is 401; no token (the header ignored) is anonymous, whom RBAC refuses.
    const anonymous = { status: 403, message: ANONYMOUS_FORBIDDEN };
    const unauthorized = { status: 401, message: 'Unauthorized' };
    const accepted = { status: 200, message: undefined };
    expect(await as(`Bearer  ${genuine}`)).toEqual(anonymous); // an empty token before the extra space
    expect(await as(`Bearer\t${genuine}`)).toEqual(anonymous); // split on spaces only: one part
    expect(await as(`Bearer`)).toEqual(anonymous);
    expect(await as(`Basic ${genuine}`)).toEqual(anonymous);
    expect(await as(`Bearer Bearer ${genuine}`)).toEqual(unauthorized); // the token is "Bearer"
    expect(await as(`Bearer ${genuine}\tjunk`)).toEqual(unauthorized);
    expect(await as(`Bearer ${genuine},Bearer ${genuine}`)).toEqual(unauthorized);
    expect(await as(`Bearer ${genuine.slice(0, 40)} ${genuine.slice(40)}`)).toEqual(unauthorized);
    // SplitN(auth, " ", 3) keeps the second part: what follows another space is dropped, as upstream.
    expect(await as(`Bearer ${genuine} trailing-junk`)).toEqual(accepted);
    expect(await as(`bEaReR ${genuine}`)).toEqual(accepted);
    expect(await as(`Bearer ${genuine}\t`)).toEqual(accepted); // TrimSpace
    // Go's Header.Get and Node both take the first of repeated Authorization headers.
    expect(await as([`Bearer x${genuine}`, `Bearer ${genuine}`])).toEqual(unauthorized);
    expect(await as([`Bearer ${genuine}`, `Bearer x${genuine}`])).toEqual(accepted);
  });

  const malformed: [string, () => string][] = [
    ['without its signature', () => genuine.split('.').slice(0, 2).join('.') + '.'],
    ['with two segments', () => genuine.split('.').slice(0, 2).join('.')],
    ['with a fourth segment', () => `${genuine}.${genuine.split('.')[2]}`],
    ['with five segments (JWE-shaped)', () => `${genuine}.AAAA.BBBB`],
    [
      'with a flipped signature character',
      () => `${genuine.slice(0, -3)}${genuine.at(-3) === 'A' ? 'B' : 'A'}${genuine.slice(-2)}`,
    ],
    ['with base64 padding', () => `${genuine}==`],
    ['in JSON serialization', () => JSON.stringify({ payload: genuine.split('.')[1], signatures: [] })],
    [
      'with its payload swapped for another account',
      () => {
        const [head, , sig] = genuine.split('.');
        return `${head}.${b64({ ...claims, sub: 'system:serviceaccount:kube-system:default', 'kubernetes.io': { ...claims['kubernetes.io'], namespace: 'kube-system' } })}.${sig}`;
      },
    ],
  ];
  for (const [what, token] of malformed) {
    it(`refuses a token ${what}`, async () => {
      await expectUnauthorized(await get(token()));
    });
  }

  describe('client certificates not signed by our CA', () => {
    let forged: { cert: string; key: string };
    beforeAll(() => {
      forged = selfSignedAdminCertificate(dir);
    });

    it('answers a self-signed system:masters certificate with 401, never as admin or anonymous', async () => {
      // kube-apiserver requests client certificates without verifying them in the handshake
      // (tls.RequestClientCert); its x509 authenticator then fails the request: a failed credential.
      const response = await send(server.url, server.caCert, { path: '/api/v1/pods', client: forged });
      expect(response.status).toBe(401);
      expect(response.json()).toEqual(UNAUTHORIZED);
      expect(logs.some((line) => /unauthorized: verifying certificate SN=\w+ failed: /.test(line))).toBe(
        true,
      );
      // The genuine admin certificate still works.
      const admin = await send(server.url, server.caCert, {
        path: '/api/v1/pods',
        client: adminCredentials(server.kubeconfig),
      });
      expect(admin.status).toBe(200);
    });

    it('is refused to curl as well', async () => {
      const caFile = join(dir, 'ca.crt');
      const certFile = join(dir, 'forged.crt');
      const keyFile = join(dir, 'forged.key');
      execFileSync('sh', ['-c', `cat > ${caFile}`], { input: server.caCert });
      const result = await run('curl', [
        '-sS',
        '--cacert',
        caFile,
        '--cert',
        certFile,
        '--key',
        keyFile,
        '-w',
        '\n%{http_code}',
        `${server.url}/api/v1/pods`,
      ]);
      const lines = result.stdout.trim().split('\n');
      expect(lines.at(-1)).toBe('401');
      expect(JSON.parse(lines.slice(0, -1).join('\n'))).toEqual(UNAUTHORIZED);
    });

    it('lets a valid bearer token through beside it, as the authenticator union does', async () => {
      expect(await whoami({ authorization: `Bearer ${genuine}` }, forged)).toEqual({
        status: 201,
        username: 'system:serviceaccount:default:pod-reader',
      });
      expect((await whoami({ authorization: 'Bearer not-a-token' }, forged)).status).toBe(401);
    });
  });

  it('never writes a token in full to the log or to recorded requests', async () => {
    const recorded = JSON.stringify(server.requests());
    const logged = logs.join('\n');
    expect(sent.size).toBeGreaterThan(40);
    for (const token of sent) {
      for (const text of [recorded, logged]) {
        expect(text.includes(token)).toBe(false);
        // Not even its signature or its payload.
        for (const part of token.split('.').slice(1))
          if (part.length >= 16) expect(text.includes(part)).toBe(false);
      }
    }
  });
});
