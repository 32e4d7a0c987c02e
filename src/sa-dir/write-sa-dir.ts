import { randomInt } from 'node:crypto';
import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/**
 * Writes the files the way the kubelet's AtomicWriter lays out a projected volume: a timestamped
 * directory, `..data` pointing at it (swapped with an atomic rename), and `token`, `ca.crt`, `namespace`
 * as symlinks into `..data`. Writes only inside `dir`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/util/atomic_writer.go
 */
export async function writeServiceAccountDir(
  dir: string,
  files: ServiceAccountFiles,
  now = new Date(),
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dataName = await makeTimestampedDir(dir, timestampDirPrefix(now));
  const dataDir = join(dir, dataName);
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dataDir, name), content, { mode: 0o644 });
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
  if (previous && previous !== dataName && previous.startsWith('..')) {
    await rm(join(dir, previous), { recursive: true, force: true });
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
