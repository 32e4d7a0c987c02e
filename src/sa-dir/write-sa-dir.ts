import { randomInt } from 'node:crypto';
import {
  lstat,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  rmdir,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { notOurs } from '../files/owned-file.js';

/** The files of a service-account volume. */
export interface ServiceAccountFiles {
  token: string;
  'ca.crt': string;
  namespace: string;
}

function timestampDirPrefix(now: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

/** A data directory as `timestampDirPrefix` and `makeTimestampedDir` name it: `..2026_01_31_12_00_00.42`. */
const DATA_DIR_NAME = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/;

/** Only the token is a secret: readable by its owner alone; `ca.crt` and `namespace` as the kubelet's 0644. */
const FILE_MODES: Record<keyof ServiceAccountFiles, number> = {
  token: 0o600,
  'ca.crt': 0o644,
  namespace: 0o644,
};

/** Why an entry of the directory is not one `writeServiceAccountDir` makes, or undefined if it is. */
async function foreignEntry(dir: string, name: string): Promise<string | undefined> {
  const stats = await lstat(join(dir, name));
  if (DATA_DIR_NAME.test(name)) return stats.isDirectory() ? undefined : `${name} is not a directory`;
  if (name === '..data' || name === '..data_tmp') {
    if (!stats.isSymbolicLink()) return `${name} is not a symbolic link`;
    const target = await readlink(join(dir, name));
    return DATA_DIR_NAME.test(target) ? undefined : `${name} points at ${target}`;
  }
  if (name in FILE_MODES) {
    if (!stats.isSymbolicLink()) return `${name} is not a symbolic link into ..data`;
    const target = await readlink(join(dir, name));
    return target === join('..data', name) ? undefined : `${name} points at ${target}`;
  }
  return `it holds ${name}`;
}

/**
 * Refuses a directory that holds anything `writeServiceAccountDir` did not make (kubelet layout entries
 * whose links point where ours do), so that no file of the user's is replaced or removed, and nothing is
 * written through a link placed there. An absent or empty directory is ours to fill.
 * @throws FakeApiServerError `FILE_NOT_OURS`
 */
export async function assertServiceAccountDirIsOurs(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw notOurs(dir, 'it is not a directory', SA_DIR_HINT);
    throw error;
  }
  for (const name of entries.sort()) {
    const why = await foreignEntry(dir, name);
    if (why)
      throw notOurs(
        dir,
        `the directory is not empty and is not a serviceaccount directory fake-apiserver wrote (${why})`,
        SA_DIR_HINT,
      );
  }
}

const SA_DIR_HINT = 'give the serviceaccount directory (--sa-dir, --root, dir) a new or empty directory';

/**
 * Writes the files the way the kubelet's AtomicWriter lays out a projected volume: a timestamped
 * directory, `..data` pointing at it (swapped with an atomic rename), and `token`, `ca.crt`, `namespace`
 * as symlinks into `..data`. Writes only inside `dir`, and only into a directory that is new, empty or
 * laid out by an earlier call (`assertServiceAccountDirIsOurs`). The token is 0600, the other files 0644.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/util/atomic_writer.go
 * @throws FakeApiServerError `FILE_NOT_OURS`
 */
export async function writeServiceAccountDir(
  dir: string,
  files: ServiceAccountFiles,
  now = new Date(),
): Promise<void> {
  await assertServiceAccountDirIsOurs(dir);
  await mkdir(dir, { recursive: true });
  const dataName = await makeTimestampedDir(dir, timestampDirPrefix(now));
  const dataDir = join(dir, dataName);
  for (const [name, content] of Object.entries(files)) {
    const mode = FILE_MODES[name as keyof ServiceAccountFiles];
    await writeFile(join(dataDir, name), content, { mode, flag: 'wx' });
  }
  let previous: string | undefined;
  try {
    previous = await readlink(join(dir, '..data'));
  } catch {
    previous = undefined;
  }
  const tmpLink = join(dir, '..data_tmp');
  await rm(tmpLink, { force: true });
  await symlink(dataName, tmpLink);
  await rename(tmpLink, join(dir, '..data'));
  const existing = new Set(await readdir(dir));
  for (const name of Object.keys(files)) {
    if (!existing.has(name)) await symlink(join('..data', name), join(dir, name));
  }
  // Only a data directory of ours is emptied, whatever `..data` was made to point at.
  if (previous && previous !== dataName && DATA_DIR_NAME.test(previous)) {
    await removeOurFiles(join(dir, previous));
  }
}

/**
 * Removes what this writer put into an earlier data directory: its files, then the directory if that
 * leaves it empty. The kubelet removes the whole directory (`os.RemoveAll`); a file someone else put there
 * is left, and the directory with it. Never fails: the new files are in place by then, and what is left
 * is a directory `..data` no longer points at, which a later write accepts as its own.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/util/atomic_writer.go
 */
async function removeOurFiles(dataDir: string): Promise<void> {
  for (const name of Object.keys(FILE_MODES)) {
    const path = join(dataDir, name);
    try {
      // Written as regular files: anything else under that name was put there by someone else.
      if ((await lstat(path)).isFile()) await unlink(path);
    } catch {
      // Already gone, or not ours to remove.
    }
  }
  try {
    await rmdir(dataDir);
  } catch {
    // Not empty: it holds someone else's file.
  }
}

/** As Go's `os.MkdirTemp(dir, prefix)`, which the kubelet uses: the prefix plus random digits. */
async function makeTimestampedDir(dir: string, prefix: string): Promise<string> {
  for (;;) {
    const name = `${prefix}${randomInt(0, 2 ** 31)}`;
    try {
      await mkdir(join(dir, name), { mode: 0o755 });
      return name;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
