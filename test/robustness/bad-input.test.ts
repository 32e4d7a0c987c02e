import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { run } from '../support/external.js';
import type { TestResponse } from '../support/https-client.js';
import { sendRaw, type RawRequest } from './support/raw-request.js';

/**
 * Bad input gets kube-apiserver's answer (code, reason, message; plain text where Go's net/http answers
 * itself) and the server goes on serving. Sources of each shape are cited next to its cases.
 */

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const LIMIT = 3 * 1024 * 1024;

/** What a case expects: an exact `Status` (or a message pattern), or Go's exact plain text. */
type Expectation =
  | { status: number; reason: string; message: string | RegExp; details?: unknown }
  | { status: number; text: string; closes?: boolean }
  | { status: 200 };

interface Case {
  name: string;
  request: Omit<RawRequest, 'client'>;
  expect: Expectation;
}

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const post = (path: string, body: unknown, contentType = 'application/json'): Case['request'] => ({
  method: 'POST',
  path,
  ...json(body),
  headers: { 'content-type': contentType },
});
const get = (path: string): Case['request'] => ({ method: 'GET', path });
const continueToken = (token: unknown) =>
  `${CONFIGMAPS}?limit=1&continue=${Buffer.from(typeof token === 'string' ? token : JSON.stringify(token)).toString('base64url')}`;

const GENERIC_404 = {
  status: 404,
  reason: 'NotFound',
  message: 'the server could not find the requested resource',
  details: {},
};
// http.NotFound: notfoundhandler.go, the last handler of kube-apiserver's delegation chain.
const PAGE_NOT_FOUND = { status: 404, text: '404 page not found\n' };
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const INVALID_CONTINUE = 'invalid continue token: continue key is not valid';

const cases: Case[] = [
  // Bodies: the JSON/YAML serializers' messages wrapped by the create handler (handlers/create.go).
  {
    name: 'truncated JSON',
    request: post(CONFIGMAPS, '{"metadata":'),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: "couldn't get version/kind; json parse error: unexpected end of JSON input",
    },
  },
  {
    name: 'JSON that is not JSON',
    request: post(CONFIGMAPS, '{"metadata": nope}'),
    expect: { status: 400, reason: 'BadRequest', message: /^couldn't get version\/kind; json parse error: / },
  },
  {
    name: 'malformed YAML',
    request: post(CONFIGMAPS, 'metadata: [name', 'application/yaml'),
    expect: { status: 400, reason: 'BadRequest', message: /^error converting YAML to JSON: / },
  },
  {
    name: 'an unsupported Content-Type',
    request: post(CONFIGMAPS, 'name=x', 'text/plain'),
    expect: {
      status: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    },
  },
  // Names: ValidateObjectMeta with the kind's name rule (DNS-1123 subdomain; label for namespaces).
  {
    name: 'a config map name that is not a DNS-1123 subdomain',
    request: post(CONFIGMAPS, { metadata: { name: 'Bad_Name' } }),
    expect: {
      status: 422,
      reason: 'Invalid',
      message: `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MESSAGE}`,
      details: {
        name: 'Bad_Name',
        kind: 'ConfigMap',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: "Bad_Name": ${SUBDOMAIN_MESSAGE}`,
            field: 'metadata.name',
          },
        ],
      },
    },
  },
  {
    name: 'a namespace name that is a subdomain but not a DNS-1123 label',
    request: post('/api/v1/namespaces', { metadata: { name: 'team.a' } }),
    expect: {
      status: 422,
      reason: 'Invalid',
      message: `Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": ${LABEL_MESSAGE}`,
      details: {
        name: 'team.a',
        kind: 'Namespace',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: "team.a": ${LABEL_MESSAGE}`,
            field: 'metadata.name',
          },
        ],
      },
    },
  },
  {
    name: 'a namespace name over 63 characters',
    request: post('/api/v1/namespaces', { metadata: { name: 'n'.repeat(64) } }),
    expect: {
      status: 422,
      reason: 'Invalid',
      message: `Namespace "${'n'.repeat(64)}" is invalid: metadata.name: Invalid value: "${'n'.repeat(64)}": must be no more than 63 characters`,
    },
  },
  // Type and namespace: create.go (EnsureObjectNamespaceMatchesRequestNamespace, AcceptsGroupVersion) and
  // rest.go transformDecodeError around the decoder's "not registered" and conversion errors.
  {
    name: 'a namespace in the body that is not the URL one',
    request: post(CONFIGMAPS, { metadata: { name: 'x', namespace: 'kube-system' } }),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    },
  },
  {
    name: 'an apiVersion the scheme does not have',
    request: post(CONFIGMAPS, { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'x' } }),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message:
        'ConfigMap in version "v2" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "v2" in scheme "pkg/api/legacyscheme/scheme.go:30"',
    },
  },
  {
    name: 'another kind than the endpoint serves',
    request: post(CONFIGMAPS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message:
        'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
    },
  },
  {
    name: 'another registered version of the same kind',
    request: post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1beta1',
      kind: 'Role',
      metadata: { name: 'x' },
    }),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message:
        'the API version in the data (rbac.authorization.k8s.io/v1beta1) does not match the expected API version (rbac.authorization.k8s.io/v1)',
    },
  },
  // Paths: Go decodes the path once and never cleans it; the registry's key functions refuse `.`, `..`
  // and `%` in names (registry/generic/registry/store.go); what no go-restful route serves is a Status 404
  // inside an API web service (handler.go director) and Go's plain 404 outside.
  {
    name: '.. as a name',
    request: get(`${CONFIGMAPS}/..`),
    expect: { status: 400, reason: 'BadRequest', message: `Name parameter invalid: "..": may not be '..'` },
  },
  {
    name: '%2e%2e as a name',
    request: get(`${CONFIGMAPS}/%2e%2e`),
    expect: { status: 400, reason: 'BadRequest', message: `Name parameter invalid: "..": may not be '..'` },
  },
  {
    name: '. as a name',
    request: get(`${CONFIGMAPS}/.`),
    expect: { status: 400, reason: 'BadRequest', message: `Name parameter invalid: ".": may not be '.'` },
  },
  { name: '.. climbing to secrets', request: get(`${CONFIGMAPS}/../secrets`), expect: GENERIC_404 },
  { name: '%2e%2e climbing to secrets', request: get(`${CONFIGMAPS}/%2e%2E/secrets`), expect: GENERIC_404 },
  { name: 'an encoded slash in a name', request: get(`${CONFIGMAPS}/a%2Fb`), expect: GENERIC_404 },
  {
    name: 'an encoded percent in a name',
    request: get(`${CONFIGMAPS}/a%25b`),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: `Name parameter invalid: "a%b": may not contain '%'`,
    },
  },
  {
    // url.ParseRequestURI refuses it; Go's server answers before any handler (net/http server.go).
    name: 'a bad percent escape',
    request: get(`${CONFIGMAPS}/%zz`),
    expect: { status: 400, text: '400 Bad Request', closes: true },
  },
  { name: 'a leading //', request: get('//api/v1/namespaces'), expect: PAGE_NOT_FOUND },
  { name: 'an inner //', request: get('/api/v1//namespaces'), expect: GENERIC_404 },
  {
    name: 'an unknown group',
    request: get('/apis/nope.example.com/v1/namespaces/default/things'),
    expect: PAGE_NOT_FOUND,
  },
  { name: "an unknown group's version", request: get('/apis/nope.example.com/v1'), expect: PAGE_NOT_FOUND },
  { name: 'an unknown group alone', request: get('/apis/nope.example.com'), expect: PAGE_NOT_FOUND },
  {
    name: 'an unknown version of a known group',
    request: get('/apis/rbac.authorization.k8s.io/v9/roles'),
    expect: GENERIC_404,
  },
  { name: 'an unknown core version', request: get('/api/v9/pods'), expect: GENERIC_404 },
  { name: 'an unknown resource', request: get('/api/v1/nothings'), expect: GENERIC_404 },
  { name: 'a path outside the API', request: get('/nothing'), expect: PAGE_NOT_FOUND },
  { name: 'an unknown health check', request: get('/healthz/nothing'), expect: PAGE_NOT_FOUND },
  // Query parameters: ListOptions decoding (runtime conversion, labels/fields parsers) and the storage's
  // continue-token checks (storage/continue.go, etcd3/store.go).
  {
    name: 'a label selector without an operator',
    request: get(`${CONFIGMAPS}?labelSelector=${encodeURIComponent('app web')}`),
    expect: { status: 400, reason: 'BadRequest', message: /^unable to parse requirement: / },
  },
  {
    name: 'an unclosed set in a label selector',
    request: get(`${CONFIGMAPS}?labelSelector=${encodeURIComponent('app in (web')}`),
    expect: { status: 400, reason: 'BadRequest', message: /^unable to parse requirement: / },
  },
  {
    name: 'a field selector on an unknown field',
    request: get(`${CONFIGMAPS}?fieldSelector=${encodeURIComponent('spec.foo=bar')}`),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
    },
  },
  {
    name: 'a field selector without an operator',
    request: get(`${CONFIGMAPS}?fieldSelector=metadata.name`),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    },
  },
  // No validation of limit upstream: a limit of 0 or less is no limit (etcd3 store: paging needs limit > 0).
  { name: 'limit=-1', request: get(`${CONFIGMAPS}?limit=-1`), expect: { status: 200 } },
  {
    name: 'limit=abc',
    request: get(`${CONFIGMAPS}?limit=abc`),
    expect: { status: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' },
  },
  {
    name: 'timeoutSeconds=abc on a list',
    request: get(`${CONFIGMAPS}?timeoutSeconds=abc`),
    expect: { status: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' },
  },
  {
    name: 'timeoutSeconds=abc on a watch',
    request: get(`${CONFIGMAPS}?watch=1&timeoutSeconds=abc`),
    expect: { status: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' },
  },
  {
    name: 'a continue token that is not base64url',
    request: get(`${CONFIGMAPS}?limit=1&continue=forged!!`),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: `${INVALID_CONTINUE}: illegal base64 data at input byte 6`,
    },
  },
  {
    name: 'a continue token that is not JSON',
    request: get(continueToken('not json')),
    expect: { status: 400, reason: 'BadRequest', message: new RegExp(`^${INVALID_CONTINUE}: `) },
  },
  {
    name: 'a continue token of another version',
    request: get(continueToken({ v: 'meta.k8s.io/v2', rv: 5, start: 'default/x\u0000' })),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: `${INVALID_CONTINUE}: server does not recognize this encoded version meta.k8s.io/v2`,
    },
  },
  {
    name: 'a continue token without a resourceVersion',
    request: get(continueToken({ v: 'meta.k8s.io/v1', rv: 0, start: 'default/x\u0000' })),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: `${INVALID_CONTINUE}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
    },
  },
  {
    name: 'a continue token without a start key',
    request: get(continueToken({ v: 'meta.k8s.io/v1', rv: 5, start: '' })),
    expect: {
      status: 400,
      reason: 'BadRequest',
      message: `${INVALID_CONTINUE}: encoded start key empty (version meta.k8s.io/v1)`,
    },
  },
  {
    name: 'a continue token whose start key climbs out',
    request: get(continueToken({ v: 'meta.k8s.io/v1', rv: 5, start: '../kube-system/x' })),
    expect: { status: 400, reason: 'BadRequest', message: `${INVALID_CONTINUE}: ../kube-system/x` },
  },
  // Header bytes: kube-apiserver's MaxHeaderBytes is 1 MiB (secure_serving.go) and the request line counts
  // in it; Go answers 431 as plain text and closes (net/http server.go). Go never answers 414.
  {
    name: 'a URL over 1 MiB',
    request: get(`${CONFIGMAPS}/${'a'.repeat(1100 * 1024)}`),
    expect: { status: 431, text: '431 Request Header Fields Too Large', closes: true },
  },
  {
    name: 'a header over 1 MiB',
    request: { method: 'GET', path: '/version', headers: { 'x-padding': 'p'.repeat(1100 * 1024) } },
    expect: { status: 431, text: '431 Request Header Fields Too Large', closes: true },
  },
  {
    name: 'a 100 KiB header, which kube-apiserver accepts (Node alone would not)',
    request: { method: 'GET', path: '/version', headers: { 'x-padding': 'p'.repeat(100 * 1024) } },
    expect: { status: 200 },
  },
];

let server: StartedFakeApiServer;
let client: { cert: string; key: string };

beforeAll(async () => {
  server = await startFakeApiServer({ tokenSigningAlgorithm: 'ES256' });
  client = adminCredentials(server.kubeconfig);
});
afterAll(async () => {
  await server?.close();
});

const sendTo = (target: StartedFakeApiServer, req: Case['request']) =>
  sendRaw(target.url, target.caCert, { ...req, client: adminCredentials(target.kubeconfig) });
const send = (req: Case['request']) => sendRaw(server.url, server.caCert, { ...req, client });

async function expectStillServing(target = server): Promise<void> {
  const next = await sendTo(target, get(`${CONFIGMAPS}/kube-root-ca.crt`));
  expect(next.status).toBe(200);
  expect(next.json().metadata.name).toBe('kube-root-ca.crt');
}

function expectAnswer(response: TestResponse, expected: Expectation): void {
  expect(response.status).toBe(expected.status);
  if ('text' in expected) {
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.text).toBe(expected.text);
    if (expected.closes) expect(response.headers.connection).toBe('close');
    return;
  }
  if (!('reason' in expected)) return;
  expect(response.headers['content-type']).toBe('application/json');
  const status = response.json();
  expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' });
  expect(status.code).toBe(expected.status);
  expect(status.reason).toBe(expected.reason);
  if (typeof expected.message === 'string') expect(status.message).toBe(expected.message);
  else expect(status.message).toMatch(expected.message);
  if (expected.details !== undefined) expect(status.details).toEqual(expected.details);
}

describe('bad input gets the real answer, and the server keeps serving', () => {
  it.each(cases)('$name', async ({ request: req, expect: expected }) => {
    expectAnswer(await send(req), expected);
    await expectStillServing();
  });

  it('never lists what a .. path climbs to', async () => {
    const created = await send(post('/api/v1/namespaces/default/secrets', { metadata: { name: 'climb' } }));
    expect(created.status).toBe(201);
    for (const path of [`${CONFIGMAPS}/../secrets`, `${CONFIGMAPS}/%2e%2e/secrets`]) {
      expect((await send(get(path))).text).not.toContain('climb');
    }
  });

  it('takes a.b as a config map name (subdomain) while refusing it for a namespace (label)', async () => {
    const created = await send(post(CONFIGMAPS, { metadata: { name: 'team.a' } }));
    expect(created.status).toBe(201);
    expect(created.json().metadata.name).toBe('team.a');
  });

  it('answers a stale continue token 410 with a token to go on at the latest version', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fake-apiserver-bad-input-'));
    const options = { tokenSigningAlgorithm: 'ES256', dataDir } as const;
    let restarted: StartedFakeApiServer | undefined;
    try {
      const first = await startFakeApiServer(options);
      let page: TestResponse;
      try {
        for (const name of ['page-a', 'page-b', 'page-c']) {
          expect((await sendTo(first, post(CONFIGMAPS, { metadata: { name } }))).status).toBe(201);
        }
        page = await sendTo(first, get(`${CONFIGMAPS}?limit=1`));
        // A later write, so that the page's snapshot is not the latest state.
        expect((await sendTo(first, post(CONFIGMAPS, { metadata: { name: 'page-d' } }))).status).toBe(201);
      } finally {
        await first.close();
      }
      const token: string = page.json().metadata.continue;
      expect(token).toBeTruthy();
      // A restart from the data directory keeps the objects but no history: the snapshot is gone, as after
      // an etcd compaction.
      restarted = await startFakeApiServer(options);
      await expectStaleContinue(restarted, token, page.json().items[0].metadata.name);
    } finally {
      await restarted?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function expectStaleContinue(
  target: StartedFakeApiServer,
  token: string,
  firstName: string,
): Promise<void> {
  const stale = await sendTo(target, get(`${CONFIGMAPS}?limit=1&continue=${token}`));
  expect(stale.status).toBe(410);
  const status = stale.json();
  expect(status).toMatchObject({
    kind: 'Status',
    status: 'Failure',
    reason: 'Expired',
    code: 410,
    message:
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  });
  const next = JSON.parse(Buffer.from(status.metadata.continue, 'base64url').toString('utf8'));
  expect(next.rv).toBe(-1);

  const rest = await sendTo(target, get(`${CONFIGMAPS}?continue=${status.metadata.continue}`));
  expect(rest.status).toBe(200);
  const restNames: string[] = rest.json().items.map((item: any) => item.metadata.name);
  expect(restNames).not.toContain(firstName);
  expect(restNames).toEqual(
    expect.arrayContaining(['page-a', 'page-b', 'page-c'].filter((n) => n !== firstName)),
  );
  await expectStillServing(target);
}

describe('a body over 3 MiB is refused while it streams, before it is buffered', () => {
  /**
   * Sends `total` bytes in 64 KiB chunks, paced, and stops at the answer: resolves with the answer and how
   * many bytes had been written when it came.
   */
  function streamBody(
    total: number,
    declareLength: boolean,
  ): Promise<{ status: number; body: any; sent: number }> {
    const { hostname, port } = new URL(server.url);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (declareLength) headers['content-length'] = String(total);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    return new Promise((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: CONFIGMAPS,
          headers,
          ca: server.caCert,
          agent: false,
          ...client,
        },
        (res) => {
          answered = true;
          const sentWhenAnswered = sent;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString()),
              sent: sentWhenAnswered,
            });
            req.destroy();
          });
        },
      );
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      const pump = () => {
        if (answered) return;
        if (sent >= total) return void req.end();
        req.write(chunk);
        sent += chunk.length;
        setTimeout(pump, 2);
      };
      pump();
    });
  }

  const TOO_LARGE = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Request entity too large: limit is ${LIMIT}`,
    reason: 'RequestEntityTooLarge',
    code: 413,
  };

  it('refuses a declared length over the limit before reading the body', async () => {
    const answer = await streamBody(8 * 1024 * 1024, true);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(TOO_LARGE);
    expect(answer.sent).toBeLessThan(LIMIT);
    await expectStillServing();
  });

  it('refuses a chunked body once it passes the limit, while the client is still sending', async () => {
    const total = 8 * 1024 * 1024;
    const answer = await streamBody(total, false);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(TOO_LARGE);
    expect(answer.sent).toBeGreaterThan(LIMIT);
    expect(answer.sent).toBeLessThan(total);
    await expectStillServing();
  });
});

describe('with curl', () => {
  it('answers a .. path sent as is with the real 404, and serves the next request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-apiserver-curl-'));
    try {
      const files = { ca: join(dir, 'ca.crt'), cert: join(dir, 'admin.crt'), key: join(dir, 'admin.key') };
      writeFileSync(files.ca, server.caCert);
      writeFileSync(files.cert, client.cert);
      writeFileSync(files.key, client.key);
      const curl = (path: string, ...extra: string[]) =>
        run('curl', [
          '-sS',
          '--path-as-is',
          '--cacert',
          files.ca,
          '--cert',
          files.cert,
          '--key',
          files.key,
          '-w',
          '\n%{http_code}',
          ...extra,
          `${server.url}${path}`,
        ]);
      const climbed = await curl(`${CONFIGMAPS}/../secrets`);
      expect(climbed.stdout.split('\n').pop()).toBe('404');
      const { status: code, ...status } = GENERIC_404;
      expect(JSON.parse(climbed.stdout.slice(0, climbed.stdout.lastIndexOf('\n')))).toMatchObject({
        ...status,
        code,
      });
      const unknownGroup = await curl('/apis/nope.example.com/v1');
      expect(unknownGroup.stdout).toBe('404 page not found\n\n404');
      const next = await curl(`${CONFIGMAPS}/kube-root-ca.crt`);
      expect(next.stdout.split('\n').pop()).toBe('200');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
