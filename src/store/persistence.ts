import { makeDirectoriesSync } from '../files/make-directories.js';
import {
  appendFileSync,
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import {
  checkDataDir,
  dataDirUnusable,
  FORMAT,
  JOURNAL_FILE,
  LOCK_FILE,
  SKIPPED_FILE,
  SNAPSHOT_FILE,
} from './data-dir.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { isJsonObject } from '../json/json-object.js';
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

/** One object as a data dir holds it: what `loadRecord` loads. */
export interface DataDirRecord {
  /** Where it was read, to name it in a warning: `snapshot.json object 3`, `journal.jsonl line 12`. */
  source: string;
  /** The store's key of its kind (`group/resource`, `/configmaps` for the core group). */
  kind: string;
  /** Its key in that kind's bucket: `namespace/name`, `/name` when cluster-scoped. */
  key: string;
  object: unknown;
}

/**
 * A check of one object as it is loaded, after `loadRecord`'s own (such as the typed decode of its kind):
 * returns the object to load, or throws to have it reported and skipped.
 */
export type RecordCheck = (kind: string, object: KubeObject) => KubeObject;

/** How `StoreJournal.open` reads a data dir. */
export interface DataDirLoadOptions {
  /** Told of each record that is skipped, with where it was, what it is and why. */
  warn?: (message: string) => void;
  /** Run on every object loaded; what it throws skips the object like any other failure. */
  check?: RecordCheck;
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

  /**
   * Checks and locks the data dir (creating it, 0700, if missing) and reads what it holds. A record that
   * cannot be loaded (see `loadRecord`) is skipped: `options.warn` is told, it is kept in `skipped.jsonl`,
   * and the rest loads. Only a snapshot file that cannot be read as a whole is refused.
   */
  static open(dataDir: string, options: DataDirLoadOptions = {}): StoreJournal {
    const dir = resolve(dataDir);
    checkDataDir(dir);
    try {
      makeDirectoriesSync(dir, 0o700);
    } catch (error) {
      throw dataDirUnusable(
        dir,
        `cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    lock(dir);
    try {
      return new StoreJournal(dir, readState(dir, options));
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

/** What a record was skipped for, kept in `skipped.jsonl` so that nothing unread is thrown away. */
interface SkippedRecord {
  source: string;
  reason: string;
  kind?: unknown;
  key?: unknown;
  object?: unknown;
  /** The journal line itself, when it could not be parsed. */
  line?: string;
}

/**
 * Loads one object of a data dir: checks that it is an object with `metadata`, a name and a namespace that
 * agree with the key it is stored under and a resourceVersion, then runs `check` on it. Throws, with the
 * reason, when it cannot be loaded; the caller reports and skips it.
 */
export function loadRecord(record: DataDirRecord, check?: RecordCheck): KubeObject {
  const { key, object } = record;
  if (!isJsonObject(object)) throw new Error(`the object is ${describeJson(object)}, not a JSON object`);
  const metadata = object.metadata;
  if (!isJsonObject(metadata)) throw new Error(`metadata is ${describeJson(metadata)}, not a JSON object`);
  const { name, namespace, resourceVersion } = metadata;
  if (typeof name !== 'string' || name === '') {
    throw new Error(`metadata.name is ${describeJson(name)}, not a name`);
  }
  if (namespace !== undefined && typeof namespace !== 'string') {
    throw new Error(`metadata.namespace is ${describeJson(namespace)}, not a namespace`);
  }
  const slash = key.indexOf('/');
  const keyNamespace = key.slice(0, slash);
  if (slash < 0 || key.slice(slash + 1) !== name || (keyNamespace !== '' && keyNamespace !== namespace)) {
    throw new Error(`it is stored under the key ${JSON.stringify(key)}, which is not its namespace/name`);
  }
  if (typeof resourceVersion !== 'string' || !/^[1-9][0-9]*$/.test(resourceVersion)) {
    throw new Error(`metadata.resourceVersion is ${describeJson(resourceVersion)}, not a resourceVersion`);
  }
  return check ? check(record.kind, object as KubeObject) : (object as KubeObject);
}

function describeJson(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A journal line as a change: throws, with the reason, when it is not one. */
function parseJournalLine(line: string): JournalEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  if (!isJsonObject(entry)) throw new Error('not a change: not a JSON object');
  const { rv, type, kind, key, object } = entry;
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv < 1) {
    throw new Error(`not a change: rv is ${describeJson(rv)}`);
  }
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') {
    throw new Error(`not a change: type is ${describeJson(type)}`);
  }
  if (typeof kind !== 'string' || typeof key !== 'string') throw new Error('not a change: no kind and key');
  if (type !== 'DELETED' && object === undefined) throw new Error(`not a change: ${type} without an object`);
  return entry as unknown as JournalEntry;
}

/**
 * The snapshot with the journal replayed over it; undefined when the directory holds neither. Each record
 * that cannot be loaded is skipped (and reported, and kept in `skipped.jsonl`): one bad object never keeps
 * the server from starting on the rest.
 */
function readState(dir: string, options: DataDirLoadOptions): StoreSnapshot | undefined {
  const snapshotFile = join(dir, SNAPSHOT_FILE);
  const journalFile = join(dir, JOURNAL_FILE);
  const snapshotText = readText(snapshotFile);
  const journalText = readText(journalFile);
  if (snapshotText === undefined && !journalText) return undefined;

  const skipped: SkippedRecord[] = [];
  const skip = (entry: SkippedRecord): void => {
    skipped.push(entry);
    const what =
      typeof entry.kind === 'string' && typeof entry.key === 'string'
        ? ` (${entry.kind.replace(/^\//, '')} ${entry.key.replace(/^\//, '')})`
        : '';
    options.warn?.(
      `data dir ${dir}: skipped ${entry.source}${what}: ${entry.reason}; it is kept in ${join(dir, SKIPPED_FILE)}`,
    );
  };
  const buckets = new Map<string, Map<string, DataDirRecord>>();
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
    if (!Number.isSafeInteger(parsed.resourceVersion) || !Array.isArray(parsed.objects)) {
      throw corrupt(snapshotFile, 'has no resourceVersion or no objects');
    }
    resourceVersion = parsed.resourceVersion;
    parsed.objects.forEach((entry: unknown, index) => {
      const source = `${SNAPSHOT_FILE} object ${index + 1}`;
      if (!isJsonObject(entry) || typeof entry.kind !== 'string' || typeof entry.key !== 'string') {
        skip({ source, reason: 'not an object record (kind, key, object)', object: entry });
        return;
      }
      bucketOf(entry.kind).set(entry.key, { source, kind: entry.kind, key: entry.key, object: entry.object });
    });
  }

  // Each change is one write ending in a newline: text after the last newline is a write cut short by a
  // crash, never acknowledged, so it is dropped.
  const lines = (journalText ?? '').split('\n').slice(0, -1);
  // The resourceVersions of skipped changes were handed out too: the next one issued stays above them.
  let floor = resourceVersion;
  let last = resourceVersion;
  lines.forEach((line, index) => {
    const source = `${JOURNAL_FILE} line ${index + 1}`;
    let entry: JournalEntry;
    try {
      entry = parseJournalLine(line);
    } catch (error) {
      // Each line is one change, one version after the last: the line's own when it can be read.
      last = versionOf(line) ?? last + 1;
      floor = Math.max(floor, last);
      skip({ source, reason: (error as Error).message, line });
      return;
    }
    last = entry.rv;
    // A crash between the snapshot's rename and the journal's truncation leaves changes it already holds.
    if (entry.rv <= resourceVersion) return;
    if (entry.type === 'DELETED') bucketOf(entry.kind).delete(entry.key);
    else
      bucketOf(entry.kind).set(entry.key, { source, kind: entry.kind, key: entry.key, object: entry.object });
    resourceVersion = entry.rv;
  });

  const loaded = new Map<string, Map<string, KubeObject>>();
  for (const [kind, records] of buckets) {
    const bucket = new Map<string, KubeObject>();
    for (const [key, record] of records) {
      try {
        const object = loadRecord(record, options.check);
        const version = Number(object.metadata?.resourceVersion);
        if (Number.isSafeInteger(version)) floor = Math.max(floor, version);
        bucket.set(key, object);
      } catch (error) {
        skip({ source: record.source, reason: describeFailure(error), kind, key, object: record.object });
      }
    }
    if (bucket.size > 0) loaded.set(kind, bucket);
  }
  if (skipped.length > 0) keepSkipped(dir, skipped);
  return { resourceVersion: Math.max(resourceVersion, floor), buckets: loaded };
}

function versionOf(line: string): number | undefined {
  try {
    const { rv } = JSON.parse(line) as { rv?: unknown };
    return typeof rv === 'number' && Number.isSafeInteger(rv) ? rv : undefined;
  } catch {
    return undefined;
  }
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Appends what was skipped to `skipped.jsonl`, on disk before the compaction that follows leaves it out. */
function keepSkipped(dir: string, skipped: readonly SkippedRecord[]): void {
  const at = new Date().toISOString();
  const lines = skipped.map((entry) => JSON.stringify({ at, ...entry })).join('\n');
  const file = join(dir, SKIPPED_FILE);
  appendFileSync(file, `${lines}\n`, { mode: 0o600 });
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
