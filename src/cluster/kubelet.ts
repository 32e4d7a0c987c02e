import { deleteObject } from '../lifecycle/delete-object.js';
import { enableGracefulPodDeletion } from '../lifecycle/pod-graceful-deletion.js';
import { podKind } from '../registry/built-in-kinds.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import { setPodCondition } from '../registry/pod-conditions.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { kubeTimestamp } from '../store/object-store.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { CancelTimer } from './clock-timers.js';
import type { ClusterComponent, ClusterContext } from './cluster-context.js';
import { fullImageName, imageIdOf, newContainerId } from './container-ids.js';
import { nodeNotReady, nodeUnreachable, startNodeHeartbeats } from './node-heartbeat.js';
import {
  containerStatusOf,
  podConditions,
  podPhase,
  type ContainerRun,
  type Terminated,
} from './pod-status.js';
import { keyOf } from './reconcile-queue.js';
import { podScenario, type PodScenario } from './scenarios.js';

const PODS = storageKeyOf(podKind);
const NODES = storageKeyOf(nodeKind);
/** The kubelet's back-off for restarts and image pulls: 10 s, doubling, at most 5 minutes. */
const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

type Json = Record<string, unknown>;

/** What the kubelet holds about one pod it runs. */
interface PodRun {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  podIP?: string;
  containers: ContainerRun[];
  killing: boolean;
  timers: Set<CancelTimer>;
}

function backoffMs(failures: number): number {
  return Math.min(BACKOFF_INITIAL_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);
}

function goSeconds(ms: number): string {
  return ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000}m0s` : `${ms / 1000}s`;
}

/**
 * The kubelet of every Node in the store: it reports the nodes' heartbeats (`node-heartbeat.ts`) and runs
 * the pods bound to them, as fake containers with no process: Pending (ContainerCreating) then Running with
 * container IDs, image IDs, a pod IP from the node's pod CIDR and the pod's conditions; init containers
 * first, to completion; sidecars kept running; containers that exit (restart policy Never/OnFailure, or a
 * scenario) run for `fake-apiserver.dev/run-for` (1s) of the server's clock; restarts and image pulls back
 * off 10 s doubling to 5 minutes on that clock. Probes are not run: a started container is ready. A deleted
 * pod's containers are stopped (`Killing`) and the pod deleted with a grace period of 0 on a later turn, or
 * when its grace period ends if the pod's scenario is `IgnoreSIGTERM`. Events as the kubelet records them.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kuberuntime/kuberuntime_container.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/images/image_manager.go
 */
export const kubelet: ClusterComponent = {
  name: 'kubelet',
  start(context: ClusterContext) {
    const runtime = new KubeletRuntime(context);
    const stopGraceful = enableGracefulPodDeletion(context.store);
    const stopHeartbeats = startNodeHeartbeats(context);
    const unsubscribe = context.store.subscribe((event) => {
      if (event.kindKey === NODES && event.type !== 'DELETED') {
        const name = event.object.metadata?.name ?? '';
        if (!nodeNotReady(event.object) && event.previous && nodeNotReady(event.previous))
          runtime.syncNode(name);
        if (event.type === 'ADDED') runtime.syncNode(name);
      }
      if (event.kindKey !== PODS) return;
      if (event.type === 'DELETED') runtime.forget(event.object);
      else runtime.observe(event.object);
    });
    context.timers.after(0, () => {
      for (const pod of context.store.list({ kind: podKind }).items) runtime.observe(pod);
    });
    return () => {
      unsubscribe();
      stopHeartbeats();
      runtime.stop();
      stopGraceful();
    };
  },
};

class KubeletRuntime {
  readonly #context: ClusterContext;
  readonly #runs = new Map<string, PodRun>();
  readonly #images = new Map<string, Set<string>>();

  constructor(context: ClusterContext) {
    this.#context = context;
  }

  stop(): void {
    for (const run of this.#runs.values()) for (const cancel of run.timers) cancel();
    this.#runs.clear();
  }

  syncNode(node: string): void {
    this.#after(undefined, 0, () => {
      // Back to ready: report the pods again (the node lifecycle controller marked them not Ready).
      for (const run of this.#runs.values()) if (run.node === node && !run.killing) this.#write(run);
      for (const pod of this.#context.store.list({ kind: podKind }).items) {
        if ((pod.spec as Json | undefined)?.nodeName === node) this.observe(pod);
      }
    });
  }

  /** A pod changed: start it, or stop it if it is being deleted. */
  observe(pod: KubeObject): void {
    const spec = (pod.spec ?? {}) as Json;
    const nodeName = spec.nodeName as string | undefined;
    if (!nodeName) return;
    const node = this.#context.store.get(nodeKind, '', nodeName);
    // No node, or its kubelet is gone: nothing runs, stops or reports there.
    if (!node || nodeUnreachable(node)) return;
    const key = keyOf(pod);
    let run = this.#runs.get(key);
    // Another pod of the same name, or this pod put back as it was (`reset()`, a restored snapshot).
    if (run && (run.uid !== pod.metadata?.uid || (!run.killing && !reportsRun(run, pod)))) {
      this.#forgetRun(run);
      run = undefined;
    }
    if (pod.metadata?.deletionTimestamp) {
      if (!run) run = this.#adopt(pod, nodeName);
      if (!run.killing) this.#kill(run, pod);
      return;
    }
    if (run || nodeNotReady(node)) return;
    const phase = (pod.status as Json | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const started = ((pod.status as Json | undefined)?.containerStatuses as Json[] | undefined)?.some(
      (c) => c.containerID,
    );
    // A pod another kubelet (a fixture, a data dir) left running is adopted as it is.
    if (phase === 'Running' && started) {
      this.#adopt(pod, nodeName);
      return;
    }
    run = this.#newRun(pod, nodeName);
    this.#runs.set(key, run);
    this.#after(run, 0, () => this.#write(run));
  }

  forget(pod: KubeObject): void {
    const run = this.#runs.get(keyOf(pod));
    if (run && run.uid === pod.metadata?.uid) this.#forgetRun(run);
  }

  #forgetRun(run: PodRun): void {
    for (const cancel of run.timers) cancel();
    this.#runs.delete(`${run.namespace}/${run.name}`);
  }

  #newRun(pod: KubeObject, node: string): PodRun {
    const spec = (pod.spec ?? {}) as Json;
    const containerOf = (c: Json, init: boolean): ContainerRun => ({
      name: String(c.name ?? ''),
      image: String(c.image ?? ''),
      init,
      sidecar: init && c.restartPolicy === 'Always',
      state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
      restartCount: 0,
      exits: 0,
      pullFailures: 0,
      ready: false,
      started: false,
    });
    return {
      uid: pod.metadata?.uid ?? '',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      node,
      containers: [
        ...((spec.initContainers as Json[] | undefined) ?? []).map((c) => containerOf(c, true)),
        ...((spec.containers as Json[] | undefined) ?? []).map((c) => containerOf(c, false)),
      ],
      killing: false,
      timers: new Set(),
    };
  }

  /** A run for a pod this kubelet did not start, from its reported status. */
  #adopt(pod: KubeObject, node: string): PodRun {
    const run = this.#newRun(pod, node);
    const status = (pod.status ?? {}) as Json;
    const reported = [
      ...((status.initContainerStatuses as Json[] | undefined) ?? []),
      ...((status.containerStatuses as Json[] | undefined) ?? []),
    ];
    for (const container of run.containers) {
      const seen = reported.find((c) => c.name === container.name);
      if (!seen) continue;
      container.state = (seen.state as ContainerRun['state'] | undefined) ?? container.state;
      container.restartCount = Number(seen.restartCount ?? 0);
      container.ready = seen.ready === true;
      container.started = seen.started === true;
      if (typeof seen.containerID === 'string') container.containerID = seen.containerID;
      if (typeof seen.imageID === 'string' && seen.imageID) container.imageID = seen.imageID;
    }
    if (typeof status.podIP === 'string') run.podIP = status.podIP;
    this.#runs.set(keyOf(pod), run);
    return run;
  }

  #after(run: PodRun | undefined, delayMs: number, fire: () => void): void {
    const cancel = this.#context.timers.after(delayMs, () => {
      run?.timers.delete(cancel);
      try {
        fire();
      } catch (error) {
        this.#context.log(`kubelet: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    run?.timers.add(cancel);
  }

  #pod(run: PodRun): KubeObject | undefined {
    const pod = this.#context.store.get(podKind, run.namespace, run.name);
    return pod && pod.metadata?.uid === run.uid ? pod : undefined;
  }

  #event(run: PodRun, pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#context.recordEvent({
      involvedObject: pod,
      type,
      reason,
      message,
      component: 'kubelet',
      host: run.node,
    });
  }

  #scenario(pod: KubeObject): PodScenario {
    return podScenario(pod, (message) => this.#context.log(`kubelet: pod ${keyOf(pod)}: ${message}`));
  }

  /** Writes the pod's status as the containers stand, then moves the pod on. */
  #write(run: PodRun, terminal = false): void {
    const pod = this.#pod(run);
    if (!pod) return;
    const { clock, store } = this.#context;
    const node = store.get(nodeKind, '', run.node);
    if (node && nodeUnreachable(node)) return;
    const now = kubeTimestamp(clock.now());
    const spec = (pod.spec ?? {}) as Json;
    const status = structuredClone((pod.status ?? {}) as Json);
    const hostIP = ((node?.status as Json | undefined)?.addresses as Json[] | undefined)?.find(
      (a) => a.type === 'InternalIP',
    )?.address as string | undefined;
    if (hostIP) {
      status.hostIP = hostIP;
      status.hostIPs = [{ ip: hostIP }];
    }
    status.startTime ??= now;
    if (run.podIP) {
      status.podIP = run.podIP;
      status.podIPs = [{ ip: run.podIP }];
    }
    const phase = podPhase(run.containers, String(spec.restartPolicy ?? 'Always'), terminal);
    status.phase = phase;
    for (const condition of podConditions(run.containers, phase, run.podIP !== undefined)) {
      setPodCondition(status, condition, now);
    }
    setPodCondition(status, { type: 'PodScheduled', status: 'True' }, now);
    const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    status.conditions = ((status.conditions as Json[]) ?? []).sort(
      (a, b) => rank(order, a.type) - rank(order, b.type),
    );
    const statuses = (init: boolean) =>
      run.containers.filter((c) => c.init === init).map((c) => containerStatusOf(c, fullImageName(c.image)));
    if (run.containers.some((c) => c.init)) status.initContainerStatuses = statuses(true);
    status.containerStatuses = statuses(false);
    this.#context.writers.kubelet.updateStatus(podKind, { ...pod, status });
    if (!terminal && !run.killing) this.#after(run, 0, () => this.#sync(run));
  }

  /**
   * The first free address of the node's pod CIDR. Every pod the node runs has a run here (started or adopted
   * from its reported status), so the runs alone say which addresses are taken.
   */
  #allocateIp(run: PodRun, node: KubeObject | undefined): string | undefined {
    const cidr = ((node?.spec as Json | undefined)?.podCIDR as string | undefined) ?? '10.244.0.0/24';
    const base = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr)?.[1] ?? '10.244.0';
    const used = new Set<string>();
    for (const other of this.#runs.values())
      if (other.node === run.node && other.podIP) used.add(other.podIP);
    for (let host = 2; host < 255; host++) {
      const ip = `${base}.${host}`;
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }

  /** Starts what may start now: the next init container, or every regular container. */
  #sync(run: PodRun): void {
    if (run.killing) return;
    const pod = this.#pod(run);
    if (!pod) return;
    const node = this.#context.store.get(nodeKind, '', run.node);
    if (!node || nodeNotReady(node)) return;
    let changed = false;
    if (!run.podIP) {
      run.podIP = this.#allocateIp(run, node);
      changed = true;
    }
    for (const container of run.containers.filter((c) => c.init)) {
      if (container.sidecar) {
        if (!container.started && this.#startable(container))
          changed = this.#start(run, pod, container) || changed;
        if (!container.started) return this.#flush(run, changed);
        continue;
      }
      const state = container.state;
      if ('terminated' in state && state.terminated.exitCode === 0) continue;
      if (this.#startable(container)) changed = this.#start(run, pod, container) || changed;
      return this.#flush(run, changed);
    }
    for (const container of run.containers.filter((c) => !c.init)) {
      if (this.#startable(container)) changed = this.#start(run, pod, container) || changed;
    }
    this.#flush(run, changed);
  }

  #flush(run: PodRun, changed: boolean): void {
    if (changed) this.#write(run);
  }

  /** A container that waits to be created (not in a back-off, which has its own timer). */
  #startable(container: ContainerRun): boolean {
    return (
      'waiting' in container.state &&
      ['ContainerCreating', 'PodInitializing'].includes(container.state.waiting.reason)
    );
  }

  /** Pulls and starts a container; returns whether its state changed. */
  #start(run: PodRun, pod: KubeObject, container: ContainerRun): boolean {
    const scenario = this.#scenario(pod);
    const what = scenario.container(container.name);
    const image = container.image;
    if (what.kind === 'ErrImagePull') {
      this.#failPull(run, pod, container);
      return true;
    }
    const spec = (pod.spec ?? {}) as Json;
    const specOf = [
      ...((spec.initContainers as Json[] | undefined) ?? []),
      ...((spec.containers as Json[] | undefined) ?? []),
    ].find((c) => c.name === container.name);
    const policy = (specOf?.imagePullPolicy as string | undefined) ?? 'IfNotPresent';
    const images = this.#images.get(run.node) ?? new Set<string>();
    this.#images.set(run.node, images);
    if (policy === 'Always' || (!images.has(image) && policy !== 'Never')) {
      this.#event(run, pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      const size = parseInt(imageIdOf(image).slice(-6), 16) * 4 + 2_000_000;
      this.#event(
        run,
        pod,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: ${size} bytes.`,
      );
      images.add(image);
    } else {
      this.#event(run, pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    }
    const now = kubeTimestamp(this.#context.clock.now());
    container.containerID = newContainerId();
    container.imageID = imageIdOf(image);
    this.#event(run, pod, 'Normal', 'Created', `Created container: ${container.name}`);
    this.#event(run, pod, 'Normal', 'Started', `Started container ${container.name}`);
    container.state = { running: { startedAt: now } };
    container.started = true;
    container.ready = what.kind !== 'Unready' && !(container.init && !container.sidecar);
    const restartPolicy = String(spec.restartPolicy ?? 'Always');
    const exits =
      what.kind === 'Exit' ||
      (container.init && !container.sidecar) ||
      (!container.init && restartPolicy !== 'Always');
    if (exits) {
      const exitCode = what.kind === 'Exit' ? what.exitCode : 0;
      const reason = what.kind === 'Exit' ? what.reason : 'Completed';
      const delay = what.kind !== 'Exit' && container.init ? 0 : scenario.runForMs;
      this.#after(run, delay, () => this.#exit(run, container, exitCode, reason));
    }
    return true;
  }

  #exit(run: PodRun, container: ContainerRun, exitCode: number, reason: string): void {
    if (run.killing || !('running' in container.state)) return;
    const pod = this.#pod(run);
    if (!pod) return;
    const terminated: Terminated = {
      exitCode,
      reason,
      startedAt: container.state.running.startedAt,
      finishedAt: kubeTimestamp(this.#context.clock.now()),
      containerID: container.containerID ?? '',
    };
    container.state = { terminated };
    container.ready = false;
    container.started = false;
    const restartPolicy = String((pod.spec as Json | undefined)?.restartPolicy ?? 'Always');
    const restarts =
      container.sidecar ||
      (!container.init && restartPolicy === 'Always') ||
      (restartPolicy !== 'Never' && exitCode !== 0);
    if (!restarts) {
      this.#write(run);
      return;
    }
    container.exits++;
    if (container.exits === 1) {
      // The first restart is immediate; the back-off starts with the next one.
      this.#write(run);
      this.#after(run, 0, () => this.#restart(run, container));
      return;
    }
    const delay = backoffMs(container.exits - 1);
    container.lastState = terminated;
    container.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goSeconds(delay)} restarting failed container=${container.name} pod=${run.name}_${run.namespace}(${run.uid})`,
      },
    };
    this.#event(
      run,
      pod,
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${container.name} in pod ${run.name}_${run.namespace}(${run.uid})`,
    );
    this.#write(run);
    this.#after(run, delay, () => this.#restart(run, container));
  }

  #restart(run: PodRun, container: ContainerRun): void {
    if (run.killing) return;
    const pod = this.#pod(run);
    if (!pod) return;
    if ('terminated' in container.state) container.lastState = container.state.terminated;
    container.restartCount++;
    container.state = { waiting: { reason: 'ContainerCreating' } };
    this.#start(run, pod, container);
    this.#write(run);
  }

  /** A pull that fails: ErrImagePull, then ImagePullBackOff until the back-off ends and it is tried again. */
  #failPull(run: PodRun, pod: KubeObject, container: ContainerRun): void {
    const image = container.image;
    const full = fullImageName(image);
    const error = `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`;
    container.pullFailures++;
    container.state = { waiting: { reason: 'ErrImagePull', message: error } };
    this.#event(run, pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    this.#event(run, pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${error}`);
    this.#event(run, pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    const delay = backoffMs(container.pullFailures);
    this.#after(run, 0, () => {
      const current = this.#pod(run);
      if (!current || run.killing) return;
      container.state = {
        waiting: {
          reason: 'ImagePullBackOff',
          message: `Back-off pulling image "${image}": ErrImagePull: ${error}`,
        },
      };
      this.#event(run, current, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.#event(run, current, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      this.#write(run);
    });
    this.#after(run, delay, () => {
      if (run.killing) return;
      container.state = { waiting: { reason: container.init ? 'PodInitializing' : 'ContainerCreating' } };
      this.#sync(run);
    });
  }

  /** A pod being deleted: stop its containers, then delete it for good. */
  #kill(run: PodRun, pod: KubeObject): void {
    run.killing = true;
    for (const cancel of run.timers) cancel();
    run.timers.clear();
    const running = run.containers.filter((c) => 'running' in c.state);
    for (const container of running)
      this.#event(run, pod, 'Normal', 'Killing', `Stopping container ${container.name}`);
    const scenario = this.#scenario(pod);
    const deadline = Date.parse(pod.metadata?.deletionTimestamp ?? '');
    const delay =
      scenario.ignoreSigterm && Number.isFinite(deadline)
        ? deadline - this.#context.clock.now().getTime()
        : 0;
    this.#after(run, Math.max(0, delay), () => {
      const current = this.#pod(run);
      if (!current) return;
      const finishedAt = kubeTimestamp(this.#context.clock.now());
      for (const container of run.containers) {
        if (!('running' in container.state)) continue;
        container.state = {
          terminated: {
            exitCode: scenario.ignoreSigterm ? 137 : 0,
            reason: scenario.ignoreSigterm ? 'Error' : 'Completed',
            startedAt: container.state.running.startedAt,
            finishedAt,
            containerID: container.containerID ?? '',
          },
        };
        container.ready = false;
        container.started = false;
      }
      if (running.length > 0) this.#write(run, true);
      this.#after(undefined, 0, () => {
        try {
          deleteObject(this.#context, podKind, run.namespace, run.name, {
            gracePeriodSeconds: 0,
            preconditions: { uid: run.uid },
          });
        } catch (error) {
          this.#context.log(`kubelet: pod ${run.namespace}/${run.name} not deleted: ${String(error)}`);
        }
      });
    });
  }
}

/** Whether the pod's status shows the containers this run started (a status written by this kubelet). */
function reportsRun(run: PodRun, pod: KubeObject): boolean {
  const status = (pod.status ?? {}) as Json;
  const reported = new Set(
    [
      ...((status.initContainerStatuses as Json[] | undefined) ?? []),
      ...((status.containerStatuses as Json[] | undefined) ?? []),
    ].map((c) => c.containerID),
  );
  return run.containers.every((c) => !c.containerID || reported.has(c.containerID));
}

function rank(order: readonly string[], type: unknown): number {
  const index = order.indexOf(String(type));
  return index < 0 ? order.length : index;
}
