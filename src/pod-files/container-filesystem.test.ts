import { describe, expect, it } from 'vitest';
import { absolutePath, ContainerFileSystem, FileSystemError } from './container-filesystem.js';

const errnoOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof FileSystemError) return error.errno;
    throw error;
  }
  return undefined;
};

describe('absolutePath', () => {
  it('resolves ., .. and repeated slashes from the working directory', () => {
    expect(absolutePath('a//b/./c/../d', '/w')).toBe('/w/a/b/d');
    expect(absolutePath('/../../x')).toBe('/x');
    expect(absolutePath('.', '/')).toBe('/');
  });
});

describe('ContainerFileSystem', () => {
  it('writes, reads, lists and removes', () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/tmp/d');
    files.writeFile('/tmp/d/b', Buffer.from('B'), 0o600);
    files.writeFile('/tmp/d/a', Buffer.from('A'));
    expect(files.list('/tmp/d').map(([name]) => name)).toEqual(['a', 'b']);
    expect(files.lookup('/tmp/d/b')).toMatchObject({ type: 'file', mode: 0o600 });
    expect([...ContainerFileSystem.walk(files.lookup('/tmp'))].map(([path]) => path)).toEqual([
      '',
      'd',
      'd/a',
      'd/b',
    ]);
    files.remove('/tmp/d');
    expect(files.find('/tmp/d/a')).toBeUndefined();
  });

  it('fails as the kernel does', () => {
    const files = new ContainerFileSystem();
    files.writeFile('/f', Buffer.from('x'));
    files.makeDirectories('/d');
    expect(errnoOf(() => files.lookup('/missing'))).toBe('ENOENT');
    expect(errnoOf(() => files.lookup('/f/x'))).toBe('ENOTDIR');
    expect(errnoOf(() => files.writeFile('/d', Buffer.alloc(0)))).toBe('EISDIR');
    expect(errnoOf(() => files.writeFile('/nope/x', Buffer.alloc(0)))).toBe('ENOENT');
    expect(errnoOf(() => files.makeDirectories('/f'))).toBe('EEXIST');
    expect(errnoOf(() => files.makeDirectories('/f/g'))).toBe('ENOTDIR');
    expect(errnoOf(() => files.remove('/missing'))).toBe('ENOENT');
  });

  it('keeps a symlink as written, without following it', () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/d');
    files.symlink('/l', 'd');
    expect(files.lookup('/l')).toMatchObject({ type: 'symlink', target: 'd' });
    expect(errnoOf(() => files.lookup('/l/x'))).toBe('ENOTDIR');
  });
});
