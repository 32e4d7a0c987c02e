import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import { checkDataDir, dataDirUnusable, FORMAT, JOURNAL_FILE, LOCK_FILE, SNAPSHOT_FILE } from './data-dir.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { storeKeyOf, type StoreEvent, type StoreSnapshot, type WatchEventType } from './object-store.js';

/** Data dirs held by journals of this process (the lock file's pid cannot tell them apart). */
const heldHere = new Set<string>();

/** One line of the journal: a change, as the store made it. */
interface JournalEntry {
  rv: number;
  type: WatchEventType;
  kind: string;
  key: string;
  /** The object after the change; absent for DELETED. */
  object?: KubeObject;
}

interface SnapshotFile {
  format: string;
  resourceVersion: number;
  objects: { kind: string; key: string; object: KubeObject }[];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The persistent side of the object store for `--data-dir`: a snapshot (`snapshot.json`) plus an
 * append-only journal (`journal.jsonl`, one JSON line per change). Every change is written and fdatasync'd
 * before the store applies it, hence before any response or watch event tells of it, so an acknowledged
 * write survives `kill -9` and power loss. At start the snapshot and journal are read (a torn last line,
 * never acknowledged, is dropped), then `startJournal` compacts them into a new snapshot, written to a
 * temporary file, fsync'd and renamed over the old one, and empties the journal. A `lock` file holding the
 * pid keeps two servers off one directory; one left by a dead process is taken over.
 * @see https://etcd.io/docs/v3.5/learning/persistent-storage-files/ (etcd's WAL + snapshot, the same idea)
 */
export class StoreJournal {
  /** The state found in the data dir, or undefined when it held none (a new or empty directory). */
  readonly restored: StoreSnapshot | undefined;
  readonly #dir: string;
  #fd: number | undefined;
  /** The journal's length after the last change written whole. */
  #length = 0;
  #state: 'loaded' | 'journaling' | 'closed' = 'loaded';

  private constructor(dir: string, restored: StoreSnapshot | undefined) {
    this.#dir = dir;
    this.restored = restored;
  }

  /** Checks and locks the data dir (creating it, 0700, if missing) and reads what it holds. */
  static open(dataDir: string): StoreJournal {
    const dir = resolve(dataDir);
    checkDataDir(dir);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw dataDirUnusable(
        dir,
        `cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    lock(dir);
    try {
      return new StoreJournal(dir, readState(dir));
    } catch (error) {
      unlock(dir);
      throw error;
    }
  }

  /**
   * Makes `snapshot` (the store once start-up is done) the data dir's state, atomically, and from then on
   * journals every change passed to `commit`. Changes made before are not journaled: they are in it.
   */
  startJournal(snapshot: StoreSnapshot): void {
    if (this.#state !== 'loaded') throw new Error('StoreJournal.startJournal called twice, or after close');
    try {
      writeSnapshot(this.#dir, snapshot);
      this.#fd = openSync(join(this.#dir, JOURNAL_FILE), 'a', 0o600);
      ftruncateSync(this.#fd, 0);
      fsyncSync(this.#fd);
    } catch (error) {
      this.close();
      throw dataDirUnusable(
        this.#dir,
        `cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    this.#state = 'journaling';
  }

  /**
   * The store's commit sink: appends the changes in one write and waits for the disk (fdatasync). Throws,
   * so that the store refuses the change, when that fails or the journal is closed.
   */
  readonly commit = (events: readonly StoreEvent[]): void => {
    if (this.#state === 'loaded') return;
    if (this.#state === 'closed' || this.#fd === undefined) {
      throw new Error(`the data dir ${this.#dir} is closed: the server is shutting down`);
    }
    const lines = events.map((event) => JSON.stringify(journalEntryOf(event))).join('\n');
    const buffer = Buffer.from(`${lines}\n`, 'utf8');
    try {
      writeFully(this.#fd, buffer);
      fdatasyncSync(this.#fd);
    } catch (error) {
      // Part of a refused change must not stay in front of the next one (a disk full for a moment).
      ftruncateSync(this.#fd, this.#length);
      throw error;
    }
    this.#length += buffer.length;
  };

  /** Closes the journal and releases the lock. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    unlock(this.#dir);
  }
}

function journalEntryOf(event: StoreEvent): JournalEntry {
  return {
    rv: event.resourceVersion,
    type: event.type,
    kind: event.kindKey,
    key: storeKeyOf(event),
    ...(event.type === 'DELETED' ? {} : { object: event.object }),
  };
}

function writeFully(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length;) offset += writeSync(fd, buffer, offset);
}

function lock(dir: string): void {
  const file = join(dir, LOCK_FILE);
  if (heldHere.has(dir)) throw inUse(dir, process.pid);
  try {
    writeLock(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) throw inUse(dir, pid);
    rmSync(file, { force: true });
    writeLock(file);
  }
  heldHere.add(dir);
}

function writeLock(file: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeFully(fd, Buffer.from(`${process.pid}\n`));
  } finally {
    closeSync(fd);
  }
}

function unlock(dir: string): void {
  if (!heldHere.delete(dir)) return;
  rmSync(join(dir, LOCK_FILE), { force: true });
}

function inUse(dir: string, pid: number): FakeApiServerError {
  return new FakeApiServerError(
    'DATA_DIR_IN_USE',
    `data dir ${dir} is in use by another fake-apiserver (pid ${pid})`,
    'stop that server, or name another --data-dir',
  );
}

function corrupt(file: string, what: string): FakeApiServerError {
  return new FakeApiServerError(
    'DATA_DIR_CORRUPT',
    `${file}: ${what}`,
    'move the data dir aside to start from the fixtures again',
  );
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw corrupt(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** The snapshot with the journal replayed over it; undefined when the directory holds neither. */
function readState(dir: string): StoreSnapshot | undefined {
  const snapshotFile = join(dir, SNAPSHOT_FILE);
  const journalFile = join(dir, JOURNAL_FILE);
  const snapshotText = readText(snapshotFile);
  const journalText = readText(journalFile);
  if (snapshotText === undefined && !journalText) return undefined;

  const buckets = new Map<string, Map<string, KubeObject>>();
  const bucketOf = (kind: string) => {
    let bucket = buckets.get(kind);
    if (!bucket) buckets.set(kind, (bucket = new Map()));
    return bucket;
  };
  let resourceVersion = 0;
  if (snapshotText !== undefined) {
    let parsed: SnapshotFile;
    try {
      parsed = JSON.parse(snapshotText) as SnapshotFile;
    } catch (error) {
      throw corrupt(snapshotFile, `not JSON (${(error as Error).message})`);
    }
    if (parsed?.format !== FORMAT) throw corrupt(snapshotFile, `not in the format ${FORMAT}`);
    resourceVersion = parsed.resourceVersion;
    for (const { kind, key, object } of parsed.objects) bucketOf(kind).set(key, object);
  }

  // Each change is one write ending in a newline: text after the last newline is a write cut short by a
  // crash, never acknowledged, so it is dropped.
  const lines = (journalText ?? '').split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch (error) {
      throw corrupt(journalFile, `line ${index + 1} is not JSON (${(error as Error).message})`);
    }
    // A crash between the snapshot's rename and the journal's truncation leaves changes it already holds.
    if (entry.rv <= resourceVersion) return;
    if (entry.type === 'DELETED') bucketOf(entry.kind).delete(entry.key);
    else bucketOf(entry.kind).set(entry.key, entry.object!);
    resourceVersion = entry.rv;
  });
  return { resourceVersion, buckets };
}

function writeSnapshot(dir: string, snapshot: StoreSnapshot): void {
  const content: SnapshotFile = { format: FORMAT, resourceVersion: snapshot.resourceVersion, objects: [] };
  for (const [kind, bucket] of snapshot.buckets) {
    for (const [key, object] of bucket) content.objects.push({ kind, key, object });
  }
  const target = join(dir, SNAPSHOT_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeFully(fd, Buffer.from(JSON.stringify(content), 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, target);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
