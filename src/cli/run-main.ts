import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FakeApiServerError } from '../errors/developer-error.js';
import { keyMaterialOptionsOf, prepareKeyMaterial } from '../pki/key-material.js';
import { attachedPreparer, controlCallWith } from '../run/attached.js';
import { findSandboxTools } from '../run/host-tools.js';
import { runCommand, type RunPreparer } from '../run/run-command.js';
import { checkDataDir } from '../store/data-dir.js';
import { readTokenAuthFile } from '../auth/token-auth-file.js';
import type { RunRequest } from './args.js';
import { followParentProcess } from './follow-parent.js';

/** The server URL and admin credentials of a kubeconfig the server wrote (`--kubeconfig FILE`). */
async function attachTo(path: string): Promise<RunPreparer> {
  let config: {
    clusters?: { cluster?: Record<string, string> }[];
    users?: { user?: Record<string, string> }[];
  };
  try {
    config = parseYaml(await readFile(resolve(path), 'utf8')) as typeof config;
  } catch (error) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `--attach ${path}: cannot read the kubeconfig: ${(error as Error).message}`,
      'give the admin kubeconfig the running server wrote (--kubeconfig FILE)',
    );
  }
  const cluster = config.clusters?.[0]?.cluster ?? {};
  const user = config.users?.[0]?.user ?? {};
  const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');
  const server = cluster.server;
  if (!server || !cluster['certificate-authority-data'] || !user['client-certificate-data']) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `--attach ${path}: the kubeconfig has no server, embedded CA and client certificate`,
      'give the admin kubeconfig the running server wrote (--kubeconfig FILE)',
    );
  }
  return attachedPreparer(
    controlCallWith(server, {
      ca: decode(cluster['certificate-authority-data']),
      cert: decode(user['client-certificate-data']),
      key: decode(user['client-key-data']),
    }),
  );
}

/**
 * `fake-apiserver run`: starts the server (or attaches to one), runs COMMAND in the sandbox with this
 * process's stdin, stdout and stderr, passes SIGINT, SIGTERM and SIGHUP on to it, stops the server, and
 * resolves to COMMAND's exit code (128 + the signal's number when a signal ended it).
 */
export async function runMain(request: RunRequest): Promise<number> {
  const { identity, command, args } = request;
  const log = request.verbose
    ? (message: string) => process.stderr.write(`fake-apiserver: ${message}\n`)
    : () => {};
  // Refused before a server is started where no sandbox can be made.
  findSandboxTools({ network: identity.network ?? 'sandbox', hostname: identity.pod !== undefined });
  const options = { stdio: 'inherit' as const, forwardSignals: true, log };
  if (request.attach !== undefined) {
    const preparer = await attachTo(request.attach);
    return (await runCommand(preparer, identity, command, args, options)).code;
  }

  const { tokenAuthFile, faultsFile, ...serverOptions } = request.options;
  if (serverOptions.dataDir) checkDataDir(resolve(serverOptions.dataDir));
  const keyMaterial = prepareKeyMaterial({
    ...keyMaterialOptionsOf(serverOptions),
    workerUrl: new URL('../pki/pki-worker.js', import.meta.url),
  });
  const { startWithKeyMaterial, runPreparerOf } = await import('../server/start.js');
  let server: Awaited<ReturnType<typeof startWithKeyMaterial>>;
  try {
    server = await startWithKeyMaterial(
      {
        ...serverOptions,
        ...(tokenAuthFile ? { users: await readTokenAuthFile(tokenAuthFile) } : {}),
        ...(faultsFile
          ? { faults: await (await import('../faults/faults-file.js')).readFaultsFile(faultsFile) }
          : {}),
        log,
      },
      keyMaterial.material,
    );
  } catch (error) {
    // A refusal may come while the worker still generates keys: ending the process then aborts Node.
    await keyMaterial.settled;
    throw error;
  }
  if (server.uiUrl) process.stderr.write(`fake-apiserver: web inspector at ${server.uiUrl}\n`);
  // `npx` runs the bin under `sh -c`, which passes no signal on: when it goes, COMMAND is told to stop.
  const stopFollowing = followParentProcess(() => process.kill(process.pid, 'SIGTERM'));
  try {
    return (await runCommand(runPreparerOf(server), identity, command, args, options)).code;
  } finally {
    stopFollowing?.();
    await Promise.all([server.close(), keyMaterial.settled]);
    if (serverOptions.rbacReportFile) log(`RBAC report written to ${serverOptions.rbacReportFile}`);
  }
}
