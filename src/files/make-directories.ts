import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The directories from the first missing ancestor of `path` down to `path`, outermost first.
 * Node's `mkdir(path, { recursive: true })` spins forever where a directory refuses creation with ENOENT even
 * though its parent exists (`/proc/nope`: it re-creates the parent, which exists, and tries again), so missing
 * directories are created one at a time here, and any refusal is an error.
 */
function missingChain(path: string, exists: (dir: string) => boolean): string[] {
  const chain: string[] = [];
  let dir = resolve(path);
  while (!exists(dir)) {
    chain.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return chain;
}

/** `mkdir -p` that fails instead of looping: creates `path` and its missing ancestors with `mode`. */
export function makeDirectoriesSync(path: string, mode = 0o777): void {
  for (const dir of missingChain(path, existsSync)) {
    try {
      mkdirSync(dir, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The asynchronous `makeDirectoriesSync`. */
export async function makeDirectories(path: string, mode = 0o777): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); !(await exists(dir)); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
