import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoscalingV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  EventsV1Api,
  KubeConfig,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';

// One stored resource served under several group/versions: core/v1 and events.k8s.io/v1 events, autoscaling/v1
// and v2 HorizontalPodAutoscalers, each written through one and read, listed and watched through the other.
describe('resources served in several group/versions', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let kc: KubeConfig;
  const hasKubectl = clientAvailable('kubectl 1.33', () => existsSync(kubectlBinary(33)));
  const has127 = clientAvailable('kubectl 1.27', () => existsSync(kubectlBinary(27)));
  const kubectlOf = (minor: number, ...args: string[]) =>
    run(kubectlBinary(minor), [
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      join(dir, `cache-${minor}`),
      ...args,
    ]);
  const kubectl = (...args: string[]) => kubectlOf(33, ...args);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-multi-version-'));
    kubeconfig = join(dir, 'kubeconfig');
    server = await startFakeApiServer({ kubeconfig });
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
  });
  afterAll(() => server?.close());

  describe('events', () => {
    // client-node writes a Date with toISOString(), in milliseconds; a MicroTime must have six fractional digits
    // (kube-apiserver refuses the other form, kubernetes/kubernetes#89156), so eventTime is a Date that writes them.
    class MicroTime extends Date {
      override toISOString(): string {
        return super.toISOString().replace(/Z$/, '000Z');
      }
    }

    it('refuses an eventTime in milliseconds, as kube-apiserver does with what client-node sends for a Date', async () => {
      const created = kc.makeApiClient(EventsV1Api).createNamespacedEvent({
        namespace: 'default',
        body: { metadata: { name: 'web.millis' }, eventTime: new Date('2025-01-01T00:00:00Z') },
      });
      await expect(created).rejects.toMatchObject({
        code: 400,
        body: expect.stringContaining(
          'Event in version \\"v1\\" cannot be handled as a Event: parsing time \\"2025-01-01T00:00:00.000Z\\" as \\"2006-01-02T15:04:05.000000Z07:00\\": cannot parse \\".000Z\\" as \\".000000\\"',
        ),
      });
    });

    it('lists an event created through events.k8s.io/v1 as a core/v1 event', async () => {
      await kc.makeApiClient(EventsV1Api).createNamespacedEvent({
        namespace: 'default',
        body: {
          metadata: { name: 'web.new' },
          eventTime: new MicroTime('2025-01-01T00:00:00Z'),
          reportingController: 'example.com/scaler',
          reportingInstance: 'scaler-1',
          action: 'Scale',
          reason: 'Scaled',
          regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
          note: 'scaled web to 3',
          type: 'Normal',
        },
      });
      const core = await kc
        .makeApiClient(CoreV1Api)
        .readNamespacedEvent({ namespace: 'default', name: 'web.new' });
      expect(core.apiVersion).toBe('v1');
      expect(core.message).toBe('scaled web to 3');
      expect(core.involvedObject).toMatchObject({ kind: 'Deployment', name: 'web' });
      expect(core.reportingComponent).toBe('example.com/scaler');
      expect(core.reportingInstance).toBe('scaler-1');
      const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({
        namespace: 'default',
        fieldSelector: 'involvedObject.name=web,reportingComponent=example.com/scaler',
      });
      expect(list.items.map((e) => e.message)).toEqual(['scaled web to 3']);
      if (!hasKubectl) return;
      const printed = await kubectl('get', 'events', '-n', 'default');
      expect(printed.stderr).toBe('');
      expect(printed.stdout).toMatch(/\n\S+\s+Normal\s+Scaled\s+deployment\/web\s+scaled web to 3\n/);
    });

    it('serves a core/v1 event through events.k8s.io/v1 with note and the deprecated fields', async () => {
      await kc.makeApiClient(CoreV1Api).createNamespacedEvent({
        namespace: 'default',
        body: {
          metadata: { name: 'pod.old' },
          involvedObject: { kind: 'Pod', namespace: 'default', name: 'pod-1' },
          reason: 'Pulled',
          message: 'image pulled',
          source: { component: 'kubelet', host: 'node-1' },
          firstTimestamp: new Date('2025-01-01T00:00:00Z'),
          lastTimestamp: new Date('2025-01-01T00:01:00Z'),
          count: 3,
          type: 'Normal',
        },
      });
      const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({
        namespace: 'default',
        fieldSelector: 'regarding.name=pod-1',
      });
      expect(list.items).toHaveLength(1);
      const [event] = list.items;
      expect(event!.note).toBe('image pulled');
      expect(event!.deprecatedSource).toEqual({ component: 'kubelet', host: 'node-1' });
      expect(event!.deprecatedCount).toBe(3);
      expect(event!.regarding).toMatchObject({ kind: 'Pod', name: 'pod-1' });
      if (!hasKubectl) return;
      const json = await kubectl('get', 'events.events.k8s.io', 'pod.old', '-n', 'default', '-o', 'json');
      expect(json.stderr).toBe('');
      const served = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(served).toMatchObject({
        apiVersion: 'events.k8s.io/v1',
        note: 'image pulled',
        reason: 'Pulled',
      });
      expect(served).not.toHaveProperty('message');
    });

    it('lets a watch on one version see writes through the other', async () => {
      const seen: string[] = [];
      const watch = await new Watch(kc).watch(
        '/apis/events.k8s.io/v1/namespaces/default/events',
        { fieldSelector: 'regarding.name=watched' },
        (type, obj: { metadata?: { name?: string }; note?: string }) =>
          seen.push(`${type}:${obj.metadata?.name}:${obj.note}`),
        () => {},
      );
      try {
        const core = kc.makeApiClient(CoreV1Api);
        await core.createNamespacedEvent({
          namespace: 'default',
          body: {
            metadata: { name: 'watched.1' },
            involvedObject: { kind: 'Pod', namespace: 'default', name: 'watched' },
            message: 'first',
          },
        });
        await core.createNamespacedEvent({
          namespace: 'default',
          body: {
            metadata: { name: 'other.1' },
            involvedObject: { kind: 'Pod', namespace: 'default', name: 'other' },
            message: 'filtered out',
          },
        });
        await core.deleteNamespacedEvent({ namespace: 'default', name: 'watched.1' });
        await expect
          .poll(() => seen, { timeout: 5000 })
          .toEqual(['ADDED:watched.1:first', 'DELETED:watched.1:first']);
      } finally {
        watch.abort();
      }
    });

    it('applies an events.k8s.io/v1 manifest through the handle and reads it in either version', async () => {
      const [applied] = await server.apply({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'handle.1', namespace: 'default' },
        eventTime: '2025-01-01T00:00:00.000000Z',
        reportingController: 'tests',
        reportingInstance: 'tests-1',
        action: 'Check',
        reason: 'Checked',
        regarding: { kind: 'Node', name: 'node-1' },
        note: 'from the handle',
        type: 'Normal',
      });
      expect(applied).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'from the handle' });
      expect(server.get({ kind: 'Event', namespace: 'default', name: 'handle.1' })).toMatchObject({
        apiVersion: 'v1',
        message: 'from the handle',
        involvedObject: { kind: 'Node', name: 'node-1' },
      });
    });

    it('serves an events.k8s.io/v1 Event fixture in either version, as the handle and the API store it', async () => {
      const file = join(dir, 'events.yaml');
      await writeFile(
        file,
        'apiVersion: events.k8s.io/v1\nkind: Event\nmetadata: {name: fixture.1, namespace: default}\n' +
          'eventTime: "2025-01-01T00:00:00.000000Z"\nreportingController: tests\nreportingInstance: tests-1\n' +
          'action: Check\nreason: Checked\nregarding: {kind: Node, name: node-1}\nnote: from a fixture\ntype: Normal\n',
      );
      const seeded = await startFakeApiServer({ fixtures: [file] });
      try {
        const admin = adminCredentials(seeded.kubeconfig);
        const read = async (path: string) =>
          (await send(seeded.url, seeded.caCert, { path, client: admin })).json();
        expect(await read('/api/v1/namespaces/default/events/fixture.1')).toMatchObject({
          apiVersion: 'v1',
          kind: 'Event',
          message: 'from a fixture',
          involvedObject: { kind: 'Node', name: 'node-1' },
          reportingComponent: 'tests',
        });
        const asV1 = await read('/apis/events.k8s.io/v1/namespaces/default/events/fixture.1');
        expect(asV1).toMatchObject({
          apiVersion: 'events.k8s.io/v1',
          note: 'from a fixture',
          regarding: { name: 'node-1' },
        });
        expect(asV1).not.toHaveProperty('message');
      } finally {
        await seeded.close();
      }
    });

    it('refuses an events.k8s.io/v1 create without eventTime, as ValidateEventCreate does', async () => {
      const response = await fetchJson('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'no-time' },
        reason: 'Odd',
        type: 'Normal',
      });
      expect(response.status).toBe(422);
      expect(response.body.message).toBe(
        'Event.events.k8s.io "no-time" is invalid: eventTime: Required value',
      );
    });
  });

  describe('horizontal pod autoscalers', () => {
    it.runIf(hasKubectl)(
      'reads an HPA made by kubectl autoscale as autoscaling/v2, and prints it',
      async () => {
        const created = await kubectl('create', 'deployment', 'web', '--image=nginx', '-n', 'default');
        expect(created.stderr).toBe('');
        const autoscaled = await kubectl(
          'autoscale',
          'deployment',
          'web',
          '--cpu-percent=50',
          '--min=1',
          '--max=3',
          '-n',
          'default',
        );
        expect(autoscaled.stderr).toBe('');
        const v2 = await kc
          .makeApiClient(AutoscalingV2Api)
          .readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'web' });
        expect(v2.spec!.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'web' });
        expect(v2.spec!.metrics).toEqual([
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ]);
        const v1 = await kc
          .makeApiClient(AutoscalingV1Api)
          .readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'web' });
        expect(v1.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 });
        const printed = await kubectl('get', 'hpa', 'web', '-n', 'default');
        expect(printed.stdout).toMatch(
          /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+3\s+0\s+\S+\n$/,
        );
      },
    );

    it.runIf(has127)('reads an autoscaling/v1 HPA made by kubectl 1.27 autoscale as v2', async () => {
      expect((await kubectlOf(27, 'create', 'deployment', 'old', '--image=nginx')).stderr).toBe('');
      const autoscaled = await kubectlOf(
        27,
        'autoscale',
        'deployment',
        'old',
        '--cpu-percent=40',
        '--max=2',
        '-v=6',
      );
      expect(autoscaled.code).toBe(0);
      // kubectl 1.27 still writes autoscaling/v1 (1.33 writes v2, above).
      expect(autoscaled.stderr).toMatch(
        /POST https:\/\/\S+\/apis\/autoscaling\/v1\/namespaces\/default\/horizontalpodautoscalers\S* 201 Created/,
      );
      const v2 = await kc
        .makeApiClient(AutoscalingV2Api)
        .readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'old' });
      expect(v2.apiVersion).toBe('autoscaling/v2');
      expect(v2.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'old' },
        minReplicas: 1,
        maxReplicas: 2,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 40 } },
          },
        ],
      });
      const printed = await kubectlOf(
        27,
        'get',
        'horizontalpodautoscalers.v1.autoscaling',
        'old',
        '-o',
        'json',
      );
      expect(JSON.parse(printed.stdout)).toMatchObject({
        apiVersion: 'autoscaling/v1',
        spec: { minReplicas: 1, maxReplicas: 2, targetCPUUtilizationPercentage: 40 },
      });
    });

    it('reads a v2 HPA through autoscaling/v1 and keeps its other metrics across a v1 update', async () => {
      const memory = {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
      };
      await kc.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
        namespace: 'default',
        body: {
          metadata: { name: 'api' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
            maxReplicas: 4,
            metrics: [
              memory,
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
              },
            ],
          },
        },
      });
      const v1Api = kc.makeApiClient(AutoscalingV1Api);
      const v1 = await v1Api.readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'api' });
      expect(v1.apiVersion).toBe('autoscaling/v1');
      expect(v1.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 1,
        maxReplicas: 4,
        targetCPUUtilizationPercentage: 60,
      });
      const listed = await v1Api.listNamespacedHorizontalPodAutoscaler({ namespace: 'default' });
      expect(listed.items.map((h) => h.metadata?.name)).toContain('api');
      v1.spec!.targetCPUUtilizationPercentage = 75;
      const replaced = await v1Api.replaceNamespacedHorizontalPodAutoscaler({
        namespace: 'default',
        name: 'api',
        body: v1,
      });
      expect(replaced.spec!.targetCPUUtilizationPercentage).toBe(75);
      const v2 = await kc
        .makeApiClient(AutoscalingV2Api)
        .readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'api' });
      // Upstream keeps the other metrics in an annotation through v1; here a v1 write keeps only cpu.
      expect(v2.spec!.metrics).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } },
        },
      ]);
    });
  });

  async function fetchJson(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await send(server.url, server.caCert, {
      method,
      path,
      body,
      client: adminCredentials(await readFile(kubeconfig, 'utf8')),
    });
    return { status: response.status, body: response.json() as Record<string, unknown> };
  }
});
