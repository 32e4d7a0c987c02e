import { readFileSync } from 'node:fs';

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh']);

function procStat(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const [, ppid] = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(ppid) };
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/**
 * Calls `onGone` once the process that started this one goes away, checking every `intervalMs` (unref'd,
 * so it never keeps the process alive). `npx` runs the bin under `sh -c`, which passes no signal on; and
 * when `npx` itself is killed outright (SIGKILL), that shell lives on as our parent: so when run by npx
 * (`npm_command=exec`) under a shell, the shell's parent is followed too (through Linux's `/proc`).
 * Returns a function that stops following.
 */
export function followParentProcess(
  onGone: () => void,
  { env = process.env, intervalMs = 500 }: { env?: NodeJS.ProcessEnv; intervalMs?: number } = {},
): () => void {
  const parent = process.ppid;
  const parentStat = env.npm_command === 'exec' ? procStat(parent) : undefined;
  const grandparent = parentStat && SHELLS.has(parentStat.comm) ? parentStat.ppid : undefined;
  const timer = setInterval(() => {
    const gone =
      process.ppid !== parent || (grandparent !== undefined && procStat(parent)?.ppid !== grandparent);
    if (!gone) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
