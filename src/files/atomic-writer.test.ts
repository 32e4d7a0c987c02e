import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_DIR_NAME, writeAtomically } from './atomic-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-atomic-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const file = (text: string, mode = 0o644) => ({ data: Buffer.from(text), mode });

describe("the kubelet's AtomicWriter layout", () => {
  it('writes through a timestamped directory, ..data and one symlink per top-level entry', async () => {
    const changed = await writeAtomically(
      dir,
      new Map([
        ['mode', file('blue')],
        ['db/password', file('s3cr3t', 0o400)],
      ]),
      new Date('2026-01-31T12:00:00Z'),
    );
    expect(changed).toBe(true);
    const data = await readlink(join(dir, '..data'));
    expect(data).toMatch(/^\.\.2026_01_31_12_00_00\.\d+$/);
    expect(DATA_DIR_NAME.test(data)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([data, '..data', 'db', 'mode'].sort());
    expect(await readlink(join(dir, 'mode'))).toBe('..data/mode');
    expect(await readlink(join(dir, 'db'))).toBe('..data/db');
    expect(await readFile(join(dir, 'db/password'), 'utf8')).toBe('s3cr3t');
    expect((await stat(join(dir, 'db/password'))).mode & 0o777).toBe(0o400);
  });

  it('writes nothing when the files are the same, and swaps everything when one changes', async () => {
    await writeAtomically(
      dir,
      new Map([
        ['mode', file('blue')],
        ['size', file('3')],
      ]),
    );
    const first = await readlink(join(dir, '..data'));
    expect(
      await writeAtomically(
        dir,
        new Map([
          ['mode', file('blue')],
          ['size', file('3')],
        ]),
      ),
    ).toBe(false);
    expect(await readlink(join(dir, '..data'))).toBe(first);
    expect(
      await writeAtomically(
        dir,
        new Map([
          ['mode', file('blue', 0o600)],
          ['size', file('3')],
        ]),
      ),
    ).toBe(true);
    expect(await writeAtomically(dir, new Map([['mode', file('green')]]))).toBe(true);
    const last = await readlink(join(dir, '..data'));
    expect(last).not.toBe(first);
    expect((await readdir(dir)).sort()).toEqual([last, '..data', 'mode'].sort());
    expect(await readFile(join(dir, 'mode'), 'utf8')).toBe('green');
    await expect(lstat(join(dir, first))).rejects.toThrow();
  });

  it('refuses paths that leave the volume, as validatePayload does', async () => {
    await expect(writeAtomically(dir, new Map([['../x', file('x')]]))).rejects.toThrow(
      'invalid path "../x": must be relative',
    );
    await expect(writeAtomically(dir, new Map([['/etc/x', file('x')]]))).rejects.toThrow(
      'invalid path "/etc/x"',
    );
  });
});
