import { describe, expect, it } from 'vitest';
import {
  defaultTableCells,
  defaultTableColumns,
  humanDuration,
  podTableCells,
  podTableColumns,
  toTable,
  type Table,
} from './table.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Obj = Record<string, unknown>;
const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'nginx' }));
const pod = (name: string, spec: Obj, status: Obj, metadata: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...metadata },
  spec,
  status,
});
/** The five default columns; kubectl adds the other four with `-o wide`. */
const cells = (p: Obj) => podTableCells(p, NOW).slice(0, 5);

describe('humanDuration (duration_test.go)', () => {
  it.each([
    [SECOND, '1s'],
    [70 * SECOND, '70s'],
    [190 * SECOND, '3m10s'],
    [70 * MINUTE, '70m'],
    [47 * HOUR, '47h'],
    [49 * HOUR, '2d1h'],
    [(8 * 24 + 2) * HOUR, '8d'],
    [367 * DAY, '367d'],
    [(365 * 2 * 24 + 25) * HOUR, '2y1d'],
    [(365 * 8 * 24 + 2) * HOUR, '8y'],
    [-2 * SECOND, '<invalid>'],
    [-2 * SECOND + 0.000001, '0s'],
    [0, '0s'],
    [SECOND - 1, '0s'],
    [2 * MINUTE - 1, '119s'],
    [2 * MINUTE, '2m'],
    [2 * MINUTE + SECOND, '2m1s'],
    [10 * MINUTE - 1, '9m59s'],
    [10 * MINUTE, '10m'],
    [10 * MINUTE + SECOND, '10m'],
    [3 * HOUR - 1, '179m'],
    [3 * HOUR, '3h'],
    [3 * HOUR + MINUTE, '3h1m'],
    [8 * HOUR - 1, '7h59m'],
    [8 * HOUR, '8h'],
    [8 * HOUR + 59 * MINUTE, '8h'],
    [2 * DAY - 1, '47h'],
    [2 * DAY, '2d'],
    [2 * DAY + HOUR, '2d1h'],
    [8 * DAY - 1, '7d23h'],
    [8 * DAY, '8d'],
    [8 * DAY + 23 * HOUR, '8d'],
    [2 * 365 * DAY - 1, '729d'],
    [2 * 365 * DAY, '2y'],
    [2 * 365 * DAY + 23 * HOUR + 59 * MINUTE, '2y'],
    [2 * 365 * DAY + DAY - 1, '2y'],
    [2 * 365 * DAY + DAY, '2y1d'],
    [3 * 365 * DAY, '3y'],
    [7 * 365 * DAY, '7y'],
    [8 * 365 * DAY - 1, '7y364d'],
    [8 * 365 * DAY, '8y'],
    [8 * 365 * DAY + 364 * DAY, '8y'],
    [9 * 365 * DAY, '9y'],
  ])('%d ms is %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('podTableCells: the TestPrintPod cases of printers_test.go', () => {
  const running = { running: {} };
  const lastTerminated = (ms: number) => ({ terminated: { exitCode: 0, finishedAt: ago(ms) } });
  const twoContainers = { containers: containers(2) };

  it.each<[string, Obj, unknown[]]>([
    [
      'counts ready running containers and sums restarts',
      pod('test1', twoContainers, {
        phase: 'podPhase',
        containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }],
      }),
      ['test1', '1/2', 'podPhase', '6', '<unknown>'],
    ],
    [
      'lets a waiting reason override the phase',
      pod('test2', twoContainers, {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
        ],
      }),
      ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>'],
    ],
    [
      'lets the first container override the rest',
      pod('test3', twoContainers, {
        phase: 'podPhase',
        containerStatuses: [
          { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
          { state: { terminated: { reason: 'ContainerTerminatedReason' } }, restartCount: 3 },
        ],
      }),
      ['test3', '0/2', 'ContainerWaitingReason', '6', '<unknown>'],
    ],
    [
      'does not count a ready container that is not running',
      pod('test4', twoContainers, {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      }),
      ['test4', '1/2', 'podPhase', '6', '<unknown>'],
    ],
    [
      'prefers status.reason over the phase',
      pod('test5', twoContainers, {
        reason: 'podReason',
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: running },
          { ready: true, restartCount: 3 },
        ],
      }),
      ['test5', '1/2', 'podReason', '6', '<unknown>'],
    ],
    [
      'shows NotReady for a completed container beside a running one without a Ready condition',
      pod('test6', twoContainers, {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          { ready: true, restartCount: 3, state: running },
        ],
      }),
      ['test6', '1/2', 'NotReady', '6', '<unknown>'],
    ],
    [
      'shows Running for the same pod with a Ready condition',
      pod('test6', twoContainers, {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          { ready: true, restartCount: 3, state: running },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      }),
      ['test6', '1/2', 'Running', '6', '<unknown>'],
    ],
    [
      'shows Init:0/1 for a restarting init container',
      pod(
        'test7',
        { initContainers: containers(1), containers: containers(1) },
        {
          phase: 'podPhase',
          initContainerStatuses: [
            { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10 * SECOND) },
          ],
          containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
        },
      ),
      ['test7', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>'],
    ],
    [
      'shows Init:0/2 while the first of two init containers restarts',
      pod(
        'test8',
        { initContainers: containers(2), containers: containers(1) },
        {
          phase: 'podPhase',
          initContainerStatuses: [
            { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10 * SECOND) },
            { ready: false, state: { waiting: {} } },
          ],
          containerStatuses: [{ ready: false, state: { waiting: {} } }],
        },
      ),
      ['test8', '0/1', 'Init:0/2', '3 (10s ago)', '<unknown>'],
    ],
    [
      'shows Init:1/2 once the first init container completed',
      pod(
        'test9',
        { initContainers: containers(2), containers: containers(1) },
        {
          phase: 'podPhase',
          initContainerStatuses: [
            { ready: false, state: { terminated: {} } },
            { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10 * SECOND) },
          ],
          containerStatuses: [{ ready: false, state: { waiting: {} } }],
        },
      ),
      ['test9', '0/1', 'Init:1/2', '3 (10s ago)', '<unknown>'],
    ],
    [
      'sums init restarts and keeps the latest restart time',
      pod(
        'test10',
        { initContainers: containers(2), containers: containers(1) },
        {
          phase: 'podPhase',
          initContainerStatuses: [
            {
              ready: false,
              restartCount: 2,
              state: { terminated: {} },
              lastState: lastTerminated(2 * MINUTE),
            },
            { ready: false, restartCount: 3, state: running, lastState: lastTerminated(10 * SECOND) },
          ],
          containerStatuses: [{ ready: false, state: { waiting: {} } }],
        },
      ),
      ['test10', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>'],
    ],
    [
      'counts only the regular containers once initialized',
      pod(
        'test11',
        { initContainers: containers(1), containers: containers(1) },
        {
          phase: 'Running',
          initContainerStatuses: [
            {
              ready: false,
              restartCount: 2,
              state: { terminated: {} },
              lastState: lastTerminated(2 * MINUTE),
            },
          ],
          containerStatuses: [
            { ready: false, restartCount: 4, state: running, lastState: lastTerminated(20 * SECOND) },
          ],
        },
      ),
      ['test11', '0/1', 'Running', '4 (20s ago)', '<unknown>'],
    ],
    [
      'shows a restart 5d ago',
      pod(
        'test12',
        { containers: containers(1) },
        {
          phase: 'Running',
          containerStatuses: [
            { ready: true, restartCount: 3, state: running, lastState: lastTerminated(5 * DAY) },
          ],
        },
      ),
      ['test12', '1/1', 'Running', '3 (5d ago)', '<unknown>'],
    ],
    [
      'shows the one restart time there is',
      pod('test13', twoContainers, {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 0, state: running },
          { ready: true, restartCount: 3, state: running, lastState: lastTerminated(10 * DAY) },
        ],
      }),
      ['test13', '2/2', 'Running', '3 (10d ago)', '<unknown>'],
    ],
    [
      'shows the most recent of two restart times',
      pod('test14', twoContainers, {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 6, state: running, lastState: lastTerminated(5 * DAY) },
          { ready: true, restartCount: 3, state: running, lastState: lastTerminated(20 * DAY) },
        ],
      }),
      ['test14', '2/2', 'Running', '9 (5d ago)', '<unknown>'],
    ],
    [
      'shows SchedulingGated',
      pod('test15', twoContainers, {
        phase: 'podPhase',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      }),
      ['test15', '0/2', 'SchedulingGated', '0', '<unknown>'],
    ],
    [
      'shows Completed for a succeeded pod',
      pod(
        'test16',
        { containers: containers(1) },
        {
          phase: 'Succeeded',
          containerStatuses: [
            { ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          ],
        },
      ),
      ['test16', '0/1', 'Completed', '0', '<unknown>'],
    ],
    [
      'shows Error for a failed pod',
      pod(
        'test17',
        { containers: containers(1) },
        {
          phase: 'Failed',
          containerStatuses: [
            { ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } },
          ],
        },
      ),
      ['test17', '0/1', 'Error', '0', '<unknown>'],
    ],
    [
      'does not show Terminating for a succeeded pod being deleted',
      pod(
        'test18',
        { containers: containers(1) },
        {
          phase: 'Succeeded',
          containerStatuses: [
            { ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          ],
        },
        { deletionTimestamp: ago(10 * SECOND) },
      ),
      ['test18', '0/1', 'Completed', '0', '<unknown>'],
    ],
    [
      'shows Terminating for a running pod being deleted',
      pod(
        'test19',
        { containers: containers(1) },
        { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 0, state: running }] },
        { deletionTimestamp: ago(10 * SECOND) },
      ),
      ['test19', '0/1', 'Terminating', '0', '<unknown>'],
    ],
    [
      'shows Terminating for a pending pod being deleted',
      pod(
        'test20',
        { containers: containers(1) },
        { phase: 'Pending' },
        { deletionTimestamp: ago(10 * SECOND) },
      ),
      ['test20', '0/1', 'Terminating', '0', '<unknown>'],
    ],
  ])('%s', (_what, p, want) => {
    expect(cells(p)).toEqual(want);
  });
});

describe('podTableCells: the TestPrintPodWithRestartableInitContainer cases', () => {
  const sidecars = {
    initContainers: [
      { name: 'restartable-init-1', image: 'envoy', restartPolicy: 'Always' },
      { name: 'restartable-init-2', image: 'envoy', restartPolicy: 'Always' },
    ],
    containers: containers(1),
  };
  const lastTerminated = (ms: number) => ({ terminated: { exitCode: 0, finishedAt: ago(ms) } });

  it.each<[string, Obj, unknown[]]>([
    [
      'counts sidecars in the total and shows Init:0/2 before the first has started',
      pod('test1', sidecars, {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: { running: {} },
            started: false,
            lastState: lastTerminated(10 * SECOND),
          },
          { name: 'restartable-init-2', ready: false, state: { waiting: {} }, started: false },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      }),
      ['test1', '0/3', 'Init:0/2', '3 (10s ago)', '<unknown>'],
    ],
    [
      'moves on to Init:1/2 once the first sidecar started',
      pod('test1', sidecars, {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: { running: {} },
            started: true,
            lastState: lastTerminated(10 * SECOND),
          },
          { name: 'restartable-init-2', ready: false, state: { running: {} }, started: false },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      }),
      ['test1', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>'],
    ],
    [
      'adds sidecar restarts to the containers’ once initialized',
      pod('test2', sidecars, {
        phase: 'Running',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: { running: {} },
            started: true,
            lastState: lastTerminated(10 * SECOND),
          },
          { name: 'restartable-init-2', ready: false, state: { running: {} }, started: true },
        ],
        containerStatuses: [
          { ready: true, restartCount: 4, state: { running: {} }, lastState: lastTerminated(20 * SECOND) },
        ],
        conditions: [{ type: 'Initialized', status: 'True' }],
      }),
      ['test2', '1/3', 'Running', '7 (10s ago)', '<unknown>'],
    ],
    [
      'shows Completed when sidecars were killed after the main container finished',
      pod('test3', sidecars, {
        phase: 'Succeeded',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            ready: false,
            restartCount: 3,
            state: { terminated: { reason: 'Error', exitCode: 137 } },
            started: false,
            lastState: lastTerminated(10 * SECOND),
          },
          {
            name: 'restartable-init-2',
            ready: false,
            state: { terminated: { reason: 'Error', exitCode: 137 } },
            started: false,
          },
        ],
        containerStatuses: [
          {
            ready: false,
            restartCount: 4,
            state: { terminated: { reason: 'Completed', exitCode: 0 } },
            lastState: lastTerminated(20 * SECOND),
          },
        ],
        conditions: [{ type: 'Initialized', status: 'True' }],
      }),
      ['test3', '0/3', 'Completed', '7 (10s ago)', '<unknown>'],
    ],
    [
      'tolerates statuses for containers that are not in the spec',
      pod(
        'test4',
        {
          initContainers: [
            { name: 'init1', image: 'initimage' },
            { name: 'sidecar1', image: 'sidecarimage', restartPolicy: 'Always' },
          ],
          containers: [{ name: 'container1', image: 'containerimage' }],
        },
        {
          phase: 'Running',
          initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }],
          containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }],
        },
      ),
      ['test4', '0/2', 'Init:0/2', '0', '<unknown>'],
    ],
  ])('%s', (_what, p, want) => {
    expect(cells(p)).toEqual(want);
  });
});

describe('podTableCells: the wide columns (TestPrintPodwide)', () => {
  const gates = {
    containers: containers(2),
    nodeName: 'test1',
    readinessGates: [
      { conditionType: 'condition1' },
      { conditionType: 'condition2' },
      { conditionType: 'condition3' },
    ],
  };
  const status = (ips: Obj) => ({
    conditions: [
      { type: 'condition1', status: 'False' },
      { type: 'condition2', status: 'True' },
    ],
    phase: 'podPhase',
    ...ips,
    containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { restartCount: 3 }],
    nominatedNodeName: 'node1',
  });

  it('shows the IP, node, nominated node and readiness gates', () => {
    const want = ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3'];
    expect(podTableCells(pod('test1', gates, status({ podIPs: [{ ip: '1.1.1.1' }] })), NOW)).toEqual(want);
    expect(
      podTableCells(pod('test1', gates, status({ podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }] })), NOW),
    ).toEqual(want);
    expect(podTableCells(pod('test1', gates, status({ podIP: '1.1.1.1' })), NOW)).toEqual(want);
  });

  it('prefers status.podIP over podIPs, as conversion to the internal type does', () => {
    const p = pod('web', gates, status({ podIP: '10.0.0.2', podIPs: [{ ip: '10.0.0.1' }] }));
    expect(podTableCells(p, NOW)[5]).toBe('10.0.0.2');
  });

  it('shows <none> for what is not there', () => {
    const p = pod(
      'test2',
      { containers: containers(2), nodeName: '' },
      {
        phase: 'podPhase',
        containerStatuses: [
          { ready: true, restartCount: 3, state: { running: {} } },
          { state: { waiting: { reason: 'ContainerWaitingReason' } }, restartCount: 3 },
        ],
      },
    );
    expect(podTableCells(p, NOW)).toEqual([
      'test2',
      '1/2',
      'ContainerWaitingReason',
      '6',
      '<unknown>',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });
});

describe('podTableCells on realistic pods', () => {
  const base = (name: string, created: number) => ({
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    resourceVersion: '100',
    creationTimestamp: ago(created),
    labels: { app: name },
  });
  const spec = (extra: Obj = {}) => ({
    containers: [{ name: 'app', image: 'nginx:1.27' }],
    nodeName: 'kind-control-plane',
    restartPolicy: 'Always',
    ...extra,
  });
  const scheduled = (extra: Obj) => ({
    hostIP: '172.18.0.2',
    podIP: '10.244.0.7',
    podIPs: [{ ip: '10.244.0.7' }],
    startTime: ago(5 * MINUTE),
    ...extra,
  });

  it('a running pod: 1/1 Running', () => {
    const web = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: base('web', 5 * MINUTE),
      spec: spec(),
      status: scheduled({
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            started: true,
            restartCount: 0,
            image: 'nginx:1.27',
            state: { running: { startedAt: ago(4 * MINUTE) } },
          },
        ],
      }),
    };
    expect(podTableCells(web, NOW)).toEqual([
      'web',
      '1/1',
      'Running',
      '0',
      '5m',
      '10.244.0.7',
      'kind-control-plane',
      '<none>',
      '<none>',
    ]);
  });

  it('a crash-looping pod: CrashLoopBackOff with restarts and when the last one was', () => {
    const crash = {
      metadata: base('crash', 12 * MINUTE),
      spec: spec(),
      status: scheduled({
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            started: false,
            restartCount: 5,
            state: {
              waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' },
            },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: ago(100 * SECOND),
                finishedAt: ago(95 * SECOND),
              },
            },
          },
        ],
      }),
    };
    expect(podTableCells(crash, NOW).slice(0, 5)).toEqual([
      'crash',
      '0/1',
      'CrashLoopBackOff',
      '5 (95s ago)',
      '12m',
    ]);
  });

  it('a finished job pod: Completed, with the Completed row condition', () => {
    const job = {
      metadata: base('pi-x7k2p', 3 * HOUR + 20 * MINUTE),
      spec: spec({ restartPolicy: 'Never' }),
      status: scheduled({
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            started: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(3 * HOUR) } },
          },
        ],
      }),
    };
    expect(podTableCells(job, NOW).slice(0, 5)).toEqual(['pi-x7k2p', '0/1', 'Completed', '0', '3h20m']);
    expect(toTable([job], { kind: 'Pod', listMeta: {}, includeObject: 'None', now: NOW }).rows).toEqual([
      {
        cells: podTableCells(job, NOW),
        conditions: [
          {
            type: 'Completed',
            status: 'True',
            reason: 'Succeeded',
            message: 'The pod has completed successfully.',
          },
        ],
        object: null,
      },
    ]);
  });

  it('a failed pod without a reason shows the exit code or the signal', () => {
    const failed = (terminated: Obj) => ({
      metadata: base('oom', 2 * DAY + 3 * HOUR),
      spec: spec({ restartPolicy: 'Never' }),
      status: scheduled({
        phase: 'Failed',
        containerStatuses: [{ name: 'app', ready: false, state: { terminated } }],
      }),
    });
    expect(podTableCells(failed({ exitCode: 137 }), NOW).slice(0, 5)).toEqual([
      'oom',
      '0/1',
      'ExitCode:137',
      '0',
      '2d3h',
    ]);
    expect(podTableCells(failed({ exitCode: 137, signal: 9 }), NOW)[2]).toBe('Signal:9');
    expect(podTableCells(failed({ exitCode: 137, reason: 'OOMKilled' }), NOW)[2]).toBe('OOMKilled');
    expect(
      toTable([failed({ exitCode: 1 })], { kind: 'Pod', listMeta: {}, includeObject: 'None', now: NOW })
        .rows?.[0]?.conditions,
    ).toEqual([{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  });

  it('a pod being deleted: Terminating, and Unknown when its node is lost', () => {
    const terminating = {
      metadata: {
        ...base('web', 40 * DAY),
        deletionTimestamp: ago(5 * SECOND),
        deletionGracePeriodSeconds: 30,
      },
      spec: spec(),
      status: scheduled({
        phase: 'Running',
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
      }),
    };
    expect(podTableCells(terminating, NOW).slice(0, 5)).toEqual(['web', '1/1', 'Terminating', '0', '40d']);
    const lost = { ...terminating, status: { ...terminating.status, reason: 'NodeLost' } };
    expect(podTableCells(lost, NOW)[2]).toBe('Unknown');
  });

  it('a pod still being created, and one waiting for an image', () => {
    const creating = {
      metadata: base('new', 3 * SECOND),
      spec: spec(),
      status: scheduled({
        phase: 'Pending',
        podIP: undefined,
        podIPs: undefined,
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      }),
    };
    expect(podTableCells(creating, NOW)).toEqual([
      'new',
      '0/1',
      'ContainerCreating',
      '0',
      '3s',
      '<none>',
      'kind-control-plane',
      '<none>',
      '<none>',
    ]);
    const pulling = {
      ...creating,
      status: {
        ...creating.status,
        containerStatuses: [
          { name: 'app', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } },
        ],
      },
    };
    expect(podTableCells(pulling, NOW)[2]).toBe('ImagePullBackOff');
  });

  it('an unscheduled pod: Pending with no node, and a preempting one with its nominated node', () => {
    const pending = {
      metadata: base('big', 90 * SECOND),
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
      status: {
        phase: 'Pending',
        nominatedNodeName: 'worker-2',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    };
    expect(podTableCells(pending, NOW)).toEqual([
      'big',
      '0/1',
      'Pending',
      '0',
      '90s',
      '<none>',
      '<none>',
      'worker-2',
      '<none>',
    ]);
  });

  describe('init containers', () => {
    const initSpec = spec({
      initContainers: [
        { name: 'migrate', image: 'migrate:1' },
        { name: 'warm', image: 'warm:1' },
      ],
    });
    const initPod = (initContainerStatuses: Obj[], extra: Obj = {}) => ({
      metadata: base('app', 2 * MINUTE),
      spec: initSpec,
      status: scheduled({
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized' }],
        initContainerStatuses,
        containerStatuses: [{ name: 'app', ready: false, state: { waiting: { reason: 'PodInitializing' } } }],
        ...extra,
      }),
    });
    const done = {
      name: 'migrate',
      ready: true,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    };

    it.each<[string, Obj[], string]>([
      [
        'the first one running',
        [
          { name: 'migrate', state: { running: {} } },
          { name: 'warm', state: { waiting: { reason: 'PodInitializing' } } },
        ],
        'Init:0/2',
      ],
      ['the second one running', [done, { name: 'warm', state: { running: {} } }], 'Init:1/2'],
      [
        'one crash-looping',
        [done, { name: 'warm', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        'Init:CrashLoopBackOff',
      ],
      [
        'one failed with a reason',
        [{ name: 'migrate', state: { terminated: { exitCode: 1, reason: 'Error' } } }],
        'Init:Error',
      ],
      [
        'one failed without a reason',
        [{ name: 'migrate', state: { terminated: { exitCode: 3 } } }],
        'Init:ExitCode:3',
      ],
      [
        'one killed by a signal',
        [{ name: 'migrate', state: { terminated: { exitCode: 137, signal: 9 } } }],
        'Init:Signal:9',
      ],
      [
        'one waiting for its image',
        [{ name: 'migrate', state: { waiting: { reason: 'ErrImagePull' } } }],
        'Init:ErrImagePull',
      ],
    ])('%s', (_what, statuses, want) => {
      expect(podTableCells(initPod(statuses), NOW).slice(0, 3)).toEqual(['app', '0/1', want]);
    });

    it('counts init container restarts while initializing', () => {
      const p = initPod([
        done,
        {
          name: 'warm',
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30 * SECOND) } },
        },
      ]);
      expect(podTableCells(p, NOW)[3]).toBe('2 (30s ago)');
    });

    it('a running sidecar counts as ready and its restarts count once initialized', () => {
      const p = {
        metadata: base('mesh', 20 * MINUTE),
        spec: spec({ initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] }),
        status: scheduled({
          phase: 'Running',
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          initContainerStatuses: [
            {
              name: 'proxy',
              ready: true,
              started: true,
              restartCount: 1,
              state: { running: {} },
              lastState: { terminated: { exitCode: 1, finishedAt: ago(15 * MINUTE) } },
            },
          ],
          containerStatuses: [
            { name: 'app', ready: true, started: true, restartCount: 0, state: { running: {} } },
          ],
        }),
      };
      expect(podTableCells(p, NOW).slice(0, 5)).toEqual(['mesh', '2/2', 'Running', '1 (15m ago)', '20m']);
    });
  });
});

describe('defaultTableCells', () => {
  it('gives the name and the RFC3339 creation time', () => {
    const role = { metadata: { name: 'reader', creationTimestamp: '2024-01-02T03:04:05Z' } };
    expect(defaultTableCells(role, NOW)).toEqual(['reader', '2024-01-02T03:04:05Z']);
  });

  it('formats a missing creation time as Go formats the zero time', () => {
    expect(defaultTableCells({ metadata: { name: 'x' } }, NOW)).toEqual(['x', '0001-01-01T00:00:00Z']);
  });
});

describe('toTable', () => {
  const created = '2024-06-01T11:55:00Z';
  const web = pod(
    'web',
    { containers: containers(1), nodeName: 'node1' },
    {
      phase: 'Running',
      podIP: '10.0.0.1',
      containerStatuses: [{ name: 'c0', ready: true, restartCount: 0, state: { running: {} } }],
    },
    { uid: 'u-1', resourceVersion: '100', creationTimestamp: created, labels: { app: 'web' } },
  );

  it('builds the pod table kubectl get pods asks for, with PartialObjectMetadata rows by default', () => {
    const table = toTable([web], {
      kind: 'Pod',
      listMeta: { resourceVersion: '123', continue: 'abc', remainingItemCount: 4 },
      includeObject: 'Metadata',
      now: NOW,
    });
    expect(table).toEqual<Table>({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '123', continue: 'abc', remainingItemCount: 4 },
      columnDefinitions: [...podTableColumns],
      rows: [
        {
          cells: ['web', '1/1', 'Running', '0', '5m', '10.0.0.1', 'node1', '<none>', '<none>'],
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: {
              name: 'web',
              namespace: 'default',
              uid: 'u-1',
              resourceVersion: '100',
              creationTimestamp: created,
              labels: { app: 'web' },
            },
          },
        },
      ],
    });
  });

  it('has the pod columns of printers.go', () => {
    expect(podTableColumns.map(({ name, type, format, priority }) => [name, type, format, priority])).toEqual(
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
    expect(podTableColumns[0]!.description).toMatch(/^Name must be unique within a namespace\. /);
    expect(podTableColumns[4]!.description).toContain(
      'It is represented in RFC3339 form and is in UTC.\n\nPopulated',
    );
  });

  it('embeds the whole object for includeObject=Object and nothing for None', () => {
    const opts = { kind: 'Pod', listMeta: { resourceVersion: '1' }, now: NOW } as const;
    expect(toTable([web], { ...opts, includeObject: 'Object' }).rows![0]!.object).toBe(web);
    expect(toTable([web], { ...opts, includeObject: 'None' }).rows![0]!.object).toBeNull();
  });

  it('sends null column definitions when headers are suppressed (watch events after the first)', () => {
    const table = toTable([web], {
      kind: 'Pod',
      listMeta: { resourceVersion: '100' },
      includeObject: 'Metadata',
      noHeaders: true,
      now: NOW,
    });
    expect(table.columnDefinitions).toBeNull();
    expect(table.rows).toHaveLength(1);
  });

  it('leaves out an empty resourceVersion and continue token', () => {
    const table = toTable([], {
      kind: 'Pod',
      listMeta: { resourceVersion: '', continue: '' },
      includeObject: 'Metadata',
      now: NOW,
    });
    expect(table.metadata).toEqual({});
    expect(table.rows).toEqual([]);
  });

  it('uses the default convertor for kinds without a printer, Roles included', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'reader', namespace: 'default', creationTimestamp: '2024-01-02T03:04:05Z' },
      rules: [],
    };
    const table = toTable([role], {
      kind: 'Role',
      listMeta: { resourceVersion: '7' },
      includeObject: 'Metadata',
      now: NOW,
    });
    expect(table.columnDefinitions).toEqual([...defaultTableColumns]);
    expect(defaultTableColumns.map(({ name, type, format }) => [name, type, format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ]);
    expect(table.rows).toEqual([
      {
        cells: ['reader', '2024-01-02T03:04:05Z'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: role.metadata },
      },
    ]);
    expect(
      toTable([], { kind: 'ClusterRole', listMeta: {}, includeObject: 'Metadata', now: NOW }).rows,
    ).toBeNull();
  });

  const cellsOf = (kind: string, obj: Obj) =>
    toTable([obj], { kind, listMeta: {}, includeObject: 'None', now: NOW }).rows![0]!.cells;
  const columnsOf = (kind: string) =>
    toTable([], { kind, listMeta: {}, includeObject: 'None', now: NOW }).columnDefinitions!.map((c) => [
      c.name,
      c.type,
      c.priority,
    ]);

  it('prints namespaces as Name, Status, Age', () => {
    expect(columnsOf('Namespace')).toEqual([
      ['Name', 'string', 0],
      ['Status', 'string', 0],
      ['Age', 'string', 0],
    ]);
    expect(
      cellsOf('Namespace', {
        metadata: { name: 'dev', creationTimestamp: ago(3 * DAY) },
        status: { phase: 'Active' },
      }),
    ).toEqual(['dev', 'Active', '3d']);
  });

  it('prints service accounts with the number of secrets', () => {
    expect(columnsOf('ServiceAccount')).toEqual([
      ['Name', 'string', 0],
      ['Secrets', 'string', 0],
      ['Age', 'string', 0],
    ]);
    expect(
      cellsOf('ServiceAccount', { metadata: { name: 'default', creationTimestamp: ago(HOUR) } }),
    ).toEqual(['default', 0, '60m']);
    expect(cellsOf('ServiceAccount', { metadata: { name: 'ci' }, secrets: [{ name: 'ci-token' }] })).toEqual([
      'ci',
      1,
      '<unknown>',
    ]);
  });

  it('prints config maps with the number of data and binaryData keys', () => {
    expect(columnsOf('ConfigMap')).toEqual([
      ['Name', 'string', 0],
      ['Data', 'string', 0],
      ['Age', 'string', 0],
    ]);
    const cm = {
      metadata: { name: 'kube-root-ca.crt', creationTimestamp: ago(10 * DAY) },
      data: { 'ca.crt': '…' },
      binaryData: { b: 'AA==' },
    };
    expect(cellsOf('ConfigMap', cm)).toEqual(['kube-root-ca.crt', 2, '10d']);
  });

  it('prints secrets with their type and number of keys', () => {
    expect(columnsOf('Secret')).toEqual([
      ['Name', 'string', 0],
      ['Type', 'string', 0],
      ['Data', 'string', 0],
      ['Age', 'string', 0],
    ]);
    const secret = {
      metadata: { name: 's1', creationTimestamp: ago(45 * SECOND) },
      type: 'Opaque',
      data: { k: 'dg==' },
    };
    expect(cellsOf('Secret', secret)).toEqual(['s1', 'Opaque', 1, '45s']);
  });

  it('prints role bindings and cluster role bindings with their subjects', () => {
    expect(columnsOf('RoleBinding')).toEqual([
      ['Name', 'string', 0],
      ['Role', 'string', 0],
      ['Age', 'string', 0],
      ['Users', 'string', 1],
      ['Groups', 'string', 1],
      ['ServiceAccounts', 'string', 1],
    ]);
    const rb = {
      metadata: { name: 'rb1', namespace: 'default', creationTimestamp: ago(2 * MINUTE + 30 * SECOND) },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
        { kind: 'ServiceAccount', name: 'sa1', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' },
    };
    expect(cellsOf('RoleBinding', rb)).toEqual([
      'rb1',
      'Role/r1',
      '2m30s',
      'alice, bob',
      'devs',
      'default/sa1',
    ]);
    const crb = {
      metadata: { name: 'cluster-admin', creationTimestamp: ago(400 * DAY) },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    };
    expect(cellsOf('ClusterRoleBinding', crb)).toEqual([
      'cluster-admin',
      'ClusterRole/cluster-admin',
      '400d',
      '',
      'system:masters',
      '',
    ]);
    expect(
      toTable([], { kind: 'ClusterRoleBinding', listMeta: {}, includeObject: 'None', now: NOW })
        .columnDefinitions![3]!.description,
    ).toBe('Users in the clusterRoleBinding');
  });
});
