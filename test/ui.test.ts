import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { createGlobalSetup, type FakeApiServerConnection } from '../src/vitest/index.js';
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
  document: { cookie: string };
  getComputedStyle(element: unknown): { backgroundColor: string };
  __pwned?: number;
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

  it('opens at uiUrl: the token becomes a cookie scripts cannot read, and leaves the address bar', async () => {
    expect(server.uiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fake-apiserver\/ui\/\?token=[\w-]{43}$/);
    const response = await page.goto(server.uiUrl!);
    expect(response?.status()).toBe(200);
    expect(response?.request().redirectedFrom()?.url()).toBe(server.uiUrl);
    expect(page.url()).toBe(`${server.url}/fake-apiserver/ui/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
    await expect.poll(() => page.title()).toBe('fake-apiserver inspector');

    expect(await page.context().cookies()).toEqual([
      expect.objectContaining({
        name: `fake-apiserver-ui-${server.port}`,
        value: new URL(server.uiUrl!).searchParams.get('token'),
        path: '/fake-apiserver/ui',
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
      }),
    ]);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.cookie)).toBe('');
    // A reload, as the browser's own navigation, still has it.
    expect((await page.reload())?.status()).toBe(200);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
  });

  it('shows a browser without the token the 401 page, and nothing of the store', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const stranger = await context.newPage();
      const response = await stranger.goto(`${server.url}/fake-apiserver/ui/`);
      expect(response?.status()).toBe(401);
      expect(await stranger.locator('body').textContent()).toContain(
        '[fake-apiserver] the web inspector needs its token: open the URL fake-apiserver printed at start',
      );
      const kinds = await stranger.goto(`${server.url}/fake-apiserver/ui/api/kinds`);
      expect(kinds?.status()).toBe(401);
      expect(await kinds?.text()).not.toContain('ConfigMap');
    } finally {
      await context.close();
    }
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
    // Keys sorted, as kubectl get -o yaml prints them.
    expect(yaml).toMatch(/^apiVersion: v1\ndata:\n {2}mode: blue\nkind: ConfigMap\nmetadata:\n/);
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

describe('fake-apiserver --ui', () => {
  const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');

  it('prints the inspector URL with its token on stderr, and leaves stdout to the two export lines', async () => {
    const saDir = await mkdtemp(join(tmpdir(), 'fake-apiserver-ui-'));
    const child = spawn(process.execPath, [BIN, '--port', '0', '--ui', '--sa-dir', saDir], {
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
      const printed = new RegExp(
        `^fake-apiserver: web inspector at (https://127\\.0\\.0\\.1:${port}/fake-apiserver/ui/\\?token=[\\w-]{43})$`,
        'm',
      );
      await expect.poll(() => stderr).toMatch(printed);
      // The printed link is the one to click: it opens the inspector.
      const uiUrl = new URL(printed.exec(stderr)![1]!);
      const ca = await readFile(join(saDir, 'ca.crt'), 'utf8');
      const opened = await send(uiUrl.origin, ca, { path: `${uiUrl.pathname}${uiUrl.search}` });
      expect(opened.status).toBe(303);
      expect(opened.headers.location).toBe('/fake-apiserver/ui/');
      const cookie = (opened.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
      expect(
        (await send(uiUrl.origin, ca, { path: '/fake-apiserver/ui/', headers: { cookie } })).status,
      ).toBe(200);
      const exited = new Promise<[number | null, string | null]>((done) =>
        child.once('exit', (code, signal) => done([code, signal])),
      );
      child.kill('SIGTERM');
      expect(await exited, stderr).toEqual([0, null]);
      expect(stdout).toHaveLength(2);
    } finally {
      child.kill('SIGKILL');
      await rm(saDir, { recursive: true, force: true });
    }
  });
});

describe('fake-apiserver/vitest with `ui: true`', () => {
  it('provides the inspector URL with its token to the tests and prints it on stderr', async () => {
    const provided: Partial<Record<string, FakeApiServerConnection>> = {};
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let teardown: (() => Promise<void>) | undefined;
    try {
      teardown = await createGlobalSetup({ ui: true })({
        provide: (key, value) => (provided[key] = value),
      });
    } finally {
      write.mockRestore();
    }
    try {
      const connection = provided.fakeApiserver!;
      expect(connection.uiUrl).toMatch(
        new RegExp(`^${connection.url}/fake-apiserver/ui/\\?token=[\\w-]{43}$`),
      );
      expect(written).toContain(`[fake-apiserver] web inspector at ${connection.uiUrl}\n`);
      const uiUrl = new URL(connection.uiUrl!);
      const ca = await readFile(connection.caFile, 'utf8');
      const opened = await send(connection.url, ca, { path: `${uiUrl.pathname}${uiUrl.search}` });
      expect(opened.status).toBe(303);
    } finally {
      await teardown?.();
    }
  });
});
