import type {} from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer } from '../server/start.js';
import type { FakeApiServerOptions } from '../types.js';

/** The connection details provided to tests as `inject('fakeApiserver')`. */
export interface FakeApiServerConnection {
  url: string;
  host: string;
  port: number;
  saDir: string;
  caFile: string;
  tokenFile: string;
  namespaceFile: string;
  kubeconfigPath: string;
}

/**
 * The part of vitest's global-setup argument used here (`TestProject` in vitest 3+), typed structurally so
 * that any vitest from 3 on fits.
 */
export interface GlobalSetupProject {
  provide(key: 'fakeApiserver', value: FakeApiServerConnection): void;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakeApiserver: FakeApiServerConnection;
  }
}

/** Options of `createGlobalSetup`: the server's options, less the files it manages itself. */
export type GlobalSetupOptions = Omit<FakeApiServerOptions, 'saDir' | 'root' | 'kubeconfig' | 'port'>;

/**
 * Builds a vitest `globalSetup` function: it starts the server on a free port with a temporary sa-dir and
 * kubeconfig, sets `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` for the test workers, provides the
 * connection details to `inject('fakeApiserver')`, and closes everything at teardown.
 */
export function createGlobalSetup(options: GlobalSetupOptions = {}) {
  return async function setup(project: GlobalSetupProject): Promise<() => Promise<void>> {
    const workDir = await mkdtemp(join(tmpdir(), 'fake-apiserver-'));
    const saDir = join(workDir, 'serviceaccount');
    const kubeconfigPath = join(workDir, 'kubeconfig');
    const server = await startFakeApiServer({ ...options, port: 0, saDir, kubeconfig: kubeconfigPath });
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
    });
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
