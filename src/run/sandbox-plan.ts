/**
 * Where the sandbox's mounts go, worked out before it starts: each of the run's files at its target, and,
 * where a target does not exist, the writable layer that lets it be created without touching the host.
 * A directory that must gain an entry is "shadowed": covered by an overlay (or, where overlayfs is not
 * available, a tmpfs with each original entry bound back) whose new entries live in the sandbox's private
 * tmpfs; the mounts below it are shown again. Shadowing `/` builds a new root to `chroot` into.
 */
import { posix } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import { mountsBelow, readOnlyRemountOptions, type MountEntry } from './mountinfo.js';
import type { RunMount } from './types.js';

/** What a path is on the host. */
export type PathKind = 'directory' | 'file' | 'symlink' | 'missing';

/** The host's filesystem as the planner reads it. */
export interface HostView {
  /** What the path itself is (a symlink is not followed). */
  kind(path: string): PathKind;
  readlink(path: string): string;
  /** The path with every symlink followed, or undefined if it leads nowhere. */
  realpath(path: string): string | undefined;
}

/** One step of the sandbox's set-up, in order. Paths are those the set-up uses (under `root` once shadowed). */
export type SandboxStep =
  | { op: 'shadow'; dir: string; at: string; id: string; layer: 'overlay' | 'binds'; children: string[] }
  | { op: 'mkdir'; path: string }
  | { op: 'file'; path: string }
  | { op: 'bind'; source: string; target: string }
  | { op: 'readonly'; target: string; options: string };

/** The set-up's mounts, and the new root when `/` had to gain an entry. */
export interface MountPlan {
  steps: SandboxStep[];
  /** The directory to `chroot` into, if `/` was shadowed. */
  root: string | undefined;
}

class NeedsNewRoot extends Error {}

function cannotMount(target: string, why: string): never {
  throw new FakeApiServerError(
    'POD_NOT_RUNNABLE',
    `cannot show ${target} in the sandbox: ${why}`,
    'use another mountPath',
  );
}

function isUnder(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path === dir || path.startsWith(`${dir}/`);
}

/**
 * Plans the mounts of a run: `mounts` (sources on the host, targets in the sandbox), a private `scratch`
 * directory for the set-up's own layers, the host's view and mounts.
 */
export function planMounts(options: {
  mounts: readonly RunMount[];
  scratch: string;
  view: HostView;
  mountInfo: readonly MountEntry[];
}): MountPlan {
  try {
    return planWith(options, false);
  } catch (error) {
    if (error instanceof NeedsNewRoot) return planWith(options, true);
    throw error;
  }
}

function planWith(
  { mounts, scratch, view, mountInfo }: Parameters<typeof planMounts>[0],
  newRoot: boolean,
): MountPlan {
  const root = newRoot ? posix.join(scratch, 'root') : undefined;
  const at = (path: string) => (root ? (path === '/' ? root : `${root}${path}`) : path);
  const steps: SandboxStep[] = [];
  const readOnly: SandboxStep[] = [];
  const created = new Map<string, 'directory' | 'file'>();
  const bound = new Map<string, string>();
  const shadowed = new Set<string>();
  let shadows = 0;

  /** A sandbox path's host path: through the binds made so far. */
  const hostPathOf = (path: string): string => {
    let best: string | undefined;
    for (const target of bound.keys())
      if (isUnder(path, target) && (!best || target.length > best.length)) best = target;
    return best ? posix.join(bound.get(best)!, posix.relative(best, path)) : path;
  };
  const kindOf = (path: string): PathKind => created.get(path) ?? view.kind(hostPathOf(path));

  /** The path with its symlinks followed as far as it exists, and what is missing after that. */
  const resolve = (path: string): { base: string; rest: string[] } => {
    let pending = posix.normalize(path).split('/').filter(Boolean);
    let base = '/';
    for (let hops = 0; pending.length > 0;) {
      const next = posix.join(base, pending[0]!);
      const kind = kindOf(next);
      if (kind === 'missing') return { base, rest: pending };
      if (kind === 'symlink') {
        if (++hops > 40) cannotMount(path, 'too many levels of symbolic links');
        const target = view.readlink(hostPathOf(next));
        const from = posix.isAbsolute(target) ? '/' : base;
        pending = [...posix.join(from, target).split('/').filter(Boolean), ...pending.slice(1)];
        base = '/';
        continue;
      }
      if (kind === 'file' && pending.length > 1) cannotMount(path, `${next} is a file`);
      base = next;
      pending = pending.slice(1);
    }
    return { base, rest: [] };
  };

  const writable = (dir: string) =>
    shadowed.has(dir) ||
    created.get(dir) === 'directory' ||
    [...bound.keys()].some((target) => isUnder(dir, target));

  const shadow = (dir: string) => {
    if (dir === '/' && !newRoot) throw new NeedsNewRoot();
    const id = `layer${++shadows}`;
    if (dir === '/') {
      // A new root of binds of the host's entries: the rest of the filesystem stays the host's.
      steps.push({ op: 'shadow', dir, at: at(dir), id, layer: 'binds', children: [] });
      shadowed.add(dir);
      return;
    }
    const children = new Set<string>();
    for (const child of mountsBelow(mountInfo, dir)) children.add(child);
    for (const target of bound.keys())
      if (isUnder(target, dir) && target !== dir) children.add(posix.relative(dir, target));
    if (!newRoot && isUnder(scratch, dir)) children.add(posix.relative(dir, scratch));
    steps.push({ op: 'shadow', dir, at: at(dir), id, layer: 'overlay', children: [...children].sort() });
    shadowed.add(dir);
  };

  const ensure = (target: string, want: 'directory' | 'file'): string => {
    const { base, rest } = resolve(target);
    if (rest.length === 0) {
      const kind = kindOf(base);
      if (kind !== want) cannotMount(target, `it is a ${kind}, and a ${want} is to be mounted there`);
      return base;
    }
    if (!writable(base)) shadow(base);
    let path = base;
    rest.forEach((name, index) => {
      path = posix.join(path, name);
      const kind = index === rest.length - 1 ? want : 'directory';
      steps.push({ op: kind === 'directory' ? 'mkdir' : 'file', path: at(path) });
      created.set(path, kind);
    });
    return path;
  };

  if (newRoot) shadow('/');
  for (const mount of mounts) {
    if (!posix.isAbsolute(mount.target)) cannotMount(mount.target, 'a mountPath must be absolute');
    const real = view.realpath(mount.source);
    const sourceKind = real === undefined ? 'missing' : view.kind(real);
    if (sourceKind !== 'directory' && sourceKind !== 'file') {
      cannotMount(mount.target, `its source ${mount.source} is missing`);
    }
    const target = ensure(mount.target, sourceKind);
    steps.push({ op: 'bind', source: mount.source, target: at(target) });
    bound.set(target, mount.source);
    if (mount.readOnly) {
      readOnly.push({
        op: 'readonly',
        target: at(target),
        options: readOnlyRemountOptions(mountInfo, mount.source),
      });
    }
  }
  return { steps: [...steps, ...readOnly], root };
}
