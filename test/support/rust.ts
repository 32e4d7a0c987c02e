import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { run, type RunResult } from './external.js';

/** The Cargo project of the Rust examples, and where its build goes (ignored, kept between runs). */
export const RUST_EXAMPLES = resolve(import.meta.dirname, '../../examples/rust');
export const RUST_TARGET_DIR = resolve(import.meta.dirname, '../../.cache/rust-target');

/** Whether the cargo command is on PATH. */
export function cargoInstalled(): boolean {
  return spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs cargo in the examples' project, niced (a cold build takes both cores for minutes, while
 * timing-sensitive tests run beside it), with the build in `RUST_TARGET_DIR`. Crates are downloaded once
 * into cargo's own cache (`CARGO_HOME`).
 */
export function cargo(args: readonly string[], timeoutMs = 1_200_000): Promise<RunResult> {
  return run('nice', ['-n', '10', 'cargo', ...args], {
    cwd: RUST_EXAMPLES,
    timeoutMs,
    env: { ...process.env, CARGO_TARGET_DIR: RUST_TARGET_DIR, CARGO_TERM_COLOR: 'never' },
  });
}

/**
 * Builds the examples with the dev profile (without debug info: see Cargo.toml; `--release` costs twice the
 * CPU for programs whose time goes to waiting on the server) and `--locked` (Cargo.lock is the truth);
 * resolves with the seconds it took.
 */
export async function buildRustExamples(): Promise<number> {
  const started = Date.now();
  const result = await cargo(['build', '--locked']);
  if (result.code !== 0) {
    throw new Error(`cargo build (in ${RUST_EXAMPLES}) exited with ${result.code}:\n${result.stderr}`);
  }
  return (Date.now() - started) / 1000;
}

/** A built example program. */
export function rustBinary(name: string): string {
  return resolve(RUST_TARGET_DIR, 'debug', name);
}
