import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../src/index.js';
import {
  createGlobalSetup,
  createTestNamespace,
  resetFakeApiServer,
  type FakeApiServerConnection,
} from '../src/vitest/index.js';
import { adminRequest } from '../src/vitest/admin-client.js';
import { runVitestProject } from './support/external.js';
import { send } from './support/https-client.js';

const PROJECT = resolve(import.meta.dirname, 'fixtures/vitest-isolation-project');

/** Runs the global setup as vitest would, with a project that records what it is given. */
async function globalSetup(options: Parameters<typeof createGlobalSetup>[0] = {}) {
  let connection: FakeApiServerConnection | undefined;
  let rerun: (() => void | Promise<void>) | undefined;
  const teardown = await createGlobalSetup(options)({
    provide: (_key, value) => {
      connection = value;
    },
    onTestsRerun: (callback) => {
      rerun = callback;
    },
  });
  return { connection: connection!, rerun, teardown };
}

describe('vitest: per-test isolation and reset', () => {
  it('runs a project whose parallel test files each get their own namespace, identity and sa-dir', async () => {
    const result = await runVitestProject(PROJECT, 90_000);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/Test Files\s+2 passed \(2\)/);
    expect(output).toMatch(/Tests\s+5 passed \(5\)/);
    expect(result.code).toBe(0);
  });

  it('provides the control URL and admin credentials, resets from a worker, and on re-runs', async () => {
    const { connection, rerun, teardown } = await globalSetup();
    try {
      expect(connection.controlUrl).toBe(`${connection.url}/fake-apiserver/v1`);
      expect(readFileSync(connection.adminCertFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const configMaps = `/api/v1/namespaces/default/configmaps`;
      const create = (name: string) =>
        adminRequest(connection, 'POST', configMaps, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name },
        });
      const names = async () =>
        (
          (await adminRequest(connection, 'GET', configMaps)).body as {
            items: { metadata: { name: string } }[];
          }
        ).items.map((c) => c.metadata.name);
      expect((await create('from-worker')).status).toBe(201);
      await resetFakeApiServer(connection);
      expect(await names()).toEqual(['kube-root-ca.crt']);

      expect((await create('before-rerun')).status).toBe(201);
      expect(rerun).toBeTypeOf('function');
      await rerun!();
      expect(await names()).toEqual(['kube-root-ca.crt']);
    } finally {
      await teardown();
    }
    expect(existsSync(connection.adminKeyFile)).toBe(false);
  });

  it('leaves re-runs alone with resetOnRerun: false, and works without onTestsRerun (vitest 3 typings)', async () => {
    const { rerun, teardown } = await globalSetup({ resetOnRerun: false });
    await teardown();
    expect(rerun).toBeUndefined();
    const teardownWithout = await createGlobalSetup()({ provide: () => {} });
    await teardownWithout();
  });

  it('gives a test its own namespace with the handle too, and cleans it up', async () => {
    await using server = await startFakeApiServer();
    let saDir: string;
    {
      await using ns = await createTestNamespace(server, {
        role: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      });
      saDir = ns.saDir;
      expect(server.get({ kind: 'RoleBinding', namespace: ns.name, name: 'app' })?.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'app',
      });
      const token = readFileSync(ns.tokenFile, 'utf8');
      const list = (namespace: string) =>
        send(server.url, readFileSync(ns.caFile, 'utf8'), {
          path: `/api/v1/namespaces/${namespace}/pods`,
          token,
        });
      expect((await list(ns.name)).status).toBe(200);
      expect((await list('default')).status).toBe(403);
      expect(server.authorizationDecisions({ user: ns.user }).length).toBe(2);
    }
    expect(existsSync(saDir)).toBe(false);
    expect(server.list({ kind: 'Namespace' }).map((n) => n.metadata!.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
  });
});
