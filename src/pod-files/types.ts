/**
 * The public types of pod files: what `server.podFiles()` hands a test to seed and read the in-memory files
 * of a pod container, the files `kubectl cp` (and `kubectl exec -- cat`, `ls`) sees.
 */

/** Which container's files: `namespace` defaults to `default`, `container` to the one kubectl would pick. */
export interface PodFilesSelector {
  /** @default 'default' */
  namespace?: string;
  pod: string;
  /**
   * The container. Without it, the one `kubectl cp` and `kubectl exec` pick: the pod's
   * `kubectl.kubernetes.io/default-container` annotation, else its first container (the pod must exist then).
   */
  container?: string;
}

/** One file, directory or symbolic link. */
export interface PodFileInfo {
  /** The absolute path. */
  path: string;
  /** The last component of the path (`/` for the root). */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits, e.g. `0o644`. */
  mode: number;
  /** Bytes of a file's content (0 for the others). */
  size: number;
  modified: Date;
  /** A symbolic link's target, as written. */
  target?: string;
}

/**
 * The in-memory files of one pod container. Paths are absolute (a relative path starts at `/`). Failures
 * throw `FakeApiServerError` with code `POD_FILE_NOT_FOUND` (a missing path) or `POD_FILE_ERROR`
 * (`Not a directory`, `Is a directory`, ...).
 */
export interface PodFiles {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Writes a file, making the directories above it that are missing (0755). @default mode 0o644 */
  write(path: string, content: string | Uint8Array, options?: { mode?: number }): PodFileInfo;
  /** Makes a directory and the missing ones above it (`mkdir -p`). @default mode 0o755 */
  mkdir(path: string, options?: { mode?: number }): PodFileInfo;
  /** Makes a symbolic link at `path` to `target` (stored as written; `kubectl cp` skips links with a warning). */
  symlink(path: string, target: string): PodFileInfo;
  /** A file's content. */
  read(path: string): Buffer;
  /** A file's content as UTF-8 text. */
  readText(path: string): string;
  /** What is at `path`, or undefined when nothing is. */
  stat(path: string): PodFileInfo | undefined;
  /** The entries of a directory, by name. */
  list(path: string): PodFileInfo[];
  /** Removes a file, link or directory with everything below it; false when nothing was there. */
  remove(path: string): boolean;
}
