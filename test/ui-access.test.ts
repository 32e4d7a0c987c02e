import { request } from 'node:https';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send, type TestRequest, type TestResponse } from './support/https-client.js';

const UI = '/fake-apiserver/ui';
const SECRET_VALUE = 'inspector-s3cret-value';
const SECRET_PATH = `${UI}/api/object?kind=%2Fsecrets&namespace=default&name=db-password`;
// Every kind of thing the inspector serves: the page, its script, the feed, the lists and one object.
const PATHS = [
  `${UI}/`,
  `${UI}/app.js`,
  `${UI}/events`,
  `${UI}/api/kinds`,
  `${UI}/api/objects?kind=%2Fsecrets`,
  SECRET_PATH,
];
const NEEDS_TOKEN =
  '[fake-apiserver] the web inspector needs its token: open the URL fake-apiserver printed at start ("web inspector at https://…/fake-apiserver/ui/?token=…", or server.uiUrl), or send a credential of a user RBAC allows to list every resource. If you opened that URL and still see this, reload the page.\n';

/** An address of this machine that is not loopback, to be a remote client of ourselves. */
function nonLoopbackAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

async function startWithSecret(
  options: Parameters<typeof startFakeApiServer>[0] = {},
): Promise<StartedFakeApiServer> {
  const server = await startFakeApiServer({ ui: true, ...options });
  await server.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-password', namespace: 'default' },
    data: { password: Buffer.from(SECRET_VALUE).toString('base64') },
  });
  return server;
}

/** Trades the token of `uiUrl` for the cookie, as a browser does on its first visit; returns the cookie. */
async function exchangeToken(server: StartedFakeApiServer): Promise<string> {
  const url = new URL(server.uiUrl!);
  const response = await send(server.url, server.caCert, { path: `${url.pathname}${url.search}` });
  expect(response.status).toBe(303);
  const setCookie = response.headers['set-cookie'] as string[];
  expect(setCookie).toHaveLength(1);
  return setCookie[0]!.split(';')[0]!;
}

function get(server: StartedFakeApiServer, path: string, request: Partial<TestRequest> = {}) {
  return send(server.url, server.caCert, { path, ...request });
}

/**
 * A GET with another `Host` header, on a connection to the server's address. Node would check the server's
 * certificate against the Host (as a browser does against the name it resolved): here it is checked against
 * the address connected to, as a page of another site whose name resolves to this machine reaches it.
 */
function getWithHost(
  server: StartedFakeApiServer,
  path: string,
  host: string,
  options: { cookie?: string; client?: { cert: string; key: string } } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { host, ...(options.cookie ? { cookie: options.cookie } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server.url),
      { headers, ca: server.caCert, servername: '', ...options.client },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A refusal carries nothing of the store: neither the Secret's value nor its base64. */
function expectNoSecret(response: TestResponse): void {
  expect(response.text).not.toContain(SECRET_VALUE);
  expect(response.text).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
  expect(response.text).not.toContain('db-password');
}

describe('the web inspector without its token or a credential', () => {
  it('answers 401 with what to do, and nothing of the store, on every path, anonymous access on or off', async () => {
    for (const anonymous of [true, false]) {
      await using server = await startWithSecret({ anonymous });
      for (const path of PATHS) {
        const response = await get(server, path);
        expect([path, response.status]).toEqual([path, 401]);
        expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(response.text).toBe(NEEDS_TOKEN);
        expectNoSecret(response);
      }
    }
  });

  it('refuses a wrong token in the URL or the cookie, and the token of another server', async () => {
    await using server = await startWithSecret();
    await using other = await startWithSecret();
    const token = new URL(server.uiUrl!).searchParams.get('token')!;
    const otherToken = new URL(other.uiUrl!).searchParams.get('token')!;
    const cookieName = `fake-apiserver-ui-${server.port}`;

    for (const wrong of [otherToken, token.slice(0, -1), `${token}A`, '']) {
      const viaUrl = await get(server, `${SECRET_PATH}&token=${encodeURIComponent(wrong)}`);
      expect(viaUrl.status).toBe(401);
      expect(viaUrl.text).toBe(
        "[fake-apiserver] that is not this web inspector's token: open the URL this server printed at start (server.uiUrl); a restarted server has a new token.\n",
      );
      expect(viaUrl.headers['set-cookie']).toBeUndefined();
      expectNoSecret(viaUrl);
      const viaCookie = await get(server, SECRET_PATH, { headers: { cookie: `${cookieName}=${wrong}` } });
      expect(viaCookie.status).toBe(401);
      expectNoSecret(viaCookie);
    }
    // The other server's cookie, sent to this one as a browser sends cookies of one host to every port.
    const otherCookie = await exchangeToken(other);
    const crossed = await get(server, SECRET_PATH, {
      headers: { cookie: `${otherCookie}; ${otherCookie.replace(/-\d+=/, `-${server.port}=`)}` },
    });
    expect(crossed.status).toBe(401);
    expectNoSecret(crossed);
  });
});

describe('the web inspector with its token', () => {
  let server: StartedFakeApiServer;
  let cookie: string;

  beforeAll(async () => {
    server = await startWithSecret();
    cookie = await exchangeToken(server);
  });
  afterAll(() => server?.close());

  it('trades the token in the URL for an HttpOnly, Secure, SameSite=Strict cookie and a redirect without it', async () => {
    const token = new URL(server.uiUrl!).searchParams.get('token')!;
    expect(server.uiUrl).toBe(`${server.url}${UI}/?token=${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const first = await get(server, `${UI}/?token=${token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`${UI}/`);
    expect(first.headers['set-cookie']).toEqual([
      `fake-apiserver-ui-${server.port}=${token}; Path=${UI}; HttpOnly; Secure; SameSite=Strict`,
    ]);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect(first.text).toBe('');
    // Any inspector URL takes it, and keeps its other parameters.
    const deep = await get(server, `${SECRET_PATH}&token=${token}`);
    expect(deep.status).toBe(303);
    expect(deep.headers.location).toBe(SECRET_PATH);
  });

  it('serves everything with the cookie, Secrets included', async () => {
    for (const path of PATHS.filter((p) => !p.endsWith('/events'))) {
      const response = await get(server, path, { headers: { cookie } });
      expect([path, response.status]).toEqual([path, 200]);
    }
    const secret = await get(server, SECRET_PATH, { headers: { cookie } });
    expect(secret.text).toContain(`password: ${Buffer.from(SECRET_VALUE).toString('base64')}`);
  });

  it('answers only a Host that names this server: 403 for any other, with or without the token', async () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'LocalHost']) {
      const response = await getWithHost(server, SECRET_PATH, `${host}:${server.port}`, { cookie });
      expect([host, response.status]).toEqual([host, 200]);
    }
    const token = new URL(server.uiUrl!).searchParams.get('token')!;
    for (const host of [
      `rebound.example:${server.port}`,
      `localhost.rebound.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      '127.0.0.1',
    ]) {
      const withCookie = await getWithHost(server, SECRET_PATH, host, { cookie });
      expect([host, withCookie.status]).toEqual([host, 403]);
      expect(withCookie.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(withCookie.text).toBe(
        `[fake-apiserver] the web inspector does not answer to Host ${JSON.stringify(host)}: only to localhost, 127.0.0.1, [::1] or the address it listens on, with its port ${server.port} (a defence against DNS rebinding). Open the URL it printed at start.\n`,
      );
      expectNoSecret(withCookie);
      const exchange = await getWithHost(server, `${UI}/?token=${token}`, host);
      expect(exchange.status).toBe(403);
      expect(exchange.headers['set-cookie']).toBeUndefined();
      const asAdmin = await getWithHost(server, SECRET_PATH, host, {
        client: adminCredentials(server.kubeconfig),
      });
      expect(asAdmin.status).toBe(403);
      expectNoSecret(asAdmin);
    }
  });
});

describe('the web inspector with a credential', () => {
  let server: StartedFakeApiServer;

  beforeAll(async () => {
    server = await startWithSecret();
    await server.apply([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'inspector-admin', namespace: 'default' },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'inspector-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'inspector-admin', namespace: 'default' }],
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'secret-reader', namespace: 'default' },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'secret-reader' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'secret-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'secret-reader', namespace: 'default' }],
      },
    ]);
  });
  afterAll(() => server?.close());

  const refusedUser = (user: string) =>
    `[fake-apiserver] User ${JSON.stringify(user)} may not open the web inspector: it shows every object, Secrets included, so RBAC must allow the user to list every resource of every API group (apiGroups ["*"], resources ["*"], as cluster-admin), or open the URL with its token (server.uiUrl).\n`;

  it('serves a user RBAC allows to list every resource: system:masters, a service account bound to cluster-admin', async () => {
    const asMasters = await get(server, SECRET_PATH, { client: adminCredentials(server.kubeconfig) });
    expect(asMasters.status).toBe(200);
    expect(asMasters.text).toContain(Buffer.from(SECRET_VALUE).toString('base64'));
    const token = server.issueToken('default/inspector-admin');
    const asClusterAdmin = await get(server, SECRET_PATH, { token });
    expect(asClusterAdmin.status).toBe(200);
    expect(asClusterAdmin.text).toContain(Buffer.from(SECRET_VALUE).toString('base64'));
    // Its own requests are not authorized through the decision log.
    expect(server.authorizationDecisions().filter((d) => d.path.startsWith(UI))).toEqual([]);
  });

  it('refuses, 403, a user RBAC does not allow that, even one that may read every Secret', async () => {
    const cases: [string, Partial<TestRequest>][] = [
      ['system:serviceaccount:default:default', { token: server.issueToken('default/default') }],
      ['system:serviceaccount:default:secret-reader', { token: server.issueToken('default/secret-reader') }],
      ['alice', { client: adminCredentials(await server.kubeconfigFor('alice', ['developers'])) }],
      [
        'system:serviceaccount:default:pod-reader',
        {
          client: adminCredentials(server.kubeconfig),
          headers: { 'Impersonate-User': 'system:serviceaccount:default:pod-reader' },
        },
      ],
    ];
    // The secret reader may read the Secret through the API: the inspector asks for more.
    const { token } = cases[1]![1];
    expect((await get(server, '/api/v1/namespaces/default/secrets/db-password', { token })).status).toBe(200);
    for (const [user, request] of cases) {
      for (const path of PATHS) {
        const response = await get(server, path, request);
        expect([user, path, response.status]).toEqual([user, path, 403]);
        expect(response.text).toBe(refusedUser(user));
        expectNoSecret(response);
      }
    }
  });

  it('answers 401 to a credential that fails, as to none', async () => {
    const forged = `${server.issueToken('default/inspector-admin').slice(0, -4)}AAAA`;
    const response = await get(server, SECRET_PATH, { token: forged });
    expect(response.status).toBe(401);
    expect(response.text).toBe(NEEDS_TOKEN);
    expectNoSecret(response);
  });
});

describe('a web inspector listening on an address that is not loopback', () => {
  const remote = nonLoopbackAddress();

  it.skipIf(!remote)('takes that address as Host, and its token URL names it', async () => {
    await using server = await startWithSecret({ host: remote });
    expect(server.uiUrl).toMatch(
      new RegExp(`^https://${remote!.replace(/\./g, '\\.')}:${server.port}${UI}/\\?token=`),
    );
    const cookie = await exchangeToken(server);
    expect((await get(server, SECRET_PATH, { headers: { cookie } })).status).toBe(200);
    expect((await get(server, SECRET_PATH)).status).toBe(401);
  });
});

describe('without `ui`', () => {
  it('is an unknown path: 404 for the admin, 403 for others, as any path', async () => {
    await using server = await startFakeApiServer();
    expect(server.uiUrl).toBeUndefined();
    const asAdmin = await get(server, `${UI}/`, { client: adminCredentials(server.kubeconfig) });
    expect(asAdmin.status).toBe(404);
    const anonymous = await get(server, `${UI}/`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.json().message).toBe(
      'forbidden: User "system:anonymous" cannot get path "/fake-apiserver/ui/"',
    );
  });
});
