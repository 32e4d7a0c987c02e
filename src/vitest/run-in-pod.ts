import { readFile } from 'node:fs/promises';
import { attachedPreparer, controlCallWith } from '../run/attached.js';
import { runCommand } from '../run/run-command.js';
import type { RunOptions, RunResult } from '../run/types.js';
import type { FakeApiServerConnection } from './connection.js';

/**
 * Runs COMMAND as a container of a pod would, against the server of the globalSetup (what `server.run()`
 * does in-process, here from a test worker through the control API): the serviceaccount directory at
 * `/var/run/secrets/kubernetes.io/serviceaccount`, with `pod` its volumes, environment and hostname, the API
 * at `https://kubernetes.default.svc`. Resolves to COMMAND's exit code and output. Linux only, without root.
 */
export async function runInPod(
  connection: FakeApiServerConnection,
  command: string,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<RunResult> {
  const [ca, cert, key] = await Promise.all([
    readFile(connection.caFile, 'utf8'),
    readFile(connection.adminCertFile, 'utf8'),
    readFile(connection.adminKeyFile, 'utf8'),
  ]);
  const { input, env, cwd, signal, ...identity } = options;
  return runCommand(
    attachedPreparer(controlCallWith(connection.url, { ca, cert, key })),
    identity,
    command,
    args,
    {
      stdio: 'pipe',
      ...(input !== undefined ? { input } : {}),
      ...(env ? { env } : {}),
      ...(cwd ? { cwd } : {}),
      ...(signal ? { signal } : {}),
    },
  );
}
