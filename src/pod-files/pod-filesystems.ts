import { ContainerFileSystem } from './container-filesystem.js';

/**
 * The in-memory filesystem of every pod container that was written to, keyed by namespace, pod and
 * container. A pod's files are dropped when the pod is deleted (removed from the store), so a new pod of the
 * same name starts empty, as a new container would.
 */
export class PodFileSystems {
  readonly #pods = new Map<string, Map<string, ContainerFileSystem>>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** The container's filesystem, made on first use with only `/` and `/tmp`. */
  of(namespace: string, pod: string, container: string): ContainerFileSystem {
    const key = `${namespace}/${pod}`;
    let containers = this.#pods.get(key);
    if (!containers) this.#pods.set(key, (containers = new Map()));
    let files = containers.get(container);
    if (!files) {
      const now = this.#now();
      containers.set(container, (files = new ContainerFileSystem(now)));
      // Every image has a /tmp (sticky, world-writable), the usual target of `kubectl cp`.
      files.makeDirectories('/tmp', 0o1777, now);
    }
    return files;
  }

  /** Drops a pod's files, as when the pod is deleted. */
  forget(namespace: string, pod: string): void {
    this.#pods.delete(`${namespace}/${pod}`);
  }

  /** Drops every pod's files. */
  clear(): void {
    this.#pods.clear();
  }
}
