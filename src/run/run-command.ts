/**
 * One run from start to end: a private directory, the server's side prepared in it (in this process, or
 * through the control API of a server elsewhere on this machine), COMMAND run in the sandbox, then the
 * run stopped and its directory removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSandboxTools } from './host-tools.js';
import type { RunEnvironmentRequest } from './run-environment.js';
import { runInSandbox, type SandboxRunOptions } from './sandbox.js';
import type { RunIdentityOptions, RunPlan, RunResult } from './types.js';

/** Prepares and ends the server's side of a run. */
export interface RunPreparer {
  prepare(request: RunEnvironmentRequest): Promise<RunPlan>;
  finish(dir: string): Promise<void>;
}

/**
 * Runs COMMAND as `identity` says, with `preparer` doing the server's side. The sandbox's tools are looked
 * for first, so that a machine without them is refused before anything is written.
 */
export async function runCommand(
  preparer: RunPreparer,
  identity: RunIdentityOptions,
  command: string,
  args: readonly string[],
  options: Omit<SandboxRunOptions, 'tools'>,
): Promise<RunResult> {
  const network = identity.network ?? 'sandbox';
  const tools = findSandboxTools({ network, hostname: identity.pod !== undefined });
  const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-run-'));
  try {
    const plan = await preparer.prepare({ ...identity, network, dir });
    try {
      return await runInSandbox(plan, command, args, { ...options, tools });
    } finally {
      await preparer.finish(dir);
    }
  } finally {
    // What COMMAND left in an emptyDir may not be removable (a directory it made read-only): the run's
    // result matters more than a temporary directory.
    await rm(dir, { recursive: true, force: true }).catch((error: unknown) =>
      options.log?.(`could not remove ${dir}: ${(error as Error).message}`),
    );
  }
}
