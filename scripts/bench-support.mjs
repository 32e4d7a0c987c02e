// Shared pieces of the benchmark scripts: sizes (tiny with --smoke), spawning the command, statistics.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'dist/cli/main.js');
export const smoke = process.argv.includes('--smoke');
export const asJson = process.argv.includes('--json');
export const START_RUNS = smoke ? 2 : 7;
export const LOAD_SECONDS = smoke ? 1 : 10;
export const CONNECTIONS = 25;
export const CYCLES = smoke ? 50 : 2000;
export const SCALE_NAMESPACES = smoke ? 5 : 100;
export const SCALE_PODS_PER_NAMESPACE = smoke ? 10 : 100;
export const SCALE_SAMPLES = smoke ? 5 : 50;
export const WATCHERS = smoke ? 20 : 1000;
export const WATCH_UPDATES = smoke ? 3 : 20;

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Spawns a process and resolves once `ready(line)` accepts a stdout line; returns its time and the child. */
export async function spawnUntil(args, ready) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
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
