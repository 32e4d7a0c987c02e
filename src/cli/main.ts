#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { FakeApiServerError } from '../errors/developer-error.js';
import { parseCliArguments, USAGE } from './args.js';
import { readTokenAuthFile } from '../auth/token-auth-file.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * The `fake-apiserver` command: starts the server in the foreground, prints the two `export` lines on
 * stdout once everything is ready, and exits 0 on SIGINT/SIGTERM or when its parent goes away.
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
  const { tokenAuthFile, ...options } = request.options;
  // Loaded only to serve, so that --help and --version answer without loading the server.
  const { startFakeApiServer } = await import('../server/start.js');
  const server = await startFakeApiServer({
    ...options,
    ...(tokenAuthFile ? { users: await readTokenAuthFile(tokenAuthFile) } : {}),
    log: (message) => process.stderr.write(`fake-apiserver: ${message}\n`),
  });
  process.stderr.write(`fake-apiserver: listening on ${server.url}\n`);
  if (server.saDir) process.stderr.write(`fake-apiserver: serviceaccount files in ${server.saDir}\n`);
  if (server.kubeconfigPath)
    process.stderr.write(`fake-apiserver: kubeconfig written to ${server.kubeconfigPath}\n`);
  process.stdout.write(
    `export KUBERNETES_SERVICE_HOST=${server.env.KUBERNETES_SERVICE_HOST}\nexport KUBERNETES_SERVICE_PORT=${server.env.KUBERNETES_SERVICE_PORT}\n`,
  );

  const shutdown = (why: string): void => {
    process.stderr.write(`fake-apiserver: ${why}, shutting down\n`);
    server.close().then(
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
  process.once('SIGINT', () => shutdown('interrupted'));
  process.once('SIGTERM', () => shutdown('terminated'));
  process.once('SIGHUP', () => shutdown('hung up'));
  // `npx` runs the bin under `sh -c`, which passes no signal on: when the parent goes away, we are
  // re-parented, and follow it.
  const parent = process.ppid;
  const watchParent = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watchParent);
      shutdown('parent process exited');
    }
  }, 500);
  watchParent.unref();
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof FakeApiServerError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `[fake-apiserver] unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
