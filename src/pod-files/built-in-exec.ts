import type { ExecHandlerFunction } from '../streams/handler-types.js';
import { containerCommand } from './container-commands.js';
import type { PodFileSystems } from './pod-filesystems.js';

/** What the kubelet would write at most in one go; SPDY data frames carry at most 16 MiB. */
const CHUNK = 32 * 1024;

/**
 * The exec handler a container plays by itself when no registered handler matches: `kubectl cp`'s commands,
 * `cat`, `ls` and `test` over the container's in-memory files (see `container-commands.ts`), or undefined
 * for any other command.
 */
export function builtInExecHandler(
  podFiles: PodFileSystems,
  target: { namespace: string; pod: string; container: string; command: readonly string[] },
  workingDir: string,
  now: () => Date,
): ExecHandlerFunction | undefined {
  const command = containerCommand(target.command);
  if (!command) return undefined;
  return async (session) => {
    const files = podFiles.of(target.namespace, target.pod, target.container);
    const result = await command({ files, cwd: workingDir, now, readStdin: () => session.readStdin() });
    if (result.stderr !== '') session.stderr.write(result.stderr);
    for (let offset = 0; offset < result.stdout.length; offset += CHUNK)
      session.stdout.write(result.stdout.subarray(offset, offset + CHUNK));
    return result.exitCode;
  };
}
