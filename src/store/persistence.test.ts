import { appendFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configMapKind, namespaceKind } from '../registry/built-in-kinds.js';
import { checkDataDir, keyCacheDirOf } from './data-dir.js';
import { ObjectStore } from './object-store.js';
import { loadRecord, StoreJournal } from './persistence.js';

const open: StoreJournal[] = [];
afterEach(() => {
  for (const journal of open.splice(0)) journal.close();
});

function newDir(): string {
  return mkdtempSync(join(tmpdir(), 'fake-apiserver-data-'));
}

/** A store on the data dir, as the server makes one: restored if it holds state, then journaling. */
function storeOn(dir: string): { store: ObjectStore; journal: StoreJournal } {
  const journal = StoreJournal.open(dir);
  open.push(journal);
  const store = new ObjectStore({
    onCommit: journal.commit,
    ...(journal.restored ? { initial: journal.restored } : {}),
  });
  journal.startJournal(store.snapshot());
  return { store, journal };
}

const configMap = (name: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { value },
});

describe('StoreJournal', () => {
  it('brings back every change after a restart: objects with their uids, deletions, the resourceVersion', () => {
    const dir = newDir();
    const first = storeOn(dir);
    expect(first.journal.restored).toBeUndefined();
    first.store.create(namespaceKind, { metadata: { name: 'default' } });
    const kept = first.store.create(configMapKind, configMap('kept', '1'));
    first.store.update(configMapKind, configMap('kept', '2'));
    first.store.create(configMapKind, configMap('gone', '1'));
    first.store.delete(configMapKind, 'default', 'gone');
    const version = first.store.resourceVersion;
    // No close(): as after kill -9, only what was written counts.
    open.splice(0);
    first.journal.close();

    const second = storeOn(dir);
    expect(second.store.resourceVersion).toBe(version);
    const restored = second.store.get(configMapKind, 'default', 'kept')!;
    expect(restored.data).toEqual({ value: '2' });
    expect(restored.metadata!.uid).toBe(kept.metadata!.uid);
    expect(restored.metadata!.resourceVersion).toBe(String(version - 2));
    expect(Object.isFrozen(restored.metadata)).toBe(true);
    expect(second.store.get(configMapKind, 'default', 'gone')).toBeUndefined();
    expect(second.store.get(namespaceKind, '', 'default')).toBeDefined();
    expect(second.store.create(configMapKind, configMap('next', '1')).metadata!.resourceVersion).toBe(
      String(version + 1),
    );
  });

  it('compacts on start: the journal is emptied into the snapshot', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n')).toHaveLength(2);
    first.journal.close();
    const second = storeOn(dir);
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).toBe('');
    expect(second.store.get(configMapKind, 'default', 'a')).toBeDefined();
  });

  it('drops a torn last line (a write cut short, never acknowledged) and keeps the rest', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    first.journal.close();
    appendFileSync(join(dir, 'journal.jsonl'), '{"rv":99,"type":"ADDED","kind":"/configmaps","key":"def');
    const second = storeOn(dir);
    expect(second.store.list({ kind: configMapKind }).items.map((c) => c.metadata!.name)).toEqual(['a']);
    expect(second.store.resourceVersion).toBe(1);
  });

  it('skips journal lines the snapshot already holds (a crash between rename and truncation)', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    first.journal.close();
    const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
    storeOn(dir).journal.close();
    // The old journal comes back over the new snapshot, which already includes its changes.
    writeFileSync(join(dir, 'journal.jsonl'), journal);
    const third = storeOn(dir);
    expect(third.store.resourceVersion).toBe(1);
    expect(third.store.get(configMapKind, 'default', 'a')!.data).toEqual({ value: '1' });
  });

  it('skips a broken journal line in the middle, reports it, keeps it, and issues versions above it', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    first.store.create(configMapKind, configMap('b', '1'));
    first.journal.close();
    // Line 3 is garbage; the delete after it is a change like any other.
    appendFileSync(
      join(dir, 'journal.jsonl'),
      'garbage\n{"rv":4,"type":"DELETED","kind":"/configmaps","key":"default/a"}\n',
    );
    const warnings: string[] = [];
    const journal = StoreJournal.open(dir, { warn: (message) => warnings.push(message) });
    open.push(journal);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^data dir .*: skipped journal\.jsonl line 3: not JSON \(.*\); it is kept in .*skipped\.jsonl$/,
      ),
    ]);
    const store = new ObjectStore({ initial: journal.restored! });
    expect(store.list({ kind: configMapKind }).items.map((c) => c.metadata!.name)).toEqual(['b']);
    expect(store.resourceVersion).toBe(4);
    const kept = readFileSync(join(dir, 'skipped.jsonl'), 'utf8').trim().split('\n');
    expect(kept.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ source: 'journal.jsonl line 3', line: 'garbage' }),
    ]);
  });

  it('counts a skipped last change as a version handed out, so the next one is above it', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    first.journal.close();
    appendFileSync(join(dir, 'journal.jsonl'), '{"rv":2,"type":"MODIFIED"}\n{"rv":3,"type":"ADD\n');
    const journal = StoreJournal.open(dir, { warn: () => {} });
    open.push(journal);
    expect(journal.restored!.resourceVersion).toBe(3);
  });

  it('skips each object that cannot be loaded, names it and why, and loads the rest', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('good', '1'));
    first.journal.close();
    storeOn(dir).journal.close(); // compacted into the snapshot
    const snapshot = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as {
      objects: unknown[];
    };
    const good = snapshot.objects[0] as { object: { metadata: Record<string, unknown> } };
    const variant = (name: string, metadata: Record<string, unknown>) => ({
      kind: '/configmaps',
      key: `default/${name}`,
      object: { ...good.object, metadata: { ...good.object.metadata, name, ...metadata } },
    });
    snapshot.objects.push(
      { kind: '/configmaps', key: 'default/not-an-object', object: 'text' },
      variant('elsewhere', { name: 'other' }),
      variant('no-version', { resourceVersion: undefined }),
      variant('refused', {}),
      { kind: 7 },
    );
    writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(snapshot));
    const warnings: string[] = [];
    const journal = StoreJournal.open(dir, {
      warn: (message) => warnings.push(message),
      check: (kind, object) => {
        if (object.metadata?.name === 'refused') throw new Error(`the ${kind} check refuses it`);
        return object;
      },
    });
    open.push(journal);
    const store = new ObjectStore({ initial: journal.restored! });
    expect(store.list({ kind: configMapKind }).items.map((c) => c.metadata!.name)).toEqual(['good']);
    const reasons = warnings.map((message) => message.replace(/^data dir [^:]*: skipped /, '').split(';')[0]);
    expect(reasons).toEqual([
      'snapshot.json object 6: not an object record (kind, key, object)',
      'snapshot.json object 2 (configmaps default/not-an-object): the object is "text", not a JSON object',
      'snapshot.json object 3 (configmaps default/elsewhere): it is stored under the key "default/elsewhere", which is not its namespace/name',
      'snapshot.json object 4 (configmaps default/no-version): metadata.resourceVersion is missing, not a resourceVersion',
      'snapshot.json object 5 (configmaps default/refused): the /configmaps check refuses it',
    ]);
  });

  it('loads an object through the check, which may give back another form of it', () => {
    const object = {
      metadata: { name: 'a', namespace: 'default', resourceVersion: '3', labels: null },
    };
    const record = { source: 'test', kind: '/configmaps', key: 'default/a', object };
    expect(loadRecord(record)).toBe(object);
    const decoded = loadRecord(record, (_kind, obj) => ({
      ...obj,
      metadata: { ...obj.metadata, labels: {} },
    }));
    expect(decoded.metadata!.labels).toEqual({});
    expect(() => loadRecord({ ...record, key: '/a' })).not.toThrow();
    expect(() => loadRecord({ ...record, key: 'other/a' })).toThrow(/not its namespace\/name/);
  });

  it('refuses a change it cannot write, and the store keeps its state', () => {
    const dir = newDir();
    const { store, journal } = storeOn(dir);
    store.create(configMapKind, configMap('a', '1'));
    journal.close();
    expect(() => store.create(configMapKind, configMap('b', '1'))).toThrow(/is closed/);
    expect(() => store.delete(configMapKind, 'default', 'a')).toThrow(/is closed/);
    expect(store.list({ kind: configMapKind }).items.map((c) => c.metadata!.name)).toEqual(['a']);
    expect(store.resourceVersion).toBe(1);
  });

  it('journals the changes of replaceAll, so a reset survives a restart too', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    const snapshot = first.store.snapshot();
    first.store.create(configMapKind, configMap('b', '1'));
    first.store.update(configMapKind, configMap('a', '2'));
    first.store.replaceAll(snapshot);
    const version = first.store.resourceVersion;
    first.journal.close();
    const second = storeOn(dir);
    expect(second.store.list({ kind: configMapKind }).items.map((c) => [c.metadata!.name, c.data])).toEqual([
      ['a', { value: '1' }],
    ]);
    expect(second.store.resourceVersion).toBe(version);
  });

  it('answers 410 Expired to a watch from before the restart, as after an etcd compaction', () => {
    const dir = newDir();
    const first = storeOn(dir);
    first.store.create(configMapKind, configMap('a', '1'));
    first.store.create(configMapKind, configMap('b', '1'));
    first.journal.close();
    const { store } = storeOn(dir);
    expect(() =>
      store.watch(
        { kind: configMapKind },
        1,
        () => true,
        () => {},
      ),
    ).toThrow(expect.objectContaining({ code: 410, reason: 'Expired' }));
  });

  it('keeps a second server off a data dir in use, and takes over the lock of a dead one', () => {
    const dir = newDir();
    storeOn(dir);
    expect(() => StoreJournal.open(dir)).toThrow(expect.objectContaining({ code: 'DATA_DIR_IN_USE' }));
    for (const journal of open.splice(0)) journal.close();
    // A pid no process has (above the kernel's pid_max), as a lock left by kill -9 of a long-gone server.
    writeFileSync(join(dir, 'lock'), '99999999\n');
    expect(() => storeOn(dir)).not.toThrow();
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
  });
});

describe('checkDataDir', () => {
  it('accepts a missing or empty directory, and refuses one that holds other files', () => {
    const dir = newDir();
    expect(() => checkDataDir(join(dir, 'missing'))).not.toThrow();
    expect(() => checkDataDir(dir)).not.toThrow();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => checkDataDir(dir)).toThrow(
      expect.objectContaining({
        code: 'DATA_DIR_UNUSABLE',
        message: expect.stringContaining(
          `data dir ${dir}: not empty, and not a fake-apiserver data dir (it holds notes.txt)`,
        ),
      }),
    );
    expect(() => StoreJournal.open(dir)).toThrow(expect.objectContaining({ code: 'DATA_DIR_UNUSABLE' }));
  });

  it('refuses a symlink planted under one of its names, so nothing is written outside it', () => {
    const dir = newDir();
    const elsewhere = newDir();
    symlinkSync(join(elsewhere, 'victim'), join(dir, 'journal.jsonl'));
    expect(() => StoreJournal.open(dir)).toThrow(/journal\.jsonl is a symbolic link/);
  });

  it('refuses a file', () => {
    const dir = newDir();
    writeFileSync(join(dir, 'file'), '');
    expect(() => checkDataDir(join(dir, 'file'))).toThrow(/not a directory/);
  });

  it('puts the key cache in DIR/keys unless one is named', () => {
    expect(keyCacheDirOf({ dataDir: '/tmp/data' })).toBe('/tmp/data/keys');
    expect(keyCacheDirOf({ dataDir: '/tmp/data', keyCacheDir: '/tmp/keys' })).toBe('/tmp/keys');
    expect(keyCacheDirOf({})).toBeUndefined();
  });
});
