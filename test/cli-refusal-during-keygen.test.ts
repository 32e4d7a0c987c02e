import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A refusal used to end the command with process.exit() while the certificate worker was still
// generating keys: when a key-pair job completed in the terminating worker, all of Node aborted
// ("FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal", SIGABRT) instead of exiting 2. The window is a
// few milliseconds wide, so the refusal's moment is swept across the key generation (fixtures that take
// longer and longer to parse before their bad document) while another process keeps a core busy.

const BIN = resolve(import.meta.dirname, '../dist/cli/main.js');
const SWEEP_STEPS = 20;
const POD_RUNS = 8;
let dir: string;
let busy: ChildProcess | undefined;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[]): Promise<Exit> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, '--port', '0', ...args],
      { timeout: 10_000 },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
        resolvePromise({
          code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** A fixture file whose last document is refused, after `padding` valid ConfigMaps to parse first. */
function badFixture(padding: number): string {
  const configMap = (i: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pad-${i}\n  namespace: default\ndata:\n  a: x\n---\n`;
  return `${Array.from({ length: padding }, (_, i) => configMap(i)).join('')}apiVersion: v1\nkind: Nope\nmetadata:\n  name: bad\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-refusal-'));
  for (let step = 0; step < SWEEP_STEPS; step++) {
    await writeFile(join(dir, `bad-${step}.yaml`), badFixture(step * 6));
  }
  // Bounded: it stops by itself even if this file's clean-up never runs.
  busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 30000; while (Date.now() < end);'], {
    stdio: 'ignore',
  });
});
afterAll(async () => {
  busy?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('refusing to start while keys are being generated', () => {
  it('exits 2 with the refusal every time, never aborting Node, with a core busy', async () => {
    const runs: { args: string[]; message: string }[] = [];
    for (let step = 0; step < SWEEP_STEPS; step++) {
      const file = join(dir, `bad-${step}.yaml`);
      runs.push({
        args: ['--fixtures', file],
        message: `, document ${step * 6 + 1}: v1 Nope is not a kind fake-apiserver serves`,
      });
      if (step % Math.ceil(SWEEP_STEPS / POD_RUNS) === 0) {
        runs.push({
          args: ['--pod', 'default/helloworld'],
          message:
            '[fake-apiserver] pod (--pod) applies to the serviceaccount directory, but neither saDir nor root (--sa-dir, --root) is given',
        });
      }
    }
    const wrong: (Exit & { args: string[] })[] = [];
    for (const { args, message } of runs) {
      const exit = await runCli(args);
      const ok =
        exit.code === 2 &&
        exit.signal === null &&
        exit.stdout === '' &&
        exit.stderr.includes(message) &&
        !exit.stderr.includes('FATAL');
      if (!ok) wrong.push({ args, ...exit, stderr: exit.stderr.slice(0, 400) });
    }
    expect(runs.length).toBeGreaterThanOrEqual(25);
    expect(wrong).toEqual([]);
  }, 60_000);
});
