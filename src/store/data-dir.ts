import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';

/**
 * Where `--data-dir` state lives, and the check that a directory may hold it. Kept apart from the journal
 * so that the command can refuse a directory before it loads the store.
 */

/** Written into every snapshot, so that a later, different layout is recognised rather than misread. */
export const FORMAT = 'fake-apiserver.dev/data-dir/v1';
/** The objects at the last start (a compacted journal). */
export const SNAPSHOT_FILE = 'snapshot.json';
/** The changes since: one JSON line per change. */
export const JOURNAL_FILE = 'journal.jsonl';
/** The pid of the server using the directory. */
export const LOCK_FILE = 'lock';
/** Records that could not be loaded at a start, kept rather than lost when the snapshot is compacted. */
export const SKIPPED_FILE = 'skipped.jsonl';
/** The key cache a data dir holds, unless another one is named. */
const KEYS_DIR = 'keys';
const OURS = new Set([SNAPSHOT_FILE, JOURNAL_FILE, LOCK_FILE, SKIPPED_FILE, KEYS_DIR]);
const isTemporary = (name: string) => name.startsWith(`${SNAPSHOT_FILE}.`) && name.endsWith('.tmp');

/** A developer error about the data dir `dir`. */
export function dataDirUnusable(dir: string, what: string, hint?: string): FakeApiServerError {
  return new FakeApiServerError('DATA_DIR_UNUSABLE', `data dir ${dir}: ${what}`, hint);
}

/**
 * The key cache directory that options imply: `keyCacheDir` if given, else `DATA_DIR/keys` when a data dir
 * is named (so that the CA and signing key, hence ca.crt files and tokens handed out, survive a restart
 * with the objects), else none.
 */
export function keyCacheDirOf(options: { keyCacheDir?: string; dataDir?: string }): string | undefined {
  if (options.keyCacheDir) return resolve(options.keyCacheDir);
  return options.dataDir ? join(resolve(options.dataDir), KEYS_DIR) : undefined;
}

/**
 * Refuses a data dir that is not ours, before anything is written in it: a path that is not a directory,
 * a non-empty directory holding anything but our files, or one of our names planted as a symlink (which
 * would have us write outside the directory named). Creates nothing.
 */
export function checkDataDir(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw dataDirUnusable(dir, 'not a directory');
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof FakeApiServerError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw dataDirUnusable(dir, `cannot be read (${code ?? String(error)})`);
  }
  const foreign = entries.filter((name) => !OURS.has(name) && !isTemporary(name));
  if (foreign.length > 0) {
    throw dataDirUnusable(
      dir,
      `not empty, and not a fake-apiserver data dir (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`,
      'name an empty or new directory for --data-dir',
    );
  }
  for (const name of entries) {
    if (lstatSync(join(dir, name)).isSymbolicLink()) {
      throw dataDirUnusable(
        dir,
        `${name} is a symbolic link`,
        'remove it: fake-apiserver writes only inside the data dir',
      );
    }
  }
}
