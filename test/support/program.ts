import { spawn } from 'node:child_process';

/** A running program: its output so far (stdout line by line), and how it ended. */
export interface Program {
  stdout: string[];
  stderr: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a program with extra environment variables; stdout is collected line by line. */
export function startProgram(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Program {
  const child = spawn(file, [...args], { env: { ...process.env, ...env }, cwd: options.cwd });
  const program: Program = {
    stdout: [],
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop()!;
    program.stdout.push(...lines);
  });
  child.stderr.on('data', (chunk: Buffer) => (program.stderr += chunk.toString('utf8')));
  return program;
}

/** Polls until `done()` holds; the error names what was awaited. */
export async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
