import {
  absolutePath,
  ContainerFileSystem,
  DEFAULT_DIRECTORY_MODE,
  ERRNO_MESSAGES,
  FileSystemError,
  type FileNode,
} from './container-filesystem.js';
import { readTar, writeTar, type TarEntry } from './tar-archive.js';

/**
 * GNU tar 1.34's `tar cf -` and `tar -xmf -` over a container's in-memory filesystem, run as root with umask
 * 022 (a container's defaults), with GNU tar's messages on stderr and its exit status (2 on any error).
 * @see https://git.savannah.gnu.org/cgit/tar.git/tree/src/names.c?h=release_1_34 (`safer_name_suffix`)
 * @see https://git.savannah.gnu.org/cgit/tar.git/tree/src/extract.c?h=release_1_34
 */

/** What a command printed and how it exited. */
export interface CommandOutput {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

const UMASK = 0o022;
const FAILURE_STATUS = 'tar: Exiting with failure status due to previous errors\n';
const NOT_RECOVERABLE = 'tar: Error is not recoverable: exiting now\n';

function message(error: unknown): string {
  if (error instanceof FileSystemError) return ERRNO_MESSAGES[error.errno];
  throw error;
}

/**
 * GNU tar's `safer_name_suffix`: the member name without its leading slashes and without everything up to
 * its last `..` component, and the prefix it removed (`''` when none).
 */
export function saferNameSuffix(name: string): { prefix: string; suffix: string } {
  let cut = /^\/*/.exec(name)![0].length;
  for (let i = cut; i < name.length;) {
    const end = name.indexOf('/', i);
    const component = name.slice(i, end < 0 ? name.length : end);
    if (component === '..') cut = end < 0 ? name.length : end + 1;
    if (end < 0) break;
    i = end + 1;
  }
  return { prefix: name.slice(0, cut), suffix: name.slice(cut) };
}

/** Prints each distinct "Removing leading" warning once, as GNU tar does. */
class LeadingPrefixWarnings {
  readonly #seen = new Set<string>();
  constructor(private readonly stderr: string[]) {}
  strip(name: string): string {
    const { prefix, suffix } = saferNameSuffix(name);
    if (prefix !== '' && !this.#seen.has(prefix)) {
      this.#seen.add(prefix);
      this.stderr.push(`tar: Removing leading \`${prefix}' from member names\n`);
    }
    return suffix;
  }
}

/** `tar cf - PATH...`, run in `cwd`: the archive on stdout. */
export function tarCreate(files: ContainerFileSystem, cwd: string, paths: readonly string[]): CommandOutput {
  const stderr: string[] = [];
  const warnings = new LeadingPrefixWarnings(stderr);
  const entries: Omit<TarEntry, 'typeflag'>[] = [];
  let failed = false;
  for (const path of paths) {
    const base = warnings.strip(path).replace(/\/+$/, '');
    let node: FileNode;
    try {
      node = files.lookup(absolutePath(path, cwd));
    } catch (error) {
      stderr.push(`tar: ${path}: Cannot stat: ${message(error)}\n`);
      failed = true;
      continue;
    }
    for (const [relative, member] of ContainerFileSystem.walk(node)) {
      const name = base === '' ? relative : relative === '' ? base : `${base}/${relative}`;
      if (name === '') continue;
      entries.push({
        name,
        type: member.type,
        mode: member.mode,
        mtime: member.mtime,
        content: member.type === 'file' ? member.content : Buffer.alloc(0),
        linkname: member.type === 'symlink' ? member.target : '',
      });
    }
  }
  if (paths.length === 0) {
    stderr.push(
      "tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n",
    );
    return { stdout: Buffer.alloc(0), stderr: stderr.join(''), exitCode: 2 };
  }
  if (failed) stderr.push(FAILURE_STATUS);
  return { stdout: writeTar(entries), stderr: stderr.join(''), exitCode: failed ? 2 : 0 };
}

/** Options of `tar -x`. */
export interface ExtractOptions {
  /** `-C DIR`. */
  directory?: string;
  /** Whether permissions are restored as they are (root's default; `--no-same-permissions` clears it). */
  samePermissions: boolean;
  /** The time every extracted member gets (`-m`). */
  now: Date;
}

/** A member tar could not extract, with the line it prints. */
class MemberError extends Error {}

function replaceable(node: FileNode | undefined): boolean {
  return node === undefined || node.type !== 'directory' || node.children.size === 0;
}

/** Extracts one member below `root`; throws with GNU tar's message when it cannot. */
function extractMember(
  files: ContainerFileSystem,
  root: string,
  member: TarEntry,
  name: string,
  options: ExtractOptions,
  warnings: LeadingPrefixWarnings,
): void {
  const path = absolutePath(name, root);
  const mode = options.samePermissions ? member.mode : member.mode & ~UMASK;
  const { now } = options;
  const parentPath = absolutePath('..', path);
  const fail = (what: string, error: unknown): never => {
    // Thrown, never returned: `return fail(...)` only tells the compiler so.
    throw new MemberError(`tar: ${name}: ${what}: ${message(error)}\n`);
  };
  const makeParent = (what: string): void => {
    try {
      files.makeDirectories(parentPath, DEFAULT_DIRECTORY_MODE, now);
    } catch (error) {
      fail(what, error instanceof FileSystemError ? new FileSystemError('ENOTDIR', path) : error);
    }
  };
  switch (member.type) {
    case 'directory': {
      makeParent('Cannot mkdir');
      const existing = files.find(path);
      if (existing && existing.type !== 'directory') files.remove(path, now);
      const directory = files.makeDirectories(path, mode, now);
      directory.mode = mode;
      directory.mtime = now;
      return;
    }
    case 'file': {
      makeParent('Cannot open');
      if (!replaceable(files.find(path))) fail('Cannot open', new FileSystemError('EEXIST', path));
      if (files.find(path)?.type === 'directory') files.remove(path, now);
      files.writeFile(path, member.content, mode, now);
      return;
    }
    case 'symlink': {
      const what = `Cannot create symlink to '${member.linkname}'`;
      makeParent(what);
      if (!replaceable(files.find(path))) fail(what, new FileSystemError('EEXIST', path));
      if (files.find(path)?.type === 'directory') files.remove(path, now);
      files.symlink(path, member.linkname, now);
      return;
    }
    case 'hardlink': {
      const what = `Cannot hard link to '${member.linkname}'`;
      makeParent(what);
      let target: FileNode;
      try {
        target = files.lookup(absolutePath(warnings.strip(member.linkname), root));
      } catch (error) {
        return fail(what, error);
      }
      if (target.type === 'directory') return fail(what, new FileSystemError('EPERM', path));
      if (!replaceable(files.find(path))) fail(what, new FileSystemError('EEXIST', path));
      if (target.type === 'file') files.writeFile(path, target.content, target.mode, now);
      else files.symlink(path, target.target, now);
      return;
    }
    default:
      // FIFOs and device files are not modelled.
      fail('Cannot mknod', new FileSystemError('EPERM', path));
  }
}

/** `tar -xmf - [-C DIR]`, run in `cwd` with the archive on stdin. */
export function tarExtract(
  files: ContainerFileSystem,
  cwd: string,
  archive: Buffer,
  options: ExtractOptions,
): CommandOutput {
  const stderr: string[] = [];
  const output = (exitCode: number): CommandOutput => ({
    stdout: Buffer.alloc(0),
    stderr: stderr.join(''),
    exitCode,
  });
  const root = absolutePath(options.directory ?? '.', cwd);
  try {
    files.directory(root);
  } catch (error) {
    stderr.push(`tar: ${options.directory}: Cannot open: ${message(error)}\n`, NOT_RECOVERABLE);
    return output(2);
  }
  const warnings = new LeadingPrefixWarnings(stderr);
  const { entries, error } = readTar(archive);
  if (error === 'not-a-tar') {
    stderr.push('tar: This does not look like a tar archive\n', FAILURE_STATUS);
    return output(2);
  }
  let failed = false;
  for (const member of entries) {
    const name = warnings.strip(member.name);
    if (name !== member.name.replace(/^\/+/, '')) {
      stderr.push(`tar: ${member.name}: Member name contains '..'\n`);
      failed = true;
      continue;
    }
    if (absolutePath(name) === '/') continue;
    try {
      extractMember(files, root, member, name.replace(/\/+$/, ''), options, warnings);
    } catch (problem) {
      if (!(problem instanceof MemberError)) throw problem;
      stderr.push(problem.message);
      failed = true;
    }
  }
  if (error === 'unexpected-eof') {
    stderr.push('tar: Unexpected EOF in archive\n', NOT_RECOVERABLE);
    return output(2);
  }
  if (failed) stderr.push(FAILURE_STATUS);
  return output(failed ? 2 : 0);
}
