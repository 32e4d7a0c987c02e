import { makeDirectories } from '../files/make-directories.js';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import { notOurs } from '../files/owned-file.js';
import type { AuditEvent } from './types.js';

const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * The `--audit-log` file: one JSON event per line, as kube-apiserver's `--audit-log-path` writes with
 * `--audit-log-format=json`. Opened for appending (created 0600 if missing; an existing file keeps its
 * lines and mode; a symbolic link is refused), written in order through one stream, flushed by `close()`. Events that arrive before the
 * file is open are kept and written first; nothing is written anywhere else.
 */
export class AuditLogFile {
  readonly path: string;
  readonly #log: (message: string) => void;
  #stream: WriteStream | undefined;
  #pending: string[] | undefined = [];
  #failed = false;
  #closed: Promise<void> | undefined;

  constructor(path: string, log: (message: string) => void) {
    this.path = path;
    this.#log = log;
  }

  /**
   * Creates the parent directory if needed and opens the file.
   * @throws FakeApiServerError `INVALID_OPTION` when it cannot be opened for appending
   */
  async open(): Promise<void> {
    let handle;
    try {
      await makeDirectories(dirname(this.path));
      // O_NOFOLLOW: a symbolic link placed at the path is refused (ELOOP), never appended through.
      handle = await open(this.path, APPEND_NO_FOLLOW, 0o600);
    } catch (error) {
      this.#pending = undefined;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') {
        throw notOurs(
          this.path,
          'the audit log path is a symbolic link, and fake-apiserver writes through none',
          'give --audit-log (auditLog) a regular file or a new path',
        );
      }
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `cannot open the audit log ${this.path}: ${code ?? String(error)}`,
        'give --audit-log (auditLog) a file in a writable directory',
      );
    }
    const stream = createWriteStream('', { fd: handle, flush: true });
    stream.on('error', (error) => {
      this.#failed = true;
      this.#log(`cannot write the audit log ${this.path}: ${error.message}`);
    });
    for (const line of this.#pending ?? []) stream.write(line);
    this.#pending = undefined;
    this.#stream = stream;
  }

  /** Appends one event as a line (dropped once closed or after a write error, which is logged once). */
  append(event: AuditEvent): void {
    if (this.#closed || this.#failed) return;
    const line = `${JSON.stringify(event)}\n`;
    if (this.#stream) this.#stream.write(line);
    else this.#pending?.push(line);
  }

  /** Flushes what was appended and closes the file; idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      const stream = this.#stream;
      if (!stream) return resolve();
      stream.end(() => resolve());
      stream.once('error', () => resolve());
    });
    return this.#closed;
  }
}
