import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { PodDriver } from './support/pod-driver.js';

type Obj = Record<string, any>;

for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} and the workload controllers`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      let kubeconfig: string;
      let driver: PodDriver;

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), `fake-apiserver-kcm-${minor}-`));
        kubeconfig = join(dir, 'kubeconfig');
        server = await startFakeApiServer({ kubeconfig, scheduler: false, kubelet: false });
        driver = new PodDriver(server, kubeconfig).start();
      });
      afterAll(async () => {
        driver?.stop();
        await server?.close();
      });

      const k = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {
          timeoutMs: 60_000,
        });
      const list = (kind: string, namespace = 'default') =>
        server.list({ kind, namespace } as never) as Obj[];
      /** The pods of `web` (the default fixtures have pods of their own), not being deleted. */
      const webPods = () =>
        list('Pod').filter(
          (p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet' && !p.metadata.deletionTimestamp,
        );

      it('create deployment, rollout status, set image, history, undo, scale', async () => {
        const created = await k('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3');
        expect(created.stdout.trim()).toBe('deployment.apps/web created');
        const status = await k('rollout', 'status', 'deployment/web', '--timeout=15s');
        expect(status.stderr).toBe('');
        expect(status.stdout).toContain('deployment "web" successfully rolled out');

        const rss = list('ReplicaSet');
        expect(rss).toHaveLength(1);
        const rs = rss[0]!;
        const hash = rs.metadata.labels['pod-template-hash'];
        expect(rs.metadata.name).toBe(`web-${hash}`);
        expect(rs.metadata.annotations).toMatchObject({
          'deployment.kubernetes.io/revision': '1',
          'deployment.kubernetes.io/desired-replicas': '3',
          'deployment.kubernetes.io/max-replicas': '4',
        });
        expect(rs.metadata.ownerReferences[0]).toMatchObject({
          kind: 'Deployment',
          name: 'web',
          controller: true,
        });
        const pods = webPods();
        expect(pods).toHaveLength(3);
        for (const pod of pods) expect(pod.metadata.generateName).toBe(`web-${hash}-`);

        const d = server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj;
        expect(d.metadata.generation).toBe(1);
        expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
        expect(d.status).toMatchObject({
          observedGeneration: 1,
          replicas: 3,
          updatedReplicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
        });
        const conditions = Object.fromEntries(d.status.conditions.map((c: Obj) => [c.type, c]));
        expect(conditions.Available).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
        expect(conditions.Progressing).toMatchObject({
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "web-${hash}" has successfully progressed.`,
        });

        expect((await k('set', 'image', 'deployment/web', 'nginx=nginx:1.26')).stderr).toBe('');
        const second = await k('rollout', 'status', 'deployment/web', '--timeout=15s');
        expect(second.stdout).toContain('deployment "web" successfully rolled out');
        expect(list('ReplicaSet')).toHaveLength(2);
        const pods2 = webPods();
        expect(pods2).toHaveLength(3);
        for (const pod of pods2) expect(pod.spec.containers[0].image).toBe('nginx:1.26');

        const history = await k('rollout', 'history', 'deployment/web');
        expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

        const undo = await k('rollout', 'undo', 'deployment/web');
        expect(undo.stdout.trim()).toBe('deployment.apps/web rolled back');
        await k('rollout', 'status', 'deployment/web', '--timeout=15s');
        const back = list('ReplicaSet').find((r) => r.metadata.name === rs.metadata.name)!;
        expect(back.spec.replicas).toBe(3);
        expect(back.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
        expect(back.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
        const history2 = await k('rollout', 'history', 'deployment/web');
        expect(history2.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);

        expect((await k('scale', 'deployment/web', '--replicas=5')).stdout.trim()).toBe(
          'deployment.apps/web scaled',
        );
        await k('rollout', 'status', 'deployment/web', '--timeout=15s');
        expect(webPods()).toHaveLength(5);

        const events = (
          await k('get', 'events', '--field-selector', 'involvedObject.kind=Deployment', '-o', 'json')
        ).stdout;
        const messages = (JSON.parse(events).items as Obj[]).map((e) => `${e.reason}: ${e.message}`);
        expect(messages).toContain(`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`);
        expect(messages).toContain(`ScalingReplicaSet: Scaled up replica set web-${hash} from 3 to 5`);
        // Deleting the Deployment takes its ReplicaSets and their pods with it (the garbage collector).
        await k('delete', 'deployment', 'web');
        for (
          let i = 0;
          i < 100 &&
          (list('ReplicaSet').some((r) => r.metadata.name.startsWith('web-')) || webPods().length > 0);
          i++
        ) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(list('ReplicaSet').filter((r) => r.metadata.name.startsWith('web-'))).toEqual([]);
        expect(webPods().filter((p) => p.metadata.name.startsWith('web-'))).toEqual([]);
      });

      it('rollout pause and resume, rollout restart, revisionHistoryLimit, Recreate', async () => {
        await k('create', 'deployment', 'api', '--image=nginx:1.25', '--replicas=2');
        await k('rollout', 'status', 'deployment/api', '--timeout=15s');
        const apiSets = () =>
          list('ReplicaSet').filter((r) => r.metadata.ownerReferences?.[0]?.name === 'api');
        expect((await k('rollout', 'pause', 'deployment/api')).stdout.trim()).toBe(
          'deployment.apps/api paused',
        );
        await k('set', 'image', 'deployment/api', 'nginx=nginx:1.26');
        const progressing = async () => {
          const d = server.get({ kind: 'Deployment', namespace: 'default', name: 'api' }) as Obj;
          return d.status.conditions.find((c: Obj) => c.type === 'Progressing');
        };
        for (let i = 0; i < 100 && (await progressing()).reason !== 'DeploymentPaused'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(await progressing()).toMatchObject({
          status: 'Unknown',
          reason: 'DeploymentPaused',
          message: 'Deployment is paused',
        });
        expect(apiSets()).toHaveLength(1);
        expect((await k('rollout', 'resume', 'deployment/api')).stdout.trim()).toBe(
          'deployment.apps/api resumed',
        );
        await k('rollout', 'status', 'deployment/api', '--timeout=15s');
        expect(apiSets()).toHaveLength(2);

        expect((await k('rollout', 'restart', 'deployment/api')).stdout.trim()).toBe(
          'deployment.apps/api restarted',
        );
        const restarted = await k('rollout', 'status', 'deployment/api', '--timeout=15s');
        expect(restarted.stdout).toContain('successfully rolled out');
        expect(apiSets()).toHaveLength(3);
        const newest = apiSets().find(
          (r) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '3',
        )!;
        expect(newest.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(
          /^\d{4}-/,
        );

        await k('patch', 'deployment/api', '--type=merge', '-p', '{"spec":{"revisionHistoryLimit":1}}');
        for (let i = 0; i < 100 && apiSets().length > 2; i++)
          await new Promise((resolve) => setTimeout(resolve, 20));
        expect(
          apiSets()
            .map((r) => r.metadata.annotations['deployment.kubernetes.io/revision'])
            .sort(),
        ).toEqual(['2', '3']);

        await k(
          'patch',
          'deployment/api',
          '--type=merge',
          '-p',
          '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}',
        );
        await k('set', 'image', 'deployment/api', 'nginx=nginx:1.27');
        await k('rollout', 'status', 'deployment/api', '--timeout=15s');
        const events = JSON.parse(
          (await k('get', 'events', '--field-selector', 'involvedObject.name=api', '-o', 'json')).stdout,
        ).items as Obj[];
        const scaling = events
          .filter((e) => e.reason === 'ScalingReplicaSet')
          .map((e) => e.message as string);
        const last = scaling.slice(-2);
        expect(last[0]).toMatch(/^Scaled down replica set api-\w+ from 2 to 0$/);
        expect(last[1]).toMatch(/^Scaled up replica set api-\w+ from 0 to 2$/);
      });
    },
  );
}
