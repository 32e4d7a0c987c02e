import { durationMilliseconds } from '../time/fake-clock.js';
import type { KubeObject } from '../registry/resource-kind.js';

/** The annotation prefix the simulated kubelet reads its scenarios from. */
export const SCENARIO_ANNOTATION = 'fake-apiserver.dev/scenario';
/** How long containers that exit run first, as a Go duration on the server's clock. */
export const RUN_FOR_ANNOTATION = 'fake-apiserver.dev/run-for';
/** The default of `fake-apiserver.dev/run-for`. */
export const DEFAULT_RUN_FOR_MS = 1000;

/** What one container does, from its pod's annotations. */
export type ContainerScenario =
  | { kind: 'Run' }
  | { kind: 'ErrImagePull' }
  | { kind: 'Unready' }
  | { kind: 'Exit'; exitCode: number; reason: 'Error' | 'Completed' | 'OOMKilled' };

/** What the kubelet does with a pod, from its annotations. */
export interface PodScenario {
  /** How long a container that exits runs first. */
  runForMs: number;
  /** Whether the containers ignore SIGTERM: the pod then goes only when its grace period ends. */
  ignoreSigterm: boolean;
  container(name: string): ContainerScenario;
}

/**
 * Reads a container's scenario: `fake-apiserver.dev/scenario.<container>` or, for every container,
 * `fake-apiserver.dev/scenario`, one of `ErrImagePull`, `CrashLoopBackOff` (exits with 1, restarted with
 * back-off), `Exit:<code>`, `OOMKilled`, `Unready`; the pod's `IgnoreSIGTERM` (any container) makes it
 * wait out its grace period when deleted. Anything else runs normally, and is logged once.
 */
export function podScenario(pod: KubeObject, warn: (message: string) => void): PodScenario {
  const annotations = pod.metadata?.annotations ?? {};
  const runFor = annotations[RUN_FOR_ANNOTATION];
  let runForMs = DEFAULT_RUN_FOR_MS;
  if (runFor !== undefined) {
    try {
      runForMs = durationMilliseconds(runFor);
    } catch {
      warn(`${RUN_FOR_ANNOTATION}: ${JSON.stringify(runFor)} is not a Go duration; using 1s`);
    }
  }
  const valueFor = (name: string) =>
    annotations[`${SCENARIO_ANNOTATION}.${name}`] ?? annotations[SCENARIO_ANNOTATION];
  const ignoreSigterm = Object.entries(annotations).some(
    ([key, value]) =>
      (key === SCENARIO_ANNOTATION || key.startsWith(`${SCENARIO_ANNOTATION}.`)) && value === 'IgnoreSIGTERM',
  );
  return {
    runForMs,
    ignoreSigterm,
    container(name) {
      const value = valueFor(name);
      return parseContainerScenario(value, (message) =>
        warn(`${SCENARIO_ANNOTATION} of container ${name}: ${message}`),
      );
    },
  };
}

/** One scenario value (see `podScenario`). */
export function parseContainerScenario(
  value: string | undefined,
  warn: (message: string) => void,
): ContainerScenario {
  if (value === undefined || value === '' || value === 'IgnoreSIGTERM') return { kind: 'Run' };
  if (value === 'ErrImagePull' || value === 'ImagePullBackOff') return { kind: 'ErrImagePull' };
  if (value === 'Unready') return { kind: 'Unready' };
  if (value === 'CrashLoopBackOff') return { kind: 'Exit', exitCode: 1, reason: 'Error' };
  if (value === 'OOMKilled') return { kind: 'Exit', exitCode: 137, reason: 'OOMKilled' };
  const exit = /^Exit:(\d{1,3})$/.exec(value);
  if (exit && Number(exit[1]) <= 255) {
    const exitCode = Number(exit[1]);
    return { kind: 'Exit', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' };
  }
  warn(
    `${JSON.stringify(value)} is not one of ErrImagePull, CrashLoopBackOff, Exit:<code>, OOMKilled, Unready, IgnoreSIGTERM; the container runs normally`,
  );
  return { kind: 'Run' };
}
