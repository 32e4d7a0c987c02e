/**
 * Reading `/proc/self/mountinfo`: which mounts lie below a directory (to show them again over a layer that
 * covers it) and the per-mount flags a bind mount inherits (which a read-only remount must keep).
 * @see https://man7.org/linux/man-pages/man5/proc_pid_mountinfo.5.html
 */

/** One mount: where it is, and its per-mount options (`rw,nosuid,nodev,relatime`). */
export interface MountEntry {
  mountPoint: string;
  options: string[];
}

/** The kernel's octal escapes of a mountinfo field (`\040` for a space). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mounts listed in a mountinfo text, in its order (later mounts over earlier ones). */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 6) continue;
    entries.push({ mountPoint: unescape(fields[4]!), options: fields[5]!.split(',') });
  }
  return entries;
}

function isBelow(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' && path.startsWith('/') : path.startsWith(`${dir}/`);
}

/**
 * The mounts strictly below `dir`, as paths relative to it, leaving out those below another of them (a
 * recursive bind brings those along).
 */
export function mountsBelow(entries: readonly MountEntry[], dir: string): string[] {
  const points = [
    ...new Set(entries.map((entry) => entry.mountPoint).filter((point) => isBelow(point, dir))),
  ];
  const outermost = points.filter(
    (point) => !points.some((other) => other !== point && isBelow(point, other)),
  );
  const prefix = dir === '/' ? 1 : dir.length + 1;
  return outermost.sort().map((point) => point.slice(prefix));
}

/** The per-mount options of the mount holding `path` (the last mounted at its deepest mount point). */
export function mountOptionsOf(entries: readonly MountEntry[], path: string): string[] {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    const holds = entry.mountPoint === path || isBelow(path, entry.mountPoint) || entry.mountPoint === '/';
    if (holds && (!best || entry.mountPoint.length >= best.mountPoint.length)) best = entry;
  }
  return best?.options ?? ['rw'];
}

/**
 * The options of a read-only remount of a bind of `source`: `ro` with the flags the kernel locks on a
 * mount made in a user namespace (nosuid, nodev, noexec, the atime ones), which a remount must repeat.
 */
export function readOnlyRemountOptions(entries: readonly MountEntry[], source: string): string {
  const kept = mountOptionsOf(entries, source).filter((option) =>
    ['nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'strictatime'].includes(option),
  );
  return ['remount', 'bind', 'ro', ...kept].join(',');
}
