import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectories, makeDirectoriesSync } from './make-directories.js';

describe('makeDirectories', () => {
  it('creates missing ancestors with the mode, and accepts what exists', async () => {
    const root = await mkdtemp(join(tmpdir(), 'make-directories-'));
    await makeDirectories(join(root, 'a/b/c'), 0o700);
    expect((await stat(join(root, 'a/b/c'))).mode & 0o777).toBe(0o700);
    await makeDirectories(join(root, 'a/b/c'));
    makeDirectoriesSync(join(root, 'x/y'), 0o700);
    expect((await stat(join(root, 'x/y'))).isDirectory()).toBe(true);
  });

  it('fails, rather than spinning as recursive mkdir does, where creation is refused', async () => {
    // /proc refuses every new entry with ENOENT although it exists.
    await expect(makeDirectories('/proc/fake-apiserver-nope/keys')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => makeDirectoriesSync('/proc/fake-apiserver-nope')).toThrow(/ENOENT/);
    const root = await mkdtemp(join(tmpdir(), 'make-directories-'));
    await writeFile(join(root, 'file'), '');
    await expect(makeDirectories(join(root, 'file/below'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
