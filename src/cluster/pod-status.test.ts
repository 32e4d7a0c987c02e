import { describe, expect, it } from 'vitest';
import { podConditions, podPhase, type ContainerRun } from './pod-status.js';

const container = (state: ContainerRun['state'], extra: Partial<ContainerRun> = {}): ContainerRun => ({
  name: 'c',
  image: 'nginx',
  init: false,
  sidecar: false,
  state,
  restartCount: 0,
  exits: 0,
  pullFailures: 0,
  ready: 'running' in state,
  started: 'running' in state,
  ...extra,
});
const terminated = (exitCode: number) => ({
  terminated: {
    exitCode,
    reason: exitCode ? 'Error' : 'Completed',
    startedAt: '',
    finishedAt: '',
    containerID: '',
  },
});

describe("the kubelet's pod phase and conditions", () => {
  it('is Pending while initializing or pulling, Running once started, terminal by restart policy', () => {
    const init = container({ running: { startedAt: '' } }, { name: 'i', init: true });
    expect(podPhase([init, container({ waiting: { reason: 'PodInitializing' } })], 'Always', false)).toBe(
      'Pending',
    );
    expect(podPhase([container({ waiting: { reason: 'ErrImagePull' } })], 'Always', false)).toBe('Pending');
    expect(podPhase([container({ running: { startedAt: '' } })], 'Always', false)).toBe('Running');
    const crashLooping = container(
      { waiting: { reason: 'CrashLoopBackOff' } },
      { lastState: terminated(1).terminated },
    );
    expect(podPhase([crashLooping], 'Always', false)).toBe('Running');
    expect(podPhase([container(terminated(0))], 'Never', false)).toBe('Succeeded');
    expect(podPhase([container(terminated(2))], 'Never', false)).toBe('Failed');
    expect(podPhase([container(terminated(0))], 'Always', true)).toBe('Succeeded');
    expect(podPhase([container(terminated(137))], 'Always', true)).toBe('Failed');
  });

  it('names the containers that hold the pod back', () => {
    const unready = container({ running: { startedAt: '' } }, { name: 'web', ready: false });
    expect(podConditions([unready], 'Running', true)).toEqual([
      { type: 'PodReadyToStartContainers', status: 'True' },
      { type: 'Initialized', status: 'True' },
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [web]',
      },
      {
        type: 'ContainersReady',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [web]',
      },
    ]);
    const init = container({ waiting: { reason: 'PodInitializing' } }, { name: 'setup', init: true });
    expect(
      podConditions([init, container({ waiting: { reason: 'PodInitializing' } })], 'Pending', false)[1],
    ).toEqual({
      type: 'Initialized',
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [setup]',
    });
  });
});
