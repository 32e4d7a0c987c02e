import type {} from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONTROL_PREFIX } from '../control/control-api.js';
import type { FakeApiServerOptions } from '../types.js';
import type { FakeApiServerConnection } from './connection.js';

export type { FakeApiServerConnection } from './connection.js';
export { resetFakeApiServer } from './admin-client.js';
export { runInPod } from './run-in-pod.js';
export type { RunOptions, RunResult } from '../run/types.js';
export {
  createTestNamespace,
  type TestNamespace,
  type TestNamespaceOptions,
  type TestNamespaceRule,
} from './test-namespace.js';

/**
 * The part of vitest's global-setup argument used here (`TestProject` in vitest 3+), typed structurally so
 * that any vitest from 3 on fits; `onTestsRerun` is used when present.
 */
export interface GlobalSetupProject {
  provide(key: 'fakeApiserver', value: FakeApiServerConnection): void;
  onTestsRerun?(callback: () => void | Promise<void>): void;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakeApiserver: FakeApiServerConnection;
  }
}

/** Options of `createGlobalSetup`: the server's options, less the files it manages itself. */
export type GlobalSetupOptions = Omit<FakeApiServerOptions, 'saDir' | 'root' | 'kubeconfig' | 'port'> & {
  /**
   * Reset the server (`reset()`) before vitest re-runs tests in watch mode, so that each run starts from
   * the fixtures.
   * @default true
   */
  resetOnRerun?: boolean;
};

/** The admin client certificate and key embedded in a kubeconfig the server rendered. */
function adminCredentials(kubeconfig: string): { cert: string; key: string } {
  const config = parseYaml(kubeconfig) as { users: { user: Record<string, string> }[] };
  const user = config.users[0]!.user;
  const decode = (field: string) => Buffer.from(user[field]!, 'base64').toString('utf8');
  return { cert: decode('client-certificate-data'), key: decode('client-key-data') };
}

/**
 * Builds a vitest `globalSetup` function: it starts the server on a free port with a temporary sa-dir and
 * kubeconfig, sets `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` for the test workers, provides the
 * connection details to `inject('fakeApiserver')` (with `ui: true`, the inspector's URL with its token too,
 * also printed on stderr), resets the server before each watch-mode re-run, and closes everything at
 * teardown.
 */
export function createGlobalSetup(options: GlobalSetupOptions = {}) {
  const { resetOnRerun = true, ...serverOptions } = options;
  return async function setup(project: GlobalSetupProject): Promise<() => Promise<void>> {
    // Loaded here, so that test workers importing the helpers below do not load the server.
    const { startFakeApiServer } = await import('../server/start.js');
    const workDir = await mkdtemp(join(tmpdir(), 'fake-apiserver-'));
    const saDir = join(workDir, 'serviceaccount');
    const kubeconfigPath = join(workDir, 'kubeconfig');
    const server = await startFakeApiServer({ ...serverOptions, port: 0, saDir, kubeconfig: kubeconfigPath });
    const admin = adminCredentials(server.kubeconfig);
    const adminCertFile = join(workDir, 'admin.crt');
    const adminKeyFile = join(workDir, 'admin.key');
    await writeFile(adminCertFile, admin.cert, { mode: 0o600 });
    await writeFile(adminKeyFile, admin.key, { mode: 0o600 });
    const previous = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = server.env.KUBERNETES_SERVICE_HOST;
    process.env.KUBERNETES_SERVICE_PORT = server.env.KUBERNETES_SERVICE_PORT;
    project.provide('fakeApiserver', {
      url: server.url,
      host: server.host,
      port: server.port,
      saDir,
      caFile: join(saDir, 'ca.crt'),
      tokenFile: join(saDir, 'token'),
      namespaceFile: join(saDir, 'namespace'),
      kubeconfigPath,
      adminCertFile,
      adminKeyFile,
      controlUrl: `${server.url}${CONTROL_PREFIX}`,
      ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}),
    });
    if (server.uiUrl) process.stderr.write(`[fake-apiserver] web inspector at ${server.uiUrl}\n`);
    if (resetOnRerun) project.onTestsRerun?.(() => server.reset());
    return async () => {
      await server.close();
      restoreEnv('KUBERNETES_SERVICE_HOST', previous.host);
      restoreEnv('KUBERNETES_SERVICE_PORT', previous.port);
      await rm(workDir, { recursive: true, force: true });
    };
  };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The default `globalSetup`: the package's own fixtures and the `default/default` service account. */
export default createGlobalSetup();
