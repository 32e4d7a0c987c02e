/**
 * The files of one container, in memory: directories, regular files (content and permission bits) and symbolic
 * links (stored, never followed). Paths are resolved lexically from `/`, as a shell's `cd -L` would without
 * links; the errors are the POSIX errno a process would get, with libc's message.
 */

/** The errno values a lookup or a write can end with, and `strerror`'s text for each. */
export const ERRNO_MESSAGES = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  EPERM: 'Operation not permitted',
  ELOOP: 'Too many levels of symbolic links',
} as const;

/** An errno name. */
export type Errno = keyof typeof ERRNO_MESSAGES;

/** A failed filesystem call: which errno, for which path. */
export class FileSystemError extends Error {
  constructor(
    readonly errno: Errno,
    readonly path: string,
  ) {
    super(`${path}: ${ERRNO_MESSAGES[errno]}`);
    this.name = 'FileSystemError';
  }
}

/** A directory. */
export interface DirectoryNode {
  type: 'directory';
  mode: number;
  mtime: Date;
  children: Map<string, FileNode>;
}

/** A regular file. */
export interface RegularFileNode {
  type: 'file';
  mode: number;
  mtime: Date;
  content: Buffer;
}

/** A symbolic link (its target is kept as written, never resolved). */
export interface SymlinkNode {
  type: 'symlink';
  mode: number;
  mtime: Date;
  target: string;
}

/** Anything a path can name. */
export type FileNode = DirectoryNode | RegularFileNode | SymlinkNode;

/** The mode a directory gets when a write creates it on the way (`mkdir -p` under umask 022). */
export const DEFAULT_DIRECTORY_MODE = 0o755;
/** The mode of a file written without one (0666 under umask 022). */
export const DEFAULT_FILE_MODE = 0o644;

/** `path` made absolute from `cwd`, with `.`, `..` and repeated slashes resolved lexically. */
export function absolutePath(path: string, cwd = '/'): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function components(path: string): string[] {
  return absolutePath(path).split('/').filter(Boolean);
}

function newDirectory(mode: number, mtime: Date): DirectoryNode {
  return { type: 'directory', mode: mode & 0o7777, mtime, children: new Map() };
}

/** One container's filesystem. Every method takes absolute paths (or paths from `/`). */
export class ContainerFileSystem {
  readonly root: DirectoryNode;

  constructor(now: Date = new Date()) {
    this.root = newDirectory(DEFAULT_DIRECTORY_MODE, now);
  }

  /** The node at `path`; throws ENOENT when it is missing, ENOTDIR when a parent is not a directory. */
  lookup(path: string): FileNode {
    let node: FileNode = this.root;
    for (const name of components(path)) {
      if (node.type !== 'directory') throw new FileSystemError('ENOTDIR', path);
      const child: FileNode | undefined = node.children.get(name);
      if (!child) throw new FileSystemError('ENOENT', path);
      node = child;
    }
    return node;
  }

  /** The node at `path`, or undefined when it does not exist (or a parent is not a directory). */
  find(path: string): FileNode | undefined {
    try {
      return this.lookup(path);
    } catch (error) {
      if (error instanceof FileSystemError) return undefined;
      throw error;
    }
  }

  /** The directory at `path` (ENOENT, ENOTDIR as `lookup`; ENOTDIR when it is not one). */
  directory(path: string): DirectoryNode {
    const node = this.lookup(path);
    if (node.type !== 'directory') throw new FileSystemError('ENOTDIR', path);
    return node;
  }

  /**
   * Makes the directories of `path` that are missing (`mkdir -p`), each with `mode`; an existing directory
   * is left as it is. ENOTDIR when a parent is not a directory, EEXIST when `path` is not one.
   */
  makeDirectories(path: string, mode = DEFAULT_DIRECTORY_MODE, now = new Date()): DirectoryNode {
    let node: DirectoryNode = this.root;
    const names = components(path);
    names.forEach((name, index) => {
      const child = node.children.get(name);
      if (child === undefined) {
        const made = newDirectory(mode, now);
        node.children.set(name, made);
        node.mtime = now;
        node = made;
      } else if (child.type === 'directory') node = child;
      else throw new FileSystemError(index === names.length - 1 ? 'EEXIST' : 'ENOTDIR', path);
    });
    return node;
  }

  /**
   * A regular file's content, following a link in the last component (links in the middle of a path are not
   * followed). EISDIR for a directory, ELOOP after 40 links.
   */
  readFile(path: string): Buffer {
    let absolute = absolutePath(path);
    let node = this.lookup(absolute);
    for (let hops = 0; node.type === 'symlink' && hops < 40; hops++) {
      absolute = absolutePath(node.target, absolutePath('..', absolute));
      node = this.lookup(absolute);
    }
    if (node.type === 'directory') throw new FileSystemError('EISDIR', path);
    if (node.type === 'symlink') throw new FileSystemError('ELOOP', path);
    return node.content;
  }

  /** Splits `path` into its parent directory (which must exist) and its last name. */
  parentOf(path: string): { parent: DirectoryNode; name: string } {
    const parts = components(path);
    const name = parts.pop();
    if (name === undefined) throw new FileSystemError('EISDIR', path);
    return { parent: this.directory(`/${parts.join('/')}`), name };
  }

  /**
   * Writes a regular file at `path` (replacing a file or link there), in an existing directory. EISDIR when
   * `path` is a directory.
   */
  writeFile(path: string, content: Buffer, mode = DEFAULT_FILE_MODE, now = new Date()): RegularFileNode {
    const { parent, name } = this.parentOf(path);
    if (parent.children.get(name)?.type === 'directory') throw new FileSystemError('EISDIR', path);
    const file: RegularFileNode = { type: 'file', mode: mode & 0o7777, mtime: now, content };
    parent.children.set(name, file);
    parent.mtime = now;
    return file;
  }

  /** Creates a symbolic link at `path` to `target` (replacing a file or link there). */
  symlink(path: string, target: string, now = new Date()): SymlinkNode {
    const { parent, name } = this.parentOf(path);
    if (parent.children.get(name)?.type === 'directory') throw new FileSystemError('EEXIST', path);
    const link: SymlinkNode = { type: 'symlink', mode: 0o777, mtime: now, target };
    parent.children.set(name, link);
    parent.mtime = now;
    return link;
  }

  /** Removes `path` and all below it (`rm -rf` of an existing path); ENOENT when it is missing. */
  remove(path: string, now = new Date()): void {
    const { parent, name } = this.parentOf(path);
    if (!parent.children.delete(name)) throw new FileSystemError('ENOENT', path);
    parent.mtime = now;
  }

  /** The entries of a directory, by name (as `ls` sorts them in the C locale). */
  list(path: string): [string, FileNode][] {
    return [...this.directory(path).children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * `node` and everything below it, depth first, each directory before its entries (the order `tar c`
   * writes them in), with paths relative to `node` (`''` for `node` itself).
   */
  static *walk(node: FileNode, path = ''): Generator<[string, FileNode]> {
    yield [path, node];
    if (node.type !== 'directory') return;
    const names = [...node.children.keys()].sort();
    for (const name of names)
      yield* ContainerFileSystem.walk(node.children.get(name)!, path === '' ? name : `${path}/${name}`);
  }
}
