import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeApiServerError } from '../errors/developer-error.js';
import { mountsBelow, parseMountInfo, readOnlyRemountOptions } from './mountinfo.js';
import { planMounts, type HostView, type PathKind } from './sandbox-plan.js';

/** A host filesystem of directories, files and symlinks, as the planner sees it. */
function fakeHost(entries: Record<string, 'directory' | 'file' | `-> ${string}`>): HostView {
  const kind = (path: string): PathKind => {
    if (path === '/') return 'directory';
    const entry = entries[path];
    if (entry === undefined) return 'missing';
    return entry.startsWith('-> ') ? 'symlink' : (entry as PathKind);
  };
  const readlink = (path: string) => entries[path]!.slice(3);
  const realpath = (path: string): string | undefined => {
    let resolved = '/';
    const parts = path.split('/').filter(Boolean);
    for (let hops = 0; parts.length > 0 && hops < 40;) {
      const next = posix.join(resolved, parts.shift()!);
      const found = kind(next);
      if (found === 'missing') return undefined;
      if (found === 'symlink') {
        hops++;
        const target = readlink(next);
        parts.unshift(
          ...posix
            .join(posix.isAbsolute(target) ? '/' : resolved, target)
            .split('/')
            .filter(Boolean),
        );
        resolved = '/';
      } else resolved = next;
    }
    return resolved;
  };
  return { kind, readlink, realpath };
}

const MOUNTINFO = parseMountInfo(
  [
    '22 27 0:21 / /proc rw,relatime - proc proc rw',
    '24 27 0:6 / /dev rw,nosuid,relatime - devtmpfs devtmpfs rw',
    '25 24 0:23 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw',
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '28 27 0:25 / /tmp rw,nosuid,nodev,relatime - tmpfs tmpfs rw',
    '29 27 0:26 / /run rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw',
    '30 29 0:27 / /run/user/1000 rw,nosuid,nodev,relatime - tmpfs tmpfs rw',
    '31 27 0:28 / /home/dev\\040files rw,relatime - ext4 /dev/vdb rw',
  ].join('\n'),
);

const host = fakeHost({
  '/etc': 'directory',
  '/etc/hosts': 'file',
  '/etc/resolv.conf': '-> ../run/systemd/resolve/stub-resolv.conf',
  '/run': 'directory',
  '/run/systemd': 'directory',
  '/run/systemd/resolve': 'directory',
  '/run/systemd/resolve/stub-resolv.conf': 'file',
  '/run/user': 'directory',
  '/var': 'directory',
  '/var/run': '-> /run',
  '/tmp': 'directory',
  '/tmp/run-1': 'directory',
  '/tmp/run-1/etc': 'directory',
  '/tmp/run-1/etc/hosts': 'file',
  '/tmp/run-1/etc/resolv.conf': 'file',
  '/tmp/run-1/sa': 'directory',
  '/tmp/run-1/volumes': 'directory',
  '/tmp/run-1/volumes/config': 'directory',
  '/tmp/run-1/volumes/scratch': 'directory',
});

const plan = (mounts: { source: string; target: string; readOnly?: boolean }[]) =>
  planMounts({
    mounts: mounts.map((mount) => ({ readOnly: false, ...mount })),
    scratch: '/tmp/run-1/sandbox',
    view: host,
    mountInfo: MOUNTINFO,
  });

describe('mountinfo', () => {
  it('lists the outermost mounts below a directory, unescaped', () => {
    expect(mountsBelow(MOUNTINFO, '/run')).toEqual(['user/1000']);
    expect(mountsBelow(MOUNTINFO, '/')).toEqual(['dev', 'home/dev files', 'proc', 'run', 'tmp']);
    expect(mountsBelow(MOUNTINFO, '/etc')).toEqual([]);
  });

  it("remounts a bind read-only with the flags the kernel locks on its source's mount", () => {
    expect(readOnlyRemountOptions(MOUNTINFO, '/tmp/run-1/sa')).toBe('remount,bind,ro,nosuid,nodev,relatime');
    expect(readOnlyRemountOptions(MOUNTINFO, '/etc/x')).toBe('remount,bind,ro,relatime');
  });
});

describe('the sandbox mount plan', () => {
  it('binds over what exists, following symlinks, and makes a missing path in a layer over its deepest parent', () => {
    expect(
      plan([
        { source: '/tmp/run-1/etc/hosts', target: '/etc/hosts' },
        { source: '/tmp/run-1/etc/resolv.conf', target: '/etc/resolv.conf' },
        { source: '/tmp/run-1/sa', target: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ]),
    ).toEqual({
      root: undefined,
      steps: [
        { op: 'bind', source: '/tmp/run-1/etc/hosts', target: '/etc/hosts' },
        { op: 'bind', source: '/tmp/run-1/etc/resolv.conf', target: '/run/systemd/resolve/stub-resolv.conf' },
        // The mounts below /run are shown again over the layer: the host's and the resolv.conf bound just before.
        {
          op: 'shadow',
          dir: '/run',
          at: '/run',
          id: 'layer1',
          layer: 'overlay',
          children: ['systemd/resolve/stub-resolv.conf', 'user/1000'],
        },
        { op: 'mkdir', path: '/run/secrets' },
        { op: 'mkdir', path: '/run/secrets/kubernetes.io' },
        { op: 'mkdir', path: '/run/secrets/kubernetes.io/serviceaccount' },
        { op: 'bind', source: '/tmp/run-1/sa', target: '/run/secrets/kubernetes.io/serviceaccount' },
        {
          op: 'readonly',
          target: '/run/secrets/kubernetes.io/serviceaccount',
          options: 'remount,bind,ro,nosuid,nodev,relatime',
        },
      ],
    });
  });

  it('shadows a directory once, and makes paths inside a mounted volume without another layer', () => {
    const { steps } = plan([
      { source: '/tmp/run-1/volumes/config', target: '/etc/config' },
      { source: '/tmp/run-1/sa', target: '/etc/other/sa' },
      { source: '/tmp/run-1/volumes/scratch', target: '/etc/config/nested' },
    ]);
    expect(steps.filter((step) => step.op === 'shadow')).toEqual([
      { op: 'shadow', dir: '/etc', at: '/etc', id: 'layer1', layer: 'overlay', children: [] },
    ]);
    expect(steps.filter((step) => step.op === 'mkdir')).toEqual([
      { op: 'mkdir', path: '/etc/config' },
      { op: 'mkdir', path: '/etc/other' },
      { op: 'mkdir', path: '/etc/other/sa' },
      { op: 'mkdir', path: '/etc/config/nested' },
    ]);
  });

  it('builds a new root when / must gain an entry, every path under it', () => {
    const result = plan([
      { source: '/tmp/run-1/etc/hosts', target: '/etc/hosts' },
      { source: '/tmp/run-1/volumes/scratch', target: '/scratch' },
    ]);
    expect(result.root).toBe('/tmp/run-1/sandbox/root');
    expect(result.steps).toEqual([
      // Built of binds of the host's entries, so that the rest of the filesystem is the host's own.
      { op: 'shadow', dir: '/', at: '/tmp/run-1/sandbox/root', id: 'layer1', layer: 'binds', children: [] },
      { op: 'bind', source: '/tmp/run-1/etc/hosts', target: '/tmp/run-1/sandbox/root/etc/hosts' },
      { op: 'mkdir', path: '/tmp/run-1/sandbox/root/scratch' },
      { op: 'bind', source: '/tmp/run-1/volumes/scratch', target: '/tmp/run-1/sandbox/root/scratch' },
    ]);
  });

  it('refuses a directory over a file, and a source that is missing', () => {
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof FakeApiServerError) return error.message;
      }
      return 'not refused';
    };
    expect(refused(() => plan([{ source: '/tmp/run-1/sa', target: '/etc/hosts' }]))).toContain(
      'cannot show /etc/hosts in the sandbox: it is a file, and a directory is to be mounted there',
    );
    expect(refused(() => plan([{ source: '/tmp/run-1/nope', target: '/etc/x' }]))).toContain(
      'its source /tmp/run-1/nope is missing',
    );
  });
});
