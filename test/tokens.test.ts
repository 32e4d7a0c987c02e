import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

describe('tokens and identities', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-tokens-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({
      kubeconfig,
      users: [{ name: 'jane', groups: ['developers'], token: 'jane-static-token' }],
    });
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const whoami = async (token: string) =>
    send(server.url, server.caCert, {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      token,
      body: {},
    });
  const tokenRequest = (account: string, spec: Record<string, unknown>) =>
    asAdmin({
      method: 'POST',
      path: `/api/v1/namespaces/default/serviceaccounts/${account}/token`,
      body: { spec },
    });

  it('answers TokenRequest with defaults, bounds and the real validation message', async () => {
    const created = await tokenRequest('pod-reader', {});
    expect(created.status).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 },
    });
    const claims = jwt.decode(body.status.token) as Record<string, number>;
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Date.parse(body.status.expirationTimestamp) / 1000).toBe(claims.exp);
    expect((await whoami(body.status.token)).json().status.userInfo.username).toBe(
      'system:serviceaccount:default:pod-reader',
    );

    const short = await tokenRequest('pod-reader', { expirationSeconds: 60 });
    expect(short.status).toBe(422);
    expect(short.json().message).toBe(
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    );
    const missing = await tokenRequest('nobody', {});
    expect(missing.json()).toMatchObject({ code: 404, message: 'serviceaccounts "nobody" not found' });
    const otherAudience = (await tokenRequest('pod-reader', { audiences: ['vault'] })).json().status.token;
    expect((await whoami(otherAudience)).status).toBe(401);
  });

  it('binds tokens to pods: the kubelet lifetime is extended, and deleting the pod invalidates them', async () => {
    await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body: {
        metadata: { name: 'bound' },
        spec: {
          serviceAccountName: 'pod-reader',
          nodeName: 'kind-control-plane',
          containers: [{ name: 'c', image: 'busybox' }],
        },
      },
    });
    const response = await tokenRequest('pod-reader', {
      expirationSeconds: 3607,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound' },
    });
    expect(response.status).toBe(201);
    const token = response.json().status.token;
    const claims = jwt.decode(token) as any;
    expect(claims['kubernetes.io'].pod.name).toBe('bound');
    expect(claims['kubernetes.io'].node).toEqual({ name: 'kind-control-plane' });
    expect(claims.exp - claims.iat).toBe(31536000);
    expect(claims['kubernetes.io'].warnafter - claims.iat).toBe(3607);
    const me = (await whoami(token)).json().status.userInfo;
    expect(me.extra['authentication.kubernetes.io/pod-name']).toEqual(['bound']);

    const wrongAccount = await tokenRequest('default', {
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound' },
    });
    expect(wrongAccount.json()).toMatchObject({
      code: 400,
      message:
        'cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.',
    });
    const wrongKind = await tokenRequest('pod-reader', {
      boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' },
    });
    expect(wrongKind.json().message).toBe('cannot bind token to object of type /v1, Kind=ConfigMap');

    await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/bound' });
    // Valid while the pod terminates; gone with the pod once its kubelet has deleted it.
    await vi.waitFor(async () => expect((await whoami(token)).status).toBe(401));
  });

  it('fills service-account-token Secrets whose legacy tokens authenticate until the Secret goes', async () => {
    const created = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/secrets',
      body: {
        metadata: {
          name: 'pod-reader-token',
          annotations: { 'kubernetes.io/service-account.name': 'pod-reader' },
        },
        type: 'kubernetes.io/service-account-token',
      },
    });
    expect(created.status).toBe(201);
    const secret = (await asAdmin({ path: '/api/v1/namespaces/default/secrets/pod-reader-token' })).json();
    expect(Buffer.from(secret.data.namespace, 'base64').toString()).toBe('default');
    expect(Buffer.from(secret.data['ca.crt'], 'base64').toString()).toBe(server.caCert);
    const token = Buffer.from(secret.data.token, 'base64').toString();
    expect(jwt.decode(token)).toMatchObject({
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/secret.name': 'pod-reader-token',
      sub: 'system:serviceaccount:default:pod-reader',
    });
    const pods = await send(server.url, server.caCert, { path: '/api/v1/namespaces/default/pods', token });
    expect(pods.status).toBe(200);
    await asAdmin({ method: 'DELETE', path: '/api/v1/namespaces/default/secrets/pod-reader-token' });
    expect((await send(server.url, server.caCert, { path: '/api', token })).status).toBe(401);
  });

  it('reviews tokens with TokenReview', async () => {
    const token = server.issueToken('default/pod-reader');
    const review = (spec: Record<string, unknown>) =>
      asAdmin({ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body: { spec } });
    const ok = await review({ token });
    expect(ok.status).toBe(201);
    expect(ok.json().status).toMatchObject({
      authenticated: true,
      user: { username: 'system:serviceaccount:default:pod-reader' },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
    });
    const vault = server.issueToken('default/pod-reader', { audiences: ['vault'] });
    expect((await review({ token: vault, audiences: ['vault'] })).json().status).toMatchObject({
      authenticated: true,
      audiences: ['vault'],
    });
    const bad = (await review({ token: 'garbage' })).json().status;
    expect(bad.authenticated).toBeUndefined();
    expect(bad.error).toMatch(/^\[invalid bearer token, /);
  });

  it('publishes OIDC discovery that a JOSE library verifies tokens with', async () => {
    const token = server.issueToken('default/pod-reader');
    const config = (
      await send(server.url, server.caCert, { path: '/.well-known/openid-configuration', token })
    ).json();
    expect(config).toEqual({
      issuer: 'https://kubernetes.default.svc.cluster.local',
      jwks_uri: `${server.url}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwksResponse = await send(server.url, server.caCert, {
      path: new URL(config.jwks_uri).pathname,
      token,
    });
    expect(jwksResponse.headers['content-type']).toBe('application/jwk-set+json');
    const jwks = createLocalJWKSet(jwksResponse.json());
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: config.issuer,
      audience: 'https://kubernetes.default.svc.cluster.local',
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe('system:serviceaccount:default:pod-reader');
    // As on a real cluster, the discovery documents are for service accounts, not for anonymous users.
    expect((await send(server.url, server.caCert, { path: '/openid/v1/jwks' })).status).toBe(403);
  });

  it('authenticates static users by token and any user by a client certificate from the handle', async () => {
    const me = (await whoami('jane-static-token')).json().status.userInfo;
    expect(me).toEqual({ username: 'jane', groups: ['developers', 'system:authenticated'] });
    const forbidden = await send(server.url, server.caCert, {
      path: '/api/v1/namespaces/default/pods',
      token: 'jane-static-token',
    });
    expect(forbidden.json().message).toBe(
      'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    const kubectl = kubectlBinary(33);
    if (clientAvailable('kubectl 1.33', () => existsSync(kubectl))) {
      const janeConfig = join(dir, 'jane.kubeconfig');
      await writeFile(janeConfig, await server.kubeconfigFor('jane', ['developers', 'qa']));
      const result = await run(kubectl, [
        '--kubeconfig',
        janeConfig,
        '--cache-dir',
        join(dir, 'cache'),
        'auth',
        'whoami',
      ]);
      expect(result.stdout).toMatch(/Username\s+jane\n/);
      expect(result.stdout).toMatch(/Groups\s+\[developers qa system:authenticated\]/);
    }
  });
});

describe('anonymous authentication turned off', () => {
  it('answers requests without credentials with 401', async () => {
    await using server = await startFakeApiServer({ anonymous: false });
    const response = await send(server.url, server.caCert, { path: '/version' });
    expect(response.status).toBe(401);
    expect(response.json().reason).toBe('Unauthorized');
  });
});

for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} create token`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), `fake-apiserver-create-token-${minor}-`));
        server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
      });
      afterAll(() => server?.close());
      const kubectlRun = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);

      it("follows the older docs' recipe: a token Secret, then kubectl describe secret", async () => {
        const manifest = join(dir, 'secret.yaml');
        await writeFile(
          manifest,
          [
            'apiVersion: v1',
            'kind: Secret',
            'metadata:',
            '  name: default-token',
            '  annotations:',
            '    kubernetes.io/service-account.name: default',
            'type: kubernetes.io/service-account-token',
            '',
          ].join('\n'),
        );
        expect((await kubectlRun('apply', '-f', manifest)).stdout).toBe('secret/default-token created\n');
        const described = await kubectlRun('describe', 'secret', 'default-token');
        expect(described.stdout).toMatch(/^Type:\s+kubernetes\.io\/service-account-token$/m);
        expect(described.stdout).toMatch(/^namespace:\s+7 bytes$/m);
        const token = /^token:\s+(\S+)$/m.exec(described.stdout)?.[1] ?? '';
        const response = await send(server.url, server.caCert, { path: '/api', token });
        expect(response.status).toBe(200);
      });

      it('issues tokens that authenticate, with duration, audience and pod binding', async () => {
        const plain = await kubectlRun('create', 'token', 'pod-reader', '--duration=2h');
        expect(plain.stderr).toBe('');
        expect(plain.stdout).not.toMatch(/\n$/);
        const claims = jwt.decode(plain.stdout) as any;
        expect(claims.exp - claims.iat).toBe(7200);
        await writeFile(join(dir, 'ca.crt'), server.caCert);
        const pods = await run(kubectl, [
          ...['--kubeconfig', '/dev/null', '--cache-dir', join(dir, 'cache-sa'), '--server', server.url],
          ...['--certificate-authority', join(dir, 'ca.crt'), '--token', plain.stdout],
          ...['get', 'pods', '-n', 'default', '-o', 'name'],
        ]);
        expect(pods.stdout).toContain('pod/helloworld');

        const bound = await kubectlRun(
          'create',
          'token',
          'default',
          '--bound-object-kind=Pod',
          '--bound-object-name=helloworld',
        );
        expect((jwt.decode(bound.stdout) as any)['kubernetes.io'].pod.name).toBe('helloworld');

        const tooShort = await kubectlRun('create', 'token', 'default', '--duration=5m');
        expect(tooShort.code).not.toBe(0);
        expect(tooShort.stderr).toContain('may not specify a duration less than 10 minutes');
      });
    },
  );
}
