import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFakeClock,
  startFakeApiServer,
  type FakeClock,
  type StartedFakeApiServer,
} from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { PodDriver, type PodOutcome } from './support/pod-driver.js';

type Obj = Record<string, any>;

const kubectl = kubectlBinary(33);

/** Waits until `check` holds, polling every 20 ms (the controllers act on later turns of the event loop). */
async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
  'workload controllers on a fake clock',
  () => {
    let server: StartedFakeApiServer;
    let clock: FakeClock;
    let dir: string;
    let kubeconfig: string;
    let driver: PodDriver;
    const outcomes = new Map<string, PodOutcome[]>();
    /** StatefulSets whose pods the driver makes Ready. */
    const readySets = new Set<string>();
    /** Apps (label `app`) whose pods the driver leaves alone: the test drives them. */
    const notReady = new Set<string>();

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-kcm-'));
      kubeconfig = join(dir, 'kubeconfig');
      clock = createFakeClock('2030-01-01T00:00:00Z');
      server = await startFakeApiServer({ kubeconfig, clock, scheduler: false, kubelet: false });
      // Pods of a Job named in `outcomes` take its outcomes in turn; every other pod becomes Ready.
      driver = new PodDriver(
        server,
        kubeconfig,
        (pod) => {
          if (notReady.has(pod.metadata.labels?.app)) return undefined;
          if (pod.metadata.labels?.['statefulset.kubernetes.io/pod-name']) {
            return readySets.has(pod.metadata.ownerReferences[0].name) ? 'Ready' : undefined;
          }
          const job = pod.metadata.labels?.['job-name'] as string | undefined;
          if (!job) return 'Ready';
          const queue = outcomes.get(job);
          return queue?.length ? queue.shift() : undefined;
        },
        () => clock.now(),
      ).start();
    });
    afterAll(async () => {
      driver?.stop();
      await server?.close();
    });

    const k = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {
        timeoutMs: 30_000,
      });
    const get = (kind: string, name: string, namespace = 'default') =>
      server.get({ kind, namespace, name } as never) as Obj | undefined;
    const podsOf = (kind: string, name: string) =>
      (server.list({ kind: 'Pod', namespace: 'default' }) as Obj[]).filter(
        (p) => p.metadata.ownerReferences?.[0]?.kind === kind && p.metadata.ownerReferences[0].name === name,
      );
    const eventsOf = (name: string) =>
      (server.list({ kind: 'Event', namespace: 'default' }) as Obj[])
        .filter((e) => e.involvedObject.name === name)
        .map((e) => `${e.type} ${e.reason}: ${e.message}`);

    it('kubectl create job, a pod succeeds, kubectl wait --for=condition=complete returns', async () => {
      outcomes.set('pi', ['Succeeded', 'Succeeded', 'Succeeded']);
      const created = await k('create', 'job', 'pi', '--image=perl:5.34', '--', 'perl', '-e', 'print 1');
      expect(created.stdout.trim()).toBe('job.batch/pi created');
      const waited = await k('wait', '--for=condition=complete', 'job/pi', '--timeout=10s');
      expect(waited.stderr).toBe('');
      expect(waited.stdout.trim()).toBe('job.batch/pi condition met');
      const job = get('Job', 'pi')!;
      expect(job.status).toMatchObject({
        succeeded: 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
      });
      expect(job.status.completionTime).toBe('2030-01-01T00:00:00Z');
      expect(
        job.status.conditions.map((c: Obj) => [c.type, c.status, c.reason ?? '', c.message ?? '']),
      ).toEqual([
        ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
        ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ]);
      const [pod] = podsOf('Job', 'pi');
      expect(pod!.metadata.generateName).toBe('pi-');
      expect(pod!.metadata.finalizers).toBeUndefined();
      expect(eventsOf('pi')).toContain('Normal Completed: Job completed');
    });

    it('completions and parallelism: two pods at a time until three succeed', async () => {
      outcomes.set('batch', []);
      await server.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'batch', namespace: 'default' },
        spec: {
          completions: 3,
          parallelism: 2,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      const first = await eventually(() => podsOf('Job', 'batch').length === 2 && podsOf('Job', 'batch'));
      expect(first.every((p) => p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking'))).toBe(
        true,
      );
      await eventually(() => get('Job', 'batch')!.status?.active === 2);
      // parallelism 2: no third pod while two run.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(podsOf('Job', 'batch')).toHaveLength(2);
      outcomes.set('batch', ['Succeeded', 'Succeeded', 'Succeeded']);
      const done = await eventually(() => {
        const job = get('Job', 'batch')!;
        return job.status?.completionTime && job;
      });
      expect(podsOf('Job', 'batch')).toHaveLength(3);
      expect(done.status).toMatchObject({ succeeded: 3, ready: 0, terminating: 0 });
      expect(done.status.active).toBeUndefined();
    });

    it('failures past backoffLimit: pods recreated after the back-off on the clock, then FailureTarget and Failed', async () => {
      outcomes.set('flaky', ['Failed', 'Failed']);
      await server.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'flaky', namespace: 'default' },
        spec: {
          backoffLimit: 1,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      await eventually(() => get('Job', 'flaky')!.status?.failed === 1);
      // The failed pod stays (the pod GC's business), without its finalizer; the back-off (10s after the
      // failure) holds the replacement.
      const [gone] = podsOf('Job', 'flaky');
      expect(gone!.status.phase).toBe('Failed');
      expect(gone!.metadata.finalizers).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(podsOf('Job', 'flaky')).toHaveLength(1);
      await server.advanceClock('11s');
      await eventually(() => podsOf('Job', 'flaky').length === 2);
      const failed = await eventually(() => {
        const job = get('Job', 'flaky')!;
        return job.status?.conditions?.some((c: Obj) => c.type === 'Failed') && job;
      });
      expect(failed.status.failed).toBe(2);
      expect(failed.status.conditions.map((c: Obj) => [c.type, c.reason, c.message])).toEqual([
        ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
        ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ]);
      expect(failed.status.completionTime).toBeUndefined();
      expect(eventsOf('flaky')).toContain(
        'Warning BackoffLimitExceeded: Job has reached the specified backoff limit',
      );
      const waited = await k('wait', '--for=condition=failed', 'job/flaky', '--timeout=5s');
      expect(waited.stdout.trim()).toBe('job.batch/flaky condition met');
    });

    it('ttlSecondsAfterFinished: the ttl-after-finished controller deletes the Job when the clock passes it', async () => {
      outcomes.set('short', ['Succeeded']);
      await server.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'short', namespace: 'default' },
        spec: {
          ttlSecondsAfterFinished: 60,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      await eventually(() => get('Job', 'short')?.status?.completionTime);
      await server.advanceClock('59s');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(get('Job', 'short')).toBeDefined();
      await server.advanceClock('2s');
      await eventually(() => !get('Job', 'short') && podsOf('Job', 'short').length === 0);
    });

    it('a StatefulSet (OrderedReady) creates db-0, waits for it Running and Ready, then db-1, db-2; rolls from the highest ordinal; scales down from it', async () => {
      await server.apply([
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'db', namespace: 'default' },
          spec: {
            replicas: 3,
            serviceName: 'db',
            selector: { matchLabels: { app: 'db' } },
            template: {
              metadata: { labels: { app: 'db' } },
              spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
              },
            ],
          },
        },
      ]);
      const names = () =>
        podsOf('StatefulSet', 'db')
          .map((p) => p.metadata.name as string)
          .sort();
      await eventually(() => names().length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(names()).toEqual(['db-0']);
      const pod0 = podsOf('StatefulSet', 'db')[0]!;
      const set = get('StatefulSet', 'db')!;
      const revision = set.status.updateRevision as string;
      expect(pod0.metadata.labels).toEqual({
        app: 'db',
        'statefulset.kubernetes.io/pod-name': 'db-0',
        'apps.kubernetes.io/pod-index': '0',
        'controller-revision-hash': revision,
      });
      expect(pod0.spec).toMatchObject({ hostname: 'db-0', subdomain: 'db' });
      expect(pod0.spec.volumes[0]).toEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: 'data-db-0' },
      });
      expect(get('PersistentVolumeClaim', 'data-db-0')!.metadata.labels).toEqual({ app: 'db' });
      const revisionObject = get('ControllerRevision', revision)!;
      expect(revisionObject.revision).toBe(1);
      expect(revisionObject.data.spec.template.$patch).toBe('replace');
      expect(set.status).toMatchObject({ replicas: 1, availableReplicas: 0, currentRevision: revision });

      readySets.add('db');
      await eventually(() => get('StatefulSet', 'db')!.status.readyReplicas === 3);
      expect(names()).toEqual(['db-0', 'db-1', 'db-2']);
      const created = (server.list({ kind: 'Event', namespace: 'default' }) as Obj[])
        .filter((e) => e.involvedObject.name === 'db' && e.reason === 'SuccessfulCreate')
        .map((e) => e.message);
      expect(created).toEqual([
        'create Claim data-db-0 Pod db-0 in StatefulSet db success',
        'create Pod db-0 in StatefulSet db successful',
        'create Claim data-db-1 Pod db-1 in StatefulSet db success',
        'create Pod db-1 in StatefulSet db successful',
        'create Claim data-db-2 Pod db-2 in StatefulSet db success',
        'create Pod db-2 in StatefulSet db successful',
      ]);
      expect(get('StatefulSet', 'db')!.status).toMatchObject({
        replicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        currentReplicas: 3,
        updatedReplicas: 3,
        currentRevision: revision,
        updateRevision: revision,
      });

      // A rolling update from the highest ordinal; kubectl rollout status follows it.
      await k('set', 'image', 'statefulset/db', 'db=postgres:17');
      const rolled = await k('rollout', 'status', 'statefulset/db', '--timeout=10s');
      expect(rolled.stdout).toContain('partitioned roll out complete: 3 new pods have been updated...');
      const after = get('StatefulSet', 'db')!;
      expect(after.status.currentRevision).toBe(after.status.updateRevision);
      expect(after.status.currentRevision).not.toBe(revision);
      for (const pod of podsOf('StatefulSet', 'db')) expect(pod.spec.containers[0].image).toBe('postgres:17');
      const history = await k('rollout', 'history', 'statefulset/db');
      expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

      // Scale down removes the highest ordinal first.
      await k('scale', 'statefulset/db', '--replicas=1');
      await eventually(() => names().length === 1);
      expect(names()).toEqual(['db-0']);
    });

    it('a DaemonSet runs one pod per node it fits, with the node affinity and tolerations upstream adds', async () => {
      await server.apply([
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { disk: 'ssd' } } },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b', labels: { disk: 'ssd' } } },
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-c', labels: { disk: 'ssd' } },
          spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
        },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-d', labels: { disk: 'hdd' } } },
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent', namespace: 'default' },
          spec: {
            selector: { matchLabels: { app: 'agent' } },
            template: {
              metadata: { labels: { app: 'agent' } },
              spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'agent', image: 'agent:1' }] },
            },
          },
        },
      ]);
      const pods = await eventually(
        () => podsOf('DaemonSet', 'agent').length === 2 && podsOf('DaemonSet', 'agent'),
      );
      const nodes = pods
        .map(
          (p) =>
            p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
        )
        .map((terms: Obj[]) => terms[0]!.matchFields[0].values[0])
        .sort();
      expect(nodes).toEqual(['node-a', 'node-b']);
      const pod = pods[0]!;
      expect(pod.metadata.generateName).toBe('agent-');
      expect(pod.metadata.labels['pod-template-generation']).toBe('1');
      const hash = pod.metadata.labels['controller-revision-hash'];
      expect(get('ControllerRevision', `agent-${hash}`)!.revision).toBe(1);
      expect(pod.spec.tolerations.map((t: Obj) => `${t.key}:${t.effect}`)).toEqual([
        'node.kubernetes.io/not-ready:NoExecute',
        'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ]);
      const ds = await eventually(() => {
        const current = get('DaemonSet', 'agent')!;
        return current.status?.numberReady === 2 && current;
      });
      expect(ds.status).toEqual({
        currentNumberScheduled: 2,
        numberMisscheduled: 0,
        desiredNumberScheduled: 2,
        numberReady: 2,
        observedGeneration: 1,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
      });
      const rolled = await k('rollout', 'status', 'daemonset/agent', '--timeout=10s');
      expect(rolled.stdout).toContain('daemon set "agent" successfully rolled out');
    });

    it('a CronJob on the fake clock: Jobs at each activation, history limits, Forbid', async () => {
      const created = await k('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *');
      expect(created.stdout.trim()).toBe('cronjob.batch/tick created');
      await k('patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"successfulJobsHistoryLimit":1}}');
      const start = clock.now().getTime();
      // The next activation is the next multiple of five minutes.
      const first = Math.ceil((start + 1) / 300_000) * 300_000;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(get('CronJob', 'tick')!.status ?? {}).toEqual({});
      // The controller looks again 100ms after the activation (nextScheduleDelta).
      await server.setClock(new Date(first + 1000));
      const firstName = `tick-${first / 60_000}`;
      outcomes.set(firstName, ['Succeeded']);
      const job = await eventually(() => get('Job', firstName));
      expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(
        new Date(first).toISOString().replace('.000Z', 'Z'),
      );
      expect(job.metadata.ownerReferences[0]).toMatchObject({
        kind: 'CronJob',
        name: 'tick',
        controller: true,
      });
      await eventually(() => get('Job', firstName)!.status?.completionTime);
      const afterFirst = await eventually(() => {
        const cj = get('CronJob', 'tick')!;
        return cj.status?.lastSuccessfulTime && !cj.status.active && cj;
      });
      expect(afterFirst.status.lastScheduleTime).toBe(new Date(first).toISOString().replace('.000Z', 'Z'));
      expect(eventsOf('tick')).toEqual(
        expect.arrayContaining([
          `Normal SuccessfulCreate: Created job ${firstName}`,
          `Normal SawCompletedJob: Saw completed job: ${firstName}, condition: Complete`,
        ]),
      );

      const secondName = `tick-${first / 60_000 + 5}`;
      outcomes.set(secondName, ['Succeeded']);
      await server.advanceClock('5m');
      await eventually(() => get('Job', secondName)?.status?.completionTime);
      // successfulJobsHistoryLimit 1: the first Job goes.
      await eventually(() => !get('Job', firstName));
      expect(eventsOf('tick')).toContain(`Normal SuccessfulDelete: Deleted job ${firstName}`);

      // Forbid: while a Job runs, the next activation starts none.
      await k('patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"concurrencyPolicy":"Forbid"}}');
      const thirdName = `tick-${first / 60_000 + 10}`;
      await server.advanceClock('5m');
      await eventually(() => get('CronJob', 'tick')!.status?.active?.[0]?.name === thirdName);
      await server.advanceClock('5m');
      await eventually(() =>
        eventsOf('tick').includes(
          'Normal JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
        ),
      );
      expect(get('Job', `tick-${first / 60_000 + 15}`)).toBeUndefined();
      // Suspended, it starts nothing.
      await k(
        'patch',
        'cronjob',
        'tick',
        '--type=merge',
        '-p',
        '{"spec":{"suspend":true,"concurrencyPolicy":"Allow"}}',
      );
      await server.advanceClock('10m');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(get('CronJob', 'tick')!.status.active).toHaveLength(1);
    });

    it('a ReplicaSet: pods from its template, availableReplicas after minReadySeconds on the clock, the not-ready pod deleted first', async () => {
      notReady.add('shop');
      await server.apply({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'shop', namespace: 'default' },
        spec: {
          replicas: 3,
          minReadySeconds: 30,
          selector: { matchLabels: { app: 'shop' } },
          template: {
            metadata: { labels: { app: 'shop' }, annotations: { team: 'a' } },
            spec: { containers: [{ name: 'shop', image: 'shop:1' }] },
          },
        },
      });
      const pods = await eventually(
        () => podsOf('ReplicaSet', 'shop').length === 3 && podsOf('ReplicaSet', 'shop'),
      );
      expect(pods[0]!.metadata).toMatchObject({
        generateName: 'shop-',
        labels: { app: 'shop' },
        annotations: { team: 'a' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'shop',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      });
      // Two become Ready; one stays Pending.
      const [pending, ...rest] = pods;
      for (const pod of rest) await driver.setStatus(pod, 'Ready');
      const ready = await eventually(() => {
        const rs = get('ReplicaSet', 'shop')!;
        return rs.status?.readyReplicas === 2 && rs;
      });
      expect(ready.status).toEqual({
        replicas: 3,
        fullyLabeledReplicas: 3,
        readyReplicas: 2,
        observedGeneration: 1,
      });
      await server.advanceClock('31s');
      await eventually(() => get('ReplicaSet', 'shop')!.status?.availableReplicas === 2);

      const scaled = await k('scale', 'rs/shop', '--replicas=2');
      expect(scaled.stdout.trim()).toBe('replicaset.apps/shop scaled');
      await eventually(() => podsOf('ReplicaSet', 'shop').length === 2);
      expect(podsOf('ReplicaSet', 'shop').map((p) => p.metadata.name)).not.toContain(pending!.metadata.name);
      expect(eventsOf('shop')).toContain(`Normal SuccessfulDelete: Deleted pod: ${pending!.metadata.name}`);
      // A pod deleted by hand is replaced.
      await k('delete', 'pod', rest[0]!.metadata.name, '--wait=false');
      await eventually(
        () =>
          podsOf('ReplicaSet', 'shop').length === 2 &&
          !podsOf('ReplicaSet', 'shop').some((p) => p.metadata.name === rest[0]!.metadata.name),
      );
    });

    it('a ReplicationController keeps its replicas too', async () => {
      await server.apply({
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'legacy', namespace: 'default' },
        spec: {
          replicas: 2,
          template: {
            metadata: { labels: { app: 'legacy' } },
            spec: { containers: [{ name: 'c', image: 'c:1' }] },
          },
        },
      });
      await eventually(() => get('ReplicationController', 'legacy')!.status?.readyReplicas === 2);
      expect(podsOf('ReplicationController', 'legacy')[0]!.metadata.generateName).toBe('legacy-');
      await k('scale', 'rc/legacy', '--replicas=0');
      await eventually(() => podsOf('ReplicationController', 'legacy').length === 0);
      expect(get('ReplicationController', 'legacy')!.status).toEqual({ replicas: 0, observedGeneration: 2 });
    });

    it('a Deployment whose pods never become Ready exceeds progressDeadlineSeconds when the clock passes it', async () => {
      notReady.add('stuck');
      await server.apply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'stuck', namespace: 'default' },
        spec: {
          replicas: 2,
          progressDeadlineSeconds: 60,
          selector: { matchLabels: { app: 'stuck' } },
          template: {
            metadata: { labels: { app: 'stuck' } },
            spec: { containers: [{ name: 'c', image: 'c:1' }] },
          },
        },
      });
      const progressing = () =>
        (get('Deployment', 'stuck')!.status?.conditions as Obj[] | undefined)?.find(
          (c) => c.type === 'Progressing',
        );
      await eventually(() => progressing()?.reason === 'ReplicaSetUpdated');
      expect(progressing()!.message).toMatch(/^ReplicaSet "stuck-\w+" is progressing\.$/);
      await server.advanceClock('59s');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(progressing()!.reason).toBe('ReplicaSetUpdated');
      await server.advanceClock('3s');
      await eventually(() => progressing()?.reason === 'ProgressDeadlineExceeded');
      expect(progressing()).toMatchObject({
        status: 'False',
        message: expect.stringMatching(/has timed out progressing\.$/),
      });
      const status = await k('rollout', 'status', 'deployment/stuck', '--timeout=5s');
      expect(status.code).not.toBe(0);
      expect(status.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    });

    it('a client-node watch sees the intermediate states: the ReplicaSet created empty, then its pods counted, then Ready', async () => {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      const seen: string[] = [];
      const request = await new k8s.Watch(kc).watch(
        '/apis/apps/v1/namespaces/default/replicasets',
        { labelSelector: 'app=watched' },
        (type: string, obj: Obj) =>
          seen.push(
            `${type} ${obj.spec.replicas} ${obj.status?.replicas ?? 0}/${obj.status?.readyReplicas ?? 0}`,
          ),
        () => {},
      );
      try {
        await k('create', 'deployment', 'watched', '--image=nginx', '--replicas=2');
        await eventually(() => seen.includes('MODIFIED 2 2/2'));
        expect(seen[0]).toBe('ADDED 2 0/0');
        expect(seen).toContain('MODIFIED 2 2/0');
        expect(seen.indexOf('MODIFIED 2 2/0')).toBeLessThan(seen.indexOf('MODIFIED 2 2/2'));
      } finally {
        request.abort();
      }
    });

    it('an Indexed Job: one pod per index with its annotation, label, hostname and JOB_COMPLETION_INDEX; completedIndexes', async () => {
      outcomes.set('idx', ['Succeeded', 'Succeeded', 'Succeeded']);
      await server.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'idx', namespace: 'default' },
        spec: {
          completions: 3,
          parallelism: 3,
          completionMode: 'Indexed',
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      const done = await eventually(() => {
        const job = get('Job', 'idx')!;
        return job.status?.completionTime && job;
      });
      expect(done.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
      const pods = podsOf('Job', 'idx').sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      expect(pods.map((p) => p.metadata.generateName)).toEqual(['idx-0-', 'idx-1-', 'idx-2-']);
      expect(pods[1]!.metadata.annotations['batch.kubernetes.io/job-completion-index']).toBe('1');
      expect(pods[1]!.metadata.labels['batch.kubernetes.io/job-completion-index']).toBe('1');
      expect(pods[1]!.spec.hostname).toBe('idx-1');
      expect(pods[1]!.spec.containers[0].env).toEqual([
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: {
            fieldRef: {
              apiVersion: 'v1',
              fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']",
            },
          },
        },
      ]);
    });

    it('a suspended Job creates no pods and says so; resumed, it runs', async () => {
      outcomes.set('later', ['Succeeded']);
      await server.apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'later', namespace: 'default' },
        spec: {
          suspend: true,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      const suspended = await eventually(() => {
        const job = get('Job', 'later')!;
        return job.status?.conditions?.length && job;
      });
      expect(suspended.status.conditions).toEqual([
        expect.objectContaining({
          type: 'Suspended',
          status: 'True',
          reason: 'JobSuspended',
          message: 'Job suspended',
        }),
      ]);
      expect(suspended.status.startTime).toBeUndefined();
      expect(podsOf('Job', 'later')).toHaveLength(0);
      await k('patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}');
      const done = await eventually(() => {
        const job = get('Job', 'later')!;
        return job.status?.completionTime && job;
      });
      expect(done.status.conditions.map((c: Obj) => `${c.type}=${c.status}:${c.reason}`)).toEqual([
        'Suspended=False:JobResumed',
        'SuccessCriteriaMet=True:CompletionsReached',
        'Complete=True:CompletionsReached',
      ]);
      expect(eventsOf('later')).toEqual(
        expect.arrayContaining(['Normal Suspended: Job suspended', 'Normal Resumed: Job resumed']),
      );
    });

    // Last: it empties the server.
    it('reset() removes what the controllers made, and they make nothing back', async () => {
      expect(podsOf('ReplicaSet', 'shop').length).toBeGreaterThan(0);
      await server.reset();
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const kind of [
        'Deployment',
        'ReplicaSet',
        'StatefulSet',
        'DaemonSet',
        'Job',
        'CronJob',
        'ControllerRevision',
      ]) {
        expect(server.list({ kind, namespace: 'default' } as never)).toEqual([]);
      }
      expect(
        (server.list({ kind: 'Pod', namespace: 'default' }) as Obj[]).filter(
          (p) => p.metadata.ownerReferences,
        ),
      ).toEqual([]);
    });
  },
);
