import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Result of running an external client. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program and collects its output (never throws on a non-zero exit). */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Whether a real client is present. Outside CI a missing client skips its tests with a loud reason; in CI
 * (`CI=true`) the tests run anyway and fail, so a missing install cannot hide.
 */
export function clientAvailable(name: string, check: () => boolean): boolean {
  const present = check();
  if (!present && process.env.CI) return true;
  if (!present)
    console.warn(`\n*** SKIPPING ${name} tests: ${name} is not installed here (CI installs it) ***\n`);
  return present;
}

/** The kubectl binary for a minor version, as shipped by the Cloud SDK on these machines. */
export function kubectlBinary(minor: number): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
}

/** Whether `python3 -c "import kubernetes"` works with the system Python. */
export function pythonClientInstalled(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
}

/** Whether this machine lets an unprivileged process make `fake-apiserver run`'s namespaces. */
export function namespacesAvailable(): boolean {
  const map = [`--map-user=${process.getuid!()}`, `--map-group=${process.getgid!()}`];
  const args = ['--user', ...map, '--keep-caps', '--mount', '--uts', '--net', 'true'];
  return spawnSync('unshare', args, { stdio: 'ignore' }).status === 0;
}

export { existsSync };

const VITEST = resolve(import.meta.dirname, '../../node_modules/vitest/vitest.mjs');

/**
 * Runs `vitest run` on a user project, in a clean environment: no in-cluster variables of ours leak in,
 * and no colours in the output the test reads.
 */
export function runVitestProject(root: string, timeoutMs = 60_000): Promise<RunResult> {
  return run(process.execPath, [VITEST, 'run', '--root', root], {
    env: {
      ...process.env,
      KUBERNETES_SERVICE_HOST: '',
      KUBERNETES_SERVICE_PORT: '',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
    timeoutMs,
  });
}

/**
 * The environment for an `npx` a test runs: npm's cache of its own. npx writes `_npx/<hash of the command>` in the
 * cache on every run, and two npx of the same command at once (test files run in parallel) race there, leaving a
 * directory without its package.json that fails every later npx of that command with ENOENT (npm's exec cache is
 * not safe for concurrent use). A local bin (`--no-install`) needs nothing from the cache.
 */
export function isolatedNpxEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, npm_config_cache: mkdtempSync(join(tmpdir(), 'npx-cache-')) };
}
