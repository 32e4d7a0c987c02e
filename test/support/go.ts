import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { run, type RunResult } from './external.js';

/** The repository's Go modules: the test harness, and the example programs. */
export const GO_HARNESS_MODULE = resolve(import.meta.dirname, '../../go');
export const GO_EXAMPLES_MODULE = resolve(import.meta.dirname, '../../examples/go');

/** Whether the go command is on PATH. */
export function goInstalled(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs the go command in a module. The toolchain is the machine's (no automatic toolchain download),
 * go.mod and go.sum are read-only (a module missing from go.sum fails instead of being added), and no
 * version-control stamp is read from git. Modules
 * and compiled packages go to the usual caches (GOMODCACHE, GOCACHE), shared by every go command of a
 * run, so each is downloaded and compiled once.
 */
export async function go(args: readonly string[], cwd: string, timeoutMs = 600_000): Promise<RunResult> {
  // Niced: compiling client-go takes both cores for a minute or two, while timing-sensitive tests run
  // beside it.
  return run('nice', ['-n', '10', 'go', ...args], {
    cwd,
    timeoutMs,
    env: {
      ...process.env,
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-mod=readonly -buildvcs=false',
      KUBERNETES_SERVICE_HOST: '',
      KUBERNETES_SERVICE_PORT: '',
    },
  });
}

/** Runs the go command and throws, with its output, unless it succeeds; resolves with the seconds it took. */
export async function goOrThrow(args: readonly string[], cwd: string, timeoutMs?: number): Promise<number> {
  const started = Date.now();
  const result = await go(args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `go ${args.join(' ')} (in ${cwd}) exited with ${result.code}:\n${result.stdout}${result.stderr}`,
    );
  }
  return (Date.now() - started) / 1000;
}
