// Shared pieces of the benchmark scripts: sizes (tiny with --smoke), spawning the command, statistics.
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'dist/cli/main.js');
export const smoke = process.argv.includes('--smoke');
export const asJson = process.argv.includes('--json');
export const START_RUNS = smoke ? 2 : 7;
export const LOAD_SECONDS = smoke ? 1 : 4;
export const CONNECTIONS = 25;
export const CYCLES = smoke ? 50 : 2000;
export const SCALE_NAMESPACES = smoke ? 5 : 100;
export const SCALE_PODS_PER_NAMESPACE = smoke ? 10 : 100;
export const SCALE_SAMPLES = smoke ? 5 : 50;
export const WATCHERS = smoke ? 20 : 1000;
export const WATCH_UPDATES = smoke ? 3 : 20;

/**
 * Whether servers under load run on CPU 0 and this process (the load generator) on CPU 1: on a small
 * machine that keeps the two from taking turns on one core, which otherwise makes throughput swing by
 * half from run to run. Needs `taskset` (util-linux) and two CPUs.
 */
export const PINNING =
  cpus().length >= 2 &&
  spawnSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' }).status === 0;

/** Rounds of the throughput comparison: fake and baseline take turns, so a slow spell hits both. */
export const ROUNDS = smoke ? 1 : 5;

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Spawns a process and resolves once `ready(line)` accepts a stdout line; returns its time and the child. */
export async function spawnUntil(args, ready, { pinned = false } = {}) {
  const started = performance.now();
  // Children inherit this process's CPU: a server that is not pinned gets every CPU back.
  const cpuList = pinned ? '0' : `0-${cpus().length - 1}`;
  const child = PINNING
    ? spawn('taskset', ['-c', cpuList, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = [];
  await new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (ready(lines)) done();
    });
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { ms: performance.now() - started, child, lines };
}

export async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
