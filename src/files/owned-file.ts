import { makeDirectories } from './make-directories.js';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';

/** How a file fake-apiserver writes is recognised as its own, and what to say when it is not. */
export interface OwnedFileRule {
  /** What the file is, for messages: `the kubeconfig`, `the RBAC report`. */
  what: string;
  /** Whether an existing file's beginning (its first 4 KiB) shows that fake-apiserver wrote it. */
  isOurs(head: string): boolean;
  /** The hint of the refusal. */
  hint: string;
}

const HEAD_BYTES = 4096;

/** The refusal to write where a file fake-apiserver did not create is, naming it. */
export function notOurs(path: string, why: string, hint: string): FakeApiServerError {
  return new FakeApiServerError('FILE_NOT_OURS', `refusing to write ${path}: ${why}`, hint);
}

async function readHead(path: string): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle?.close();
  }
}

/**
 * Checks that `path` may be (re)written: absent, an empty regular file, or a regular file `rule.isOurs`
 * recognises. A symbolic link is refused whatever it points at, so nothing is ever written through one.
 * @throws FakeApiServerError `FILE_NOT_OURS`
 */
export async function assertWritableByUs(path: string, rule: OwnedFileRule): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (stats.isSymbolicLink())
    throw notOurs(
      path,
      `${rule.what} path is a symbolic link, and fake-apiserver writes through none`,
      rule.hint,
    );
  if (!stats.isFile()) throw notOurs(path, `it is not a regular file`, rule.hint);
  if (stats.size === 0) return;
  if (!rule.isOurs(await readHead(path)))
    throw notOurs(path, `the file exists and fake-apiserver did not write it`, rule.hint);
}

/**
 * Writes a file only fake-apiserver owns: refused (nothing written) unless `assertWritableByUs` allows it,
 * then written to a new temporary file beside it (created exclusively, with `mode`) and renamed over it, so
 * the file is replaced whole, with exactly `mode`, and a link placed meanwhile is replaced, not followed.
 * @throws FakeApiServerError `FILE_NOT_OURS`
 */
export async function writeOwnedFile(
  path: string,
  content: string,
  rule: OwnedFileRule & { mode: number },
): Promise<void> {
  await makeDirectories(dirname(path));
  await assertWritableByUs(path, rule);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', rule.mode);
    try {
      await handle.writeFile(content);
      await handle.chmod(rule.mode);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
