import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar, writeTar } from './tar-archive.js';

/** GNU tar, the reference both ways (every Debian has it). */
function gnuTar(args: string[], options: { input?: Buffer; cwd?: string } = {}): Buffer {
  const result = spawnSync('tar', args, { input: options.input, cwd: options.cwd, env: { LC_ALL: 'C' } });
  if (result.status !== 0) throw new Error(`tar ${args.join(' ')}: ${String(result.stderr)}`);
  return result.stdout;
}

const LONG = `${'n'.repeat(60)}/${'m'.repeat(70)}.txt`;
const mtime = new Date('2024-05-01T12:00:00Z');

describe('writeTar', () => {
  it('writes what GNU tar lists, long names included', () => {
    const archive = writeTar([
      { name: 'd', type: 'directory', mode: 0o755, mtime, content: Buffer.alloc(0), linkname: '' },
      { name: 'd/a', type: 'file', mode: 0o640, mtime, content: Buffer.from('hello\n'), linkname: '' },
      { name: LONG, type: 'file', mode: 0o644, mtime, content: Buffer.from('x'), linkname: '' },
      { name: 'd/l', type: 'symlink', mode: 0o777, mtime, content: Buffer.alloc(0), linkname: 'a' },
    ]);
    expect(archive.length % 10240).toBe(0);
    const listing = gnuTar(['tvf', '-', '--utc'], { input: archive }).toString();
    expect(listing.split('\n')).toEqual([
      'drwxr-xr-x root/root         0 2024-05-01 12:00 d/',
      '-rw-r----- root/root         6 2024-05-01 12:00 d/a',
      `-rw-r--r-- root/root         1 2024-05-01 12:00 ${LONG}`,
      'lrwxrwxrwx root/root         0 2024-05-01 12:00 d/l -> a',
      '',
    ]);
    expect(gnuTar(['xOf', '-', 'd/a'], { input: archive }).toString()).toBe('hello\n');
  });

  it('writes the same bytes as GNU tar 1.34 for a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-bytes-'));
    writeFileSync(join(dir, 'x'), 'hello\n', { mode: 0o644 });
    spawnSync('touch', ['-d', '2024-05-01T12:00:00Z', join(dir, 'x')]);
    const gnu = gnuTar(['cf', '-', '--owner=root:0', '--group=root:0', 'x'], { cwd: dir });
    const ours = writeTar([
      { name: 'x', type: 'file', mode: 0o644, mtime, content: Buffer.from('hello\n'), linkname: '' },
    ]);
    expect(ours.equals(gnu)).toBe(true);
  });
});

describe('readTar', () => {
  for (const format of ['gnu', 'pax', 'ustar']) {
    it(`reads GNU tar's ${format} format, long names included`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'tar-read-'));
      mkdirSync(join(dir, 'n'.repeat(60)));
      writeFileSync(join(dir, LONG), 'long');
      mkdirSync(join(dir, 'empty'));
      const archive = gnuTar(['--format', format, '-cf', '-', 'empty', 'n'.repeat(60)], { cwd: dir });
      const { entries, error } = readTar(archive);
      expect(error).toBeUndefined();
      expect(entries.map((e) => [e.name, e.type, e.content.toString()])).toEqual([
        ['empty/', 'directory', ''],
        [`${'n'.repeat(60)}/`, 'directory', ''],
        [LONG, 'file', 'long'],
      ]);
    });
  }

  it('says what GNU tar says of garbage and of a cut archive', () => {
    expect(readTar(Buffer.alloc(0)).error).toBe('not-a-tar');
    expect(readTar(Buffer.from('garbage\n')).error).toBe('not-a-tar');
    const archive = writeTar([
      { name: 'a', type: 'file', mode: 0o644, mtime, content: Buffer.alloc(2000, 1), linkname: '' },
    ]);
    expect(readTar(archive.subarray(0, 1024)).error).toBe('unexpected-eof');
  });
});
