import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_DIR_NAME, writeAtomically } from '../files/atomic-writer.js';
import { notOurs } from '../files/owned-file.js';

/** The files of a service-account volume. */
export interface ServiceAccountFiles {
  token: string;
  'ca.crt': string;
  namespace: string;
}

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
 * Writes the files the way the kubelet's AtomicWriter lays out a projected volume (`writeAtomically`): a
 * timestamped directory, `..data` pointing at it (swapped with an atomic rename), and `token`, `ca.crt`,
 * `namespace` as symlinks into `..data`. Writes only inside `dir`, and only into a directory that is new,
 * empty or laid out by an earlier call (`assertServiceAccountDirIsOurs`). The token is 0600, the other files
 * 0644.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/util/atomic_writer.go
 * @throws FakeApiServerError `FILE_NOT_OURS`
 */
export async function writeServiceAccountDir(
  dir: string,
  files: ServiceAccountFiles,
  now = new Date(),
): Promise<void> {
  await assertServiceAccountDirIsOurs(dir);
  const payload = new Map(
    Object.entries(files).map(([name, content]) => [
      name,
      { data: Buffer.from(content, 'utf8'), mode: FILE_MODES[name as keyof ServiceAccountFiles] },
    ]),
  );
  await writeAtomically(dir, payload, now);
}
