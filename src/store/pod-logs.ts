/** One line of a container's log with the time it was written. */
export interface LogLine {
  time: Date;
  text: string;
}

/** The logs of every container at one moment (see `PodLogStore.snapshot`). */
export type PodLogSnapshot = ReadonlyMap<string, readonly LogLine[]>;

/** Log text per pod container, as fixtures or the programmatic handle provide it. */
export class PodLogStore {
  readonly #lines = new Map<string, LogLine[]>();
  readonly #listeners = new Map<string, Set<(line: LogLine) => void>>();

  #key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  /** Appends text (split into lines) to a container's log, notifying followers. */
  append(namespace: string, pod: string, container: string, text: string, time = new Date()): void {
    const key = this.#key(namespace, pod, container);
    const lines = this.#lines.get(key) ?? [];
    const parts = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    for (const part of parts) {
      const line = { time, text: part };
      lines.push(line);
      for (const listener of this.#listeners.get(key) ?? []) listener(line);
    }
    this.#lines.set(key, lines);
  }

  /** The lines of a container's log. */
  lines(namespace: string, pod: string, container: string): readonly LogLine[] {
    return this.#lines.get(this.#key(namespace, pod, container)) ?? [];
  }

  /** Calls `listener` for each line appended from now on; returns the unsubscribe function. */
  follow(namespace: string, pod: string, container: string, listener: (line: LogLine) => void): () => void {
    const key = this.#key(namespace, pod, container);
    const set = this.#listeners.get(key) ?? new Set();
    set.add(listener);
    this.#listeners.set(key, set);
    return () => set.delete(listener);
  }

  /** Replaces a container's log with `text` (split into lines), notifying followers of the new lines. */
  replace(namespace: string, pod: string, container: string, text: string, time = new Date()): void {
    this.#lines.delete(this.#key(namespace, pod, container));
    this.append(namespace, pod, container, text, time);
  }

  /** Every container's lines at this moment, for `restore`. */
  snapshot(): PodLogSnapshot {
    return new Map([...this.#lines].map(([key, lines]) => [key, [...lines]]));
  }

  /** Makes the logs those of a snapshot; followers stay attached and see what is appended from then on. */
  restore(snapshot: PodLogSnapshot): void {
    this.#lines.clear();
    for (const [key, lines] of snapshot) this.#lines.set(key, [...lines]);
  }

  /** Drops a pod's logs, as when the pod is deleted. */
  forget(namespace: string, pod: string): void {
    for (const key of [...this.#lines.keys()])
      if (key.startsWith(`${namespace}/${pod}/`)) this.#lines.delete(key);
  }
}
