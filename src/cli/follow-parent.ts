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

/** The processes a command follows: its parent, and under npx the parent of npx's shell. */
export interface ParentProcesses {
  parent: number;
  grandparent: number | undefined;
}

/**
 * The processes to follow, read when the command starts: a parent that is gone by the time the server listens
 * (it was killed during start-up) has handed us to another process, and only the pid read at start tells.
 */
export function parentProcesses(env: NodeJS.ProcessEnv = process.env): ParentProcesses {
  const parent = process.ppid;
  const parentStat = env.npm_command === 'exec' ? procStat(parent) : undefined;
  const grandparent = parentStat && SHELLS.has(parentStat.comm) ? parentStat.ppid : undefined;
  return { parent, grandparent };
}

/** What the command started under, read as its modules load. */
const STARTED_UNDER = parentProcesses();

/**
 * Calls `onGone` once the process that started this one goes away (also if it went before this call),
 * checking every `intervalMs` (unref'd, so it never keeps the process alive). `npx` runs the bin under `sh -c`,
 * which passes no signal on; and when `npx` itself is killed outright (SIGKILL), that shell lives on as our
 * parent: so when run by npx (`npm_command=exec`) under a shell, the shell's parent is followed too (through
 * Linux's `/proc`). Returns a function that stops following.
 */
export function followParentProcess(
  onGone: () => void,
  { started = STARTED_UNDER, intervalMs = 500 }: { started?: ParentProcesses; intervalMs?: number } = {},
): () => void {
  const { parent, grandparent } = started;
  const gone = (): boolean =>
    process.ppid !== parent || (grandparent !== undefined && procStat(parent)?.ppid !== grandparent);
  if (gone()) {
    const immediate = setImmediate(onGone);
    return () => clearImmediate(immediate);
  }
  const timer = setInterval(() => {
    if (!gone()) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
