import { makeDirectories } from './make-directories.js';
import { randomInt } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  rmdir,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

/** One file of a volume: its content and permission bits. */
export interface ProjectedFile {
  data: Buffer;
  mode: number;
}

/** The files of a volume by relative path (`key`, `dir/key`). */
export type VolumePayload = ReadonlyMap<string, ProjectedFile>;

/** A data directory as the kubelet names it: `..2026_01_31_12_00_00.42`. */
export const DATA_DIR_NAME = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/;

function timestampPrefix(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

/**
 * `AtomicWriter.validatePayload`'s rule for a path: relative, no `..` element, not starting with `..`.
 * @throws Error naming the path
 */
export function checkPayloadPath(path: string): string {
  const clean = posix.normalize(path);
  if (path === '' || posix.isAbsolute(path) || clean.startsWith('..') || clean.split('/').includes('..')) {
    throw new Error(`invalid path ${JSON.stringify(path)}: must be relative, without '..'`);
  }
  return clean;
}

async function sameAsWritten(dataDir: string, payload: VolumePayload): Promise<boolean> {
  for (const [path, file] of payload) {
    try {
      const [content, stats] = await Promise.all([readFile(join(dataDir, path)), stat(join(dataDir, path))]);
      if (!content.equals(file.data) || (stats.mode & 0o7777) !== file.mode) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function topLevelEntries(dataDir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dataDir));
  } catch {
    return new Set();
  }
}

/**
 * Writes a volume's files as the kubelet's AtomicWriter does: into a new timestamped directory, then
 * `..data` re-pointed at it by an atomic rename, each top-level entry a symlink through `..data`, then the
 * old directory removed. A reader sees the old files or the new ones, never a mix. Nothing is written when
 * the files are already there with the same content and modes. `dir` must be one this program owns.
 * Resolves to whether anything changed.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/volume/util/atomic_writer.go
 */
export async function writeAtomically(
  dir: string,
  payload: VolumePayload,
  now = new Date(),
): Promise<boolean> {
  const files = new Map<string, ProjectedFile>();
  for (const [path, file] of payload) files.set(checkPayloadPath(path), file);
  await makeDirectories(dir);
  let previous: string | undefined;
  try {
    previous = await readlink(join(dir, '..data'));
  } catch {
    previous = undefined;
  }
  const previousEntries = previous ? await topLevelEntries(join(dir, previous)) : new Set<string>();
  const wanted = new Set([...files.keys()].map((path) => path.split('/')[0]!));
  if (
    previous &&
    previousEntries.size === wanted.size &&
    [...wanted].every((name) => previousEntries.has(name)) &&
    (await sameAsWritten(join(dir, previous), files))
  ) {
    return false;
  }
  const dataName = await makeTimestampedDir(dir, timestampPrefix(now));
  const dataDir = join(dir, dataName);
  for (const [path, file] of files) {
    await makeDirectories(dirname(join(dataDir, path)), 0o755);
    await writeFile(join(dataDir, path), file.data, { mode: file.mode, flag: 'wx' });
    // The mode exactly as asked, whatever the umask.
    await chmod(join(dataDir, path), file.mode);
  }
  const tmpLink = join(dir, '..data_tmp');
  await rm(tmpLink, { force: true });
  await symlink(dataName, tmpLink);
  await rename(tmpLink, join(dir, '..data'));
  const existing = new Set(await readdir(dir));
  for (const name of wanted) {
    if (!existing.has(name)) await symlink(join('..data', name), join(dir, name));
  }
  for (const name of previousEntries) {
    if (wanted.has(name)) continue;
    const stats = await lstat(join(dir, name)).catch(() => undefined);
    if (stats?.isSymbolicLink()) await rm(join(dir, name), { force: true });
  }
  writtenPaths.set(dataDir, [...files.keys()]);
  if (previous && previous !== dataName && DATA_DIR_NAME.test(previous)) {
    await removeWhatWeWrote(join(dir, previous), [...files.keys()]);
  }
  return true;
}

/** The files each data directory was given, by its path: what its removal may take away. */
const writtenPaths = new Map<string, string[]>();

/**
 * Removes what this writer put into an earlier data directory: its files (those recorded when it was written,
 * or, for one written before this process started, the paths of the new payload), then the directories that
 * leaves empty. The kubelet removes the whole directory (`os.RemoveAll`); a file someone else put there is
 * left, and its directories with it. Never fails: the new files are in place by then.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/util/atomic_writer.go
 */
async function removeWhatWeWrote(dataDir: string, fallback: readonly string[]): Promise<void> {
  const paths = writtenPaths.get(dataDir) ?? fallback;
  writtenPaths.delete(dataDir);
  const dirs = new Set<string>();
  for (const path of paths) {
    try {
      // Written as regular files: anything else under that name was put there by someone else.
      if ((await lstat(join(dataDir, path))).isFile()) await rm(join(dataDir, path));
    } catch {
      // Already gone, or not ours to remove.
    }
    for (let parent = dirname(path); parent !== '.'; parent = dirname(parent)) dirs.add(parent);
  }
  // Deepest first, the data directory last; rmdir refuses what still holds someone else's file.
  for (const sub of [...[...dirs].sort((a, b) => b.length - a.length), '.']) {
    await rmdir(join(dataDir, sub)).catch(() => undefined);
  }
}

/** As Go's `os.MkdirTemp(dir, prefix)`, which the kubelet uses: the prefix plus random digits. */
export async function makeTimestampedDir(dir: string, prefix: string): Promise<string> {
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
