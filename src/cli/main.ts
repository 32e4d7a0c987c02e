#!/usr/bin/env node
import { packageVersion } from '../package-root.js';
import { resolve } from 'node:path';
import { keyMaterialOptionsOf, prepareKeyMaterial } from '../pki/key-material.js';
import { checkDataDir } from '../store/data-dir.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { parseCliArguments, USAGE } from './args.js';
import { readTokenAuthFile } from '../auth/token-auth-file.js';
import { followParentProcess } from './follow-parent.js';
import type { StartedFakeApiServer } from '../types.js';

/**
 * The `fake-apiserver` command: starts the server in the foreground, prints the two `export` lines on
 * stdout once everything is ready, and exits 0 on SIGINT/SIGTERM or when its parent goes away. Resolves
 * with the exit code of a command that is done at once (help, version), or undefined while serving.
 */
async function main(argv: readonly string[]): Promise<number | undefined> {
  const request = parseCliArguments(argv);
  if (request.action === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (request.action === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (request.action === 'run') {
    const { runMain } = await import('./run-main.js');
    return runMain(request);
  }
  const { tokenAuthFile, faultsFile, ...options } = request.options;
  // Refused before the key cache in it is written.
  if (options.dataDir) checkDataDir(resolve(options.dataDir));
  // Key material is generated (or read from the cache) while the server's modules load; the
  // certificates in a worker thread, since generating them loads the heaviest module of all.
  const keyMaterial = prepareKeyMaterial({
    ...keyMaterialOptionsOf(options),
    workerUrl: new URL('../pki/pki-worker.js', import.meta.url),
  });
  let server: StartedFakeApiServer;
  try {
    // Loaded only to serve, so that --help and --version answer without loading the server.
    const { startWithKeyMaterial } = await import('../server/start.js');
    server = await startWithKeyMaterial(
      {
        ...options,
        ...(tokenAuthFile ? { users: await readTokenAuthFile(tokenAuthFile) } : {}),
        ...(faultsFile
          ? { faults: await (await import('../faults/faults-file.js')).readFaultsFile(faultsFile) }
          : {}),
        log: (message) => process.stderr.write(`fake-apiserver: ${message}\n`),
      },
      keyMaterial.material,
    );
  } catch (error) {
    // A refusal may come while the worker still generates keys: ending the process then aborts Node.
    await keyMaterial.settled;
    throw error;
  }
  const shutdown = (why: string): void => {
    process.stderr.write(`fake-apiserver: ${why}, shutting down\n`);
    // Exits explicitly once closed, as kube-apiserver's main returns: close() is bounded by
    // --shutdown-timeout, and a handle left open somewhere must not turn a SIGTERM into a hang.
    Promise.all([server.close(), keyMaterial.settled]).then(
      () => {
        if (options.rbacReportFile)
          process.stderr.write(`fake-apiserver: RBAC report written to ${options.rbacReportFile}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // Installed before readiness is announced: a caller may signal the moment it reads the export lines.
  process.once('SIGINT', () => shutdown('interrupted'));
  process.once('SIGTERM', () => shutdown('terminated'));
  process.once('SIGHUP', () => shutdown('hung up'));
  // `npx` runs the bin under `sh -c`, which passes no signal on: follow the parent (and npx itself).
  followParentProcess(() => shutdown('parent process exited'));
  process.stderr.write(`fake-apiserver: listening on ${server.url}\n`);
  if (server.saDir) process.stderr.write(`fake-apiserver: serviceaccount files in ${server.saDir}\n`);
  if (server.kubeconfigPath)
    process.stderr.write(`fake-apiserver: kubeconfig written to ${server.kubeconfigPath}\n`);
  if (server.uiUrl) process.stderr.write(`fake-apiserver: web inspector at ${server.uiUrl}\n`);
  process.stdout.write(
    `export KUBERNETES_SERVICE_HOST=${server.env.KUBERNETES_SERVICE_HOST}\nexport KUBERNETES_SERVICE_PORT=${server.env.KUBERNETES_SERVICE_PORT}\n`,
  );
  return undefined;
}

// Refusals and one-shot commands set the exit code and let the event loop drain, never `process.exit()`:
// by then nothing of ours runs any more, and the process ends once the writes above are flushed.
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof FakeApiServerError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `[fake-apiserver] unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
