import { describe, expect, it } from 'vitest';
import { containerCommand } from './container-commands.js';
import { ContainerFileSystem } from './container-filesystem.js';
import { readTar, writeTar, type TarEntry } from './tar-archive.js';

const now = new Date('2024-05-01T12:00:00Z');

async function run(files: ContainerFileSystem, argv: string[], stdin: Buffer = Buffer.alloc(0)) {
  const command = containerCommand(argv);
  if (!command) throw new Error(`not a built-in: ${argv.join(' ')}`);
  const result = await command({ files, cwd: '/', now: () => now, readStdin: () => Promise.resolve(stdin) });
  return { ...result, stdout: result.stdout };
}

const member = (name: string, type: TarEntry['type'], extra: Partial<TarEntry> = {}) => ({
  name,
  type,
  mode: type === 'directory' ? 0o755 : 0o644,
  mtime: new Date(0),
  content: Buffer.alloc(0),
  linkname: '',
  ...extra,
});

describe('the commands kubectl cp runs', () => {
  it('tar cf - archives a file and a directory with the leading slash removed', async () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/tmp/d/sub');
    files.writeFile('/tmp/d/a', Buffer.from('A'), 0o600);
    const result = await run(files, ['tar', 'cf', '-', '/tmp/d']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("tar: Removing leading `/' from member names\n");
    expect(readTar(result.stdout).entries.map((e) => [e.name, e.mode.toString(8)])).toEqual([
      ['tmp/d/', '755'],
      ['tmp/d/a', '600'],
      ['tmp/d/sub/', '755'],
    ]);
  });

  it('tar cf - of a missing file is GNU tar 1.34 word for word', async () => {
    const result = await run(new ContainerFileSystem(), ['tar', 'cf', '-', '/nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "tar: Removing leading `/' from member names\n" +
        'tar: /nope: Cannot stat: No such file or directory\n' +
        'tar: Exiting with failure status due to previous errors\n',
    );
    expect(result.stdout.length).toBe(10240);
  });

  it('sh -c "tar cf - SRC | tail -c+N" resumes at byte N and exits with tail', async () => {
    const files = new ContainerFileSystem();
    files.writeFile('/x', Buffer.from('hello'));
    const whole = (await run(files, ['tar', 'cf', '-', '/x'])).stdout;
    expect((await run(files, ['sh', '-c', 'tar cf - /x | tail -c+0'])).stdout.equals(whole)).toBe(true);
    expect(
      (await run(files, ['sh', '-c', 'tar cf - /x | tail -c+513'])).stdout.equals(whole.subarray(512)),
    ).toBe(true);
    expect(await run(files, ['sh', '-c', 'tar cf - /nope | tail -c+0'])).toMatchObject({ exitCode: 0 });
    expect(containerCommand(['sh', '-c', 'tar cf - $(id) | tail -c+0'])).toBeUndefined();
  });

  it('test -d tells a directory by its exit code', async () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/tmp');
    files.writeFile('/tmp/f', Buffer.alloc(0));
    expect((await run(files, ['test', '-d', '/tmp'])).exitCode).toBe(0);
    expect((await run(files, ['test', '-d', '/tmp/f'])).exitCode).toBe(1);
    expect((await run(files, ['test', '-d', '/nope'])).exitCode).toBe(1);
  });

  it('tar -xmf - -C DIR extracts with modes (umask 022 with --no-same-permissions) and parents', async () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/tmp');
    const archive = writeTar([
      member('d/sub/f', 'file', { content: Buffer.from('F'), mode: 0o666 }),
      member('d/e', 'directory', { mode: 0o700 }),
    ]);
    expect(await run(files, ['tar', '-xmf', '-', '-C', '/tmp'], archive)).toMatchObject({
      exitCode: 0,
      stderr: '',
    });
    expect(files.lookup('/tmp/d/sub/f')).toMatchObject({
      mode: 0o666,
      content: Buffer.from('F'),
      mtime: now,
    });
    expect(files.lookup('/tmp/d/e')).toMatchObject({ type: 'directory', mode: 0o700 });
    const noPreserve = ['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-', '-C', '/tmp'];
    expect((await run(files, noPreserve, archive)).exitCode).toBe(0);
    expect(files.lookup('/tmp/d/sub/f')).toMatchObject({ mode: 0o644 });
  });

  it('tar -x fails as GNU tar 1.34 does', async () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/ex/x/y');
    files.writeFile('/ex/p', Buffer.alloc(0));
    const one = writeTar([member('x', 'file')]);
    expect(await run(files, ['tar', '-xmf', '-', '-C', '/nope'], one)).toMatchObject({
      exitCode: 2,
      stderr:
        'tar: /nope: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n',
    });
    expect(await run(files, ['tar', '-xmf', '-', '-C', '/ex/p'], one)).toMatchObject({
      exitCode: 2,
      stderr: 'tar: /ex/p: Cannot open: Not a directory\ntar: Error is not recoverable: exiting now\n',
    });
    expect(await run(files, ['tar', '-xmf', '-', '-C', '/ex'], Buffer.alloc(0))).toMatchObject({
      exitCode: 2,
      stderr:
        'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n',
    });
    expect(await run(files, ['tar', '-xmf', '-', '-C', '/ex'], one)).toMatchObject({
      exitCode: 2,
      stderr: 'tar: x: Cannot open: File exists\ntar: Exiting with failure status due to previous errors\n',
    });
    const evil = writeTar([
      member('../evil', 'file'),
      member('a/../../evil2', 'file'),
      member('/abs', 'file'),
      member('p/q/r', 'file'),
    ]);
    expect(await run(files, ['tar', '-xmf', '-', '-C', '/ex'], evil)).toMatchObject({
      exitCode: 2,
      stderr:
        "tar: Removing leading `../' from member names\n" +
        "tar: ../evil: Member name contains '..'\n" +
        "tar: Removing leading `a/../../' from member names\n" +
        "tar: a/../../evil2: Member name contains '..'\n" +
        "tar: Removing leading `/' from member names\n" +
        'tar: p/q/r: Cannot open: Not a directory\n' +
        'tar: Exiting with failure status due to previous errors\n',
    });
    expect(files.find('/ex/abs')).toMatchObject({ type: 'file' });
    expect(files.find('/evil')).toBeUndefined();
  });
});

describe('cat and ls over the same files', () => {
  it('print what is there and fail as coreutils does', async () => {
    const files = new ContainerFileSystem();
    files.makeDirectories('/d');
    files.writeFile('/d/b', Buffer.from('B\n'));
    files.writeFile('/d/.hidden', Buffer.alloc(0));
    files.writeFile('/d/a', Buffer.from('A\n'));
    files.symlink('/d/l', 'a');
    expect((await run(files, ['cat', '/d/a', '/d/l'])).stdout.toString()).toBe('A\nA\n');
    expect(await run(files, ['cat', '/nope'])).toMatchObject({
      exitCode: 1,
      stderr: 'cat: /nope: No such file or directory\n',
    });
    expect(await run(files, ['cat', '/d'])).toMatchObject({
      exitCode: 1,
      stderr: 'cat: /d: Is a directory\n',
    });
    expect((await run(files, ['ls', '/d'])).stdout.toString()).toBe('a\nb\nl\n');
    expect((await run(files, ['ls', '/d/a', '/d'])).stdout.toString()).toBe('/d/a\n\n/d:\na\nb\nl\n');
    expect(await run(files, ['ls', '/nope'])).toMatchObject({
      exitCode: 2,
      stderr: "ls: cannot access '/nope': No such file or directory\n",
    });
    expect(containerCommand(['ls', '-l'])).toBeUndefined();
    expect(containerCommand(['echo', 'hi'])).toBeUndefined();
  });
});
