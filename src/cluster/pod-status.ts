/**
 * What the kubelet reports of a pod, derived from the containers it runs: each container's status, the
 * pod's phase (`getPhase`) and its conditions (`GeneratePodReadyCondition` and friends).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kubelet_pods.go (getPhase, generateAPIPodStatus)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/status/generate.go
 */

/** A terminated container state. */
export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

/** A container's state as the kubelet tracks it. */
export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: Terminated };

/** One container the kubelet runs (an init container, a sidecar or a regular container). */
export interface ContainerRun {
  name: string;
  image: string;
  init: boolean;
  /** An init container with `restartPolicy: Always`. */
  sidecar: boolean;
  state: ContainerState;
  lastState?: Terminated;
  restartCount: number;
  /** Exits so far, for the restart back-off. */
  exits: number;
  /** Failed pulls so far, for the image pull back-off. */
  pullFailures: number;
  containerID?: string;
  imageID?: string;
  ready: boolean;
  started: boolean;
}

/** The JSON of a container status. */
export function containerStatusOf(container: ContainerRun, fullImage: string): Record<string, unknown> {
  const pulled = container.imageID !== undefined;
  return {
    name: container.name,
    state: container.state,
    lastState: container.lastState ? { terminated: container.lastState } : {},
    ready: container.ready,
    restartCount: container.restartCount,
    image: pulled ? fullImage : container.image,
    imageID: container.imageID ?? '',
    ...(container.containerID ? { containerID: container.containerID } : {}),
    started: container.started,
  };
}

function isDone(container: ContainerRun): boolean {
  return 'terminated' in container.state && container.state.terminated.exitCode === 0;
}

/** Whether the pod's init containers are through: regular ones completed, sidecars started. */
export function initialized(containers: readonly ContainerRun[]): boolean {
  return containers.filter((c) => c.init).every((c) => (c.sidecar ? c.started : isDone(c)));
}

/**
 * The pod phase (`getPhase`): Pending while initializing or while a container never started; then Running
 * while one runs or will be restarted; Succeeded or Failed once every container stopped for good
 * (`terminal`: the pod is being deleted, so every container stopped for good).
 */
export function podPhase(
  containers: readonly ContainerRun[],
  restartPolicy: string,
  terminal: boolean,
): string {
  const inits = containers.filter((c) => c.init && !c.sidecar);
  if (
    restartPolicy === 'Never' &&
    inits.some((c) => 'terminated' in c.state && c.state.terminated.exitCode !== 0)
  )
    return 'Failed';
  const main = containers.filter((c) => !c.init);
  if (!terminal && !initialized(containers)) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of main) {
    if ('running' in c.state) running++;
    else if ('terminated' in c.state) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState) stopped++;
    else waiting++;
  }
  if (terminal) return running === 0 && stopped === succeeded && stopped > 0 ? 'Succeeded' : 'Failed';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (restartPolicy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return restartPolicy === 'Never' ? 'Failed' : 'Running';
}

/** The condition list the kubelet writes, in its order. */
export function podConditions(
  containers: readonly ContainerRun[],
  phase: string,
  sandboxReady: boolean,
): { type: string; status: 'True' | 'False'; reason?: string; message?: string }[] {
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const names = (list: ContainerRun[]) => `[${list.map((c) => c.name).join(' ')}]`;
  const incomplete = containers.filter((c) => c.init && (c.sidecar ? !c.started : !isDone(c)));
  const unready = containers.filter((c) => (!c.init || c.sidecar) && !c.ready);
  const initializedCondition = completed
    ? { type: 'Initialized', status: 'True' as const, reason: 'PodCompleted' }
    : incomplete.length > 0
      ? {
          type: 'Initialized',
          status: 'False' as const,
          reason: 'ContainersNotInitialized',
          message: `containers with incomplete status: ${names(incomplete)}`,
        }
      : { type: 'Initialized', status: 'True' as const };
  const readiness = completed
    ? { status: 'False' as const, reason: 'PodCompleted' }
    : incomplete.length > 0 || unready.length > 0
      ? {
          status: 'False' as const,
          reason: 'ContainersNotReady',
          message: `containers with unready status: ${names(unready.length > 0 ? unready : containers.filter((c) => !c.init))}`,
        }
      : { status: 'True' as const };
  return [
    { type: 'PodReadyToStartContainers', status: sandboxReady && !completed ? 'True' : 'False' },
    initializedCondition,
    { type: 'Ready', ...readiness },
    { type: 'ContainersReady', ...readiness },
  ];
}
