import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

// Bodies as apimachinery's JSON serializer writes them: json.Encoder (compact, a trailing newline) or, for
// ?pretty=true and the user agents of curl, Wget and browsers, json.MarshalIndent; /version as WriteRawJSON.
describe('JSON encoding as kube-apiserver writes it', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };
  let dir: string;
  beforeAll(async () => {
    server = await startFakeApiServer();
    admin = adminCredentials(server.kubeconfig);
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-encoding-'));
    await writeFile(join(dir, 'ca.crt'), server.caCert);
    await writeFile(join(dir, 'admin.crt'), admin.cert);
    await writeFile(join(dir, 'admin.key'), admin.key);
  });
  afterAll(() => server?.close());
  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });
  const curl = async (path: string, ...extra: string[]) => {
    const args = ['-sS', '--cacert', join(dir, 'ca.crt'), '--cert', join(dir, 'admin.crt')];
    args.push('--key', join(dir, 'admin.key'), ...extra, `${server.url}${path}`);
    const result = await run('curl', args);
    expect(result.stderr).toBe('');
    return result.stdout;
  };

  it('ends a compact body with a newline, as json.Encoder does', async () => {
    const response = await asAdmin({ path: '/api/v1/namespaces/default' });
    expect(response.text).toMatch(/^\{"kind":"Namespace","apiVersion":"v1",[^\n]*\}\n$/);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.text));
    const missing = await asAdmin({ path: '/api/v1/namespaces/default/configmaps/nope' });
    expect(missing.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n',
    );
  });

  it('escapes <, > and & as Go does', async () => {
    const created = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { metadata: { name: 'html' }, data: { page: '<a href="x">&</a>' } },
    });
    expect(created.status).toBe(201);
    expect(created.text).toContain('"data":{"page":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}');
    expect(created.json().data.page).toBe('<a href="x">&</a>');
  });

  it('pretty-prints for curl, and for ?pretty=true, and not for ?pretty=false', async () => {
    const pretty = await curl('/api/v1/namespaces/default/configmaps/nope');
    expect(pretty).toBe(
      [
        '{',
        '  "kind": "Status",',
        '  "apiVersion": "v1",',
        '  "metadata": {},',
        '  "status": "Failure",',
        '  "message": "configmaps \\"nope\\" not found",',
        '  "reason": "NotFound",',
        '  "details": {',
        '    "name": "nope",',
        '    "kind": "configmaps"',
        '  },',
        '  "code": 404',
        '}',
      ].join('\n'),
    );
    expect(await curl('/api/v1/namespaces/default?pretty=false')).toMatch(/^\{"[^\n]*\}\n$/);
    expect(await curl('/api/v1/namespaces/default', '-A', 'kubectl/v1.33.1')).toMatch(/^\{"[^\n]*\}\n$/);
    expect(await curl('/api/v1/namespaces/default', '-A', 'Wget/1.21.4')).toMatch(
      /^\{\n {2}"[a-zA-Z]+": "[^"]*",\n {2}"/,
    );
    expect(await curl('/api/v1/namespaces/default', '-A', 'Mozilla/5.0 (X11)')).toMatch(/^\{\n {2}"/);
    expect((await asAdmin({ path: '/apis?pretty=true' })).text).toMatch(/^\{\n {2}"kind": "APIGroupList",\n/);
    expect((await asAdmin({ path: '/apis?pretty=1' })).text).toMatch(/^\{\n {2}"kind"/);
  });

  it('writes /version indented, whoever asks, as WriteRawJSON does', async () => {
    const version = await asAdmin({ path: '/version' });
    expect(version.headers['content-type']).toBe('application/json');
    expect(version.text).toMatch(/^\{\n {2}"major": "1",\n {2}"minor": "33",\n {2}"emulationMajor": "1",\n/);
    expect(version.text).toMatch(/"platform": "[a-z0-9]+\/[a-z0-9]+"\n\}$/);
    expect(await curl('/version', '-A', 'kubectl/v1.33.1')).toBe(version.text);
  });
});
