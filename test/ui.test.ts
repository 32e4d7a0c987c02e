import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable } from './support/external.js';
import { send } from './support/https-client.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = clientAvailable('chromium (web inspector)', () => existsSync(CHROMIUM));

const PODS = '/api/v1/namespaces/default/pods';
// Object content is user input: label and annotation values may hold markup, which must show as text.
const HOSTILE_LABEL = '<script>window.__pwned=1</script>';
const HOSTILE_ANNOTATION = '<img src=x onerror="window.__pwned=2">';

/** What the tests read in the page's window (the project's types have no DOM). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
  __pwned?: number;
}

/** An address of this machine that is not loopback, to be a remote client of ourselves. */
function nonLoopbackAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe.skipIf(!hasChromium)('the web inspector in a real browser (chromium)', () => {
  let server: StartedFakeApiServer;
  let browser: Browser;
  let page: Page;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    server = await startFakeApiServer({ ui: true });
    admin = adminCredentials(server.kubeconfig);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // The page is served over our HTTPS with the server's generated CA, which this browser does not trust.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page at uiUrl with a content security policy, and shows it connected', async () => {
    expect(server.uiUrl).toBe(`${server.url}/fake-apiserver/ui/`);
    const response = await page.goto(server.uiUrl!);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
    await expect.poll(() => page.title()).toBe('fake-apiserver inspector');
  });

  it('shows a denied request live, red, with what the service account lacks', async () => {
    const token = server.issueToken('default/default');
    expect((await send(server.url, server.caCert, { path: PODS, token })).status).toBe(403);

    const row = page.locator('tbody.decision.denied', { hasText: 'system:serviceaccount:default:default' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('.badge').textContent()).toBe('denied');
    expect(await row.locator('td.verb').textContent()).toBe('list');
    expect(await row.locator('td.target').textContent()).toBe('pods');
    expect(await row.locator('td.where').textContent()).toBe('default');
    expect(await row.locator('td.reason').textContent()).toBe(
      'only the defaults are bound to it, and they do not grant pods; needs a Role in "default" with {apiGroups: [""], resources: [pods], verbs: [list]}',
    );
    const background = await row
      .locator('tr.summary')
      .evaluate((tr) => (globalThis as unknown as BrowserGlobals).getComputedStyle(tr).backgroundColor);
    expect(background).toBe('rgb(253, 236, 234)');

    // A click unfolds the full explanation.
    await row.locator('tr.summary').click();
    expect(await row.locator('tr.detail pre').textContent()).toMatch(
      /^DENIED: system:serviceaccount:default:default cannot list pods in namespace "default" \(GET \/api\/v1\/namespaces\/default\/pods\)/,
    );
  });

  it('shows an allowed request, newest on top, with the binding that allowed it; the filter narrows', async () => {
    const token = server.issueToken('default/pod-reader');
    expect((await send(server.url, server.caCert, { path: PODS, token })).status).toBe(200);

    const newest = page.locator('tbody.decision').first();
    await expect
      .poll(() => newest.locator('.user div').first().textContent())
      .toBe('system:serviceaccount:default:pod-reader');
    expect(await newest.getAttribute('class')).toBe('decision allowed');
    expect(await newest.locator('.badge').textContent()).toBe('allowed');
    expect(await newest.locator('td.reason').textContent()).toBe(
      'by RoleBinding "pod-reader-binding/default" → Role "pod-reader-role"',
    );

    await page.locator('#filter').fill('pod-reader');
    await expect.poll(() => page.locator('tbody.decision:visible').count()).toBe(1);
    await page.locator('#filter').fill('');
    await page.locator('#denied-only').check();
    expect(await page.locator('tbody.decision.allowed:visible').count()).toBe(0);
    expect(await page.locator('tbody.decision.denied:visible').count()).toBeGreaterThan(0);
    await page.locator('#denied-only').uncheck();
  });

  it('lists a new config map live, shows it as YAML and JSON with hostile content as plain text', async () => {
    const created = await send(server.url, server.caCert, {
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      client: admin,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'ui-settings',
          labels: { app: 'web' },
          annotations: { note: HOSTILE_ANNOTATION, script: HOSTILE_LABEL },
        },
        data: { mode: 'blue' },
      },
    });
    expect(created.status).toBe(201);

    const kind = page.locator('#kinds li[data-kind="/configmaps"] button');
    await kind.click();
    const item = page.locator('#objects li[data-name="ui-settings"] button');
    await expect.poll(() => item.count()).toBe(1);
    await item.click();
    const text = page.locator('#object-text');
    await expect.poll(() => text.textContent()).toContain('name: ui-settings');
    const yaml = (await text.textContent())!;
    expect(yaml).toMatch(/^apiVersion: v1\nkind: ConfigMap\nmetadata:\n/);
    expect(yaml).toContain('mode: blue');
    expect(yaml).toContain(HOSTILE_LABEL);
    expect(yaml).toContain(HOSTILE_ANNOTATION);
    expect(await text.locator('script, img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__pwned)).toBeUndefined();

    await page.locator('.formats button[data-format="json"]').click();
    await expect.poll(() => text.textContent()).toContain('"name": "ui-settings"');
    expect(JSON.parse((await text.textContent())!).metadata.annotations.script).toBe(HOSTILE_LABEL);

    // The open object follows changes to it.
    const current = JSON.parse((await text.textContent())!);
    const updated = await send(server.url, server.caCert, {
      method: 'PUT',
      path: '/api/v1/namespaces/default/configmaps/ui-settings',
      client: admin,
      body: { ...current, data: { mode: 'green' } },
    });
    expect(updated.status).toBe(200);
    await expect.poll(() => text.textContent()).toContain('"mode": "green"');
    await page.locator('.formats button[data-format="yaml"]').click();
    await expect.poll(() => text.textContent()).toContain('mode: green');
  });

  it('keeps its own requests out of the decision log: it is not authorized by RBAC', () => {
    expect(server.authorizationDecisions().filter((d) => d.path.startsWith('/fake-apiserver/ui'))).toEqual(
      [],
    );
  });
});

describe('who may open the web inspector', () => {
  const remote = nonLoopbackAddress();

  it.skipIf(!remote)(
    'refuses a remote client that is not system:masters with a 403 Status, serves an admin',
    async () => {
      await using server = await startFakeApiServer({ ui: true, host: remote });
      const anonymous = await send(server.url, server.caCert, { path: '/fake-apiserver/ui/' });
      expect(anonymous.status).toBe(403);
      expect(anonymous.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'forbidden: User "system:anonymous" cannot get path "/fake-apiserver/ui/": the web inspector is served only to loopback clients and to members of system:masters',
        reason: 'Forbidden',
        details: {},
        code: 403,
      });
      const token = server.issueToken('default/default');
      const serviceAccount = await send(server.url, server.caCert, {
        path: '/fake-apiserver/ui/events',
        token,
      });
      expect(serviceAccount.status).toBe(403);
      expect(serviceAccount.json().message).toContain('User "system:serviceaccount:default:default"');

      const asAdmin = await send(server.url, server.caCert, {
        path: '/fake-apiserver/ui/api/kinds',
        client: adminCredentials(server.kubeconfig),
      });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.json()).toContainEqual(
        expect.objectContaining({ key: '/configmaps', kind: 'ConfigMap', namespaced: true }),
      );
    },
  );

  it('serves loopback clients without credentials, even with anonymous access off', async () => {
    await using server = await startFakeApiServer({ ui: true, anonymous: false });
    expect((await send(server.url, server.caCert, { path: '/api' })).status).toBe(401);
    const page = await send(server.url, server.caCert, { path: '/fake-apiserver/ui/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const redirect = await send(server.url, server.caCert, { path: '/fake-apiserver/ui' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/fake-apiserver/ui/');
    const object = await send(server.url, server.caCert, {
      path: '/fake-apiserver/ui/api/object?kind=%2Fpods&namespace=default&name=helloworld',
    });
    expect(object.status).toBe(200);
    expect(object.text).toMatch(/^apiVersion: v1\nkind: Pod\n/);
    const missing = await send(server.url, server.caCert, {
      path: '/fake-apiserver/ui/api/object?kind=%2Fpods&namespace=default&name=nope',
    });
    expect(missing.status).toBe(404);
    expect(missing.json().message).toBe('pods "nope" not found');
  });

  it('is an unknown path without `ui`: 404 for the admin, 403 for others, as any path', async () => {
    await using server = await startFakeApiServer();
    expect(server.uiUrl).toBeUndefined();
    const asAdmin = await send(server.url, server.caCert, {
      path: '/fake-apiserver/ui/',
      client: adminCredentials(server.kubeconfig),
    });
    expect(asAdmin.status).toBe(404);
    const anonymous = await send(server.url, server.caCert, { path: '/fake-apiserver/ui/' });
    expect(anonymous.status).toBe(403);
    expect(anonymous.json().message).toBe(
      'forbidden: User "system:anonymous" cannot get path "/fake-apiserver/ui/"',
    );
  });
});

describe('fake-apiserver --ui', () => {
  const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');

  it('prints the inspector URL on stderr and leaves stdout to the two export lines', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--ui'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const stdout: string[] = [];
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((done, fail) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          stdout.push(line);
          if (stdout.length === 2) done();
        });
        child.once('exit', (code) => fail(new Error(`exited with ${code}: ${stderr}`)));
      });
      expect(stdout[0]).toBe('export KUBERNETES_SERVICE_HOST=127.0.0.1');
      const port = /^export KUBERNETES_SERVICE_PORT=(\d+)$/.exec(stdout[1]!)?.[1];
      await expect
        .poll(() => stderr)
        .toContain(`fake-apiserver: web inspector at https://127.0.0.1:${port}/fake-apiserver/ui/\n`);
      const exited = new Promise<[number | null, string | null]>((done) =>
        child.once('exit', (code, signal) => done([code, signal])),
      );
      child.kill('SIGTERM');
      expect(await exited, stderr).toEqual([0, null]);
      expect(stdout).toHaveLength(2);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
