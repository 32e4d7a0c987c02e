import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';

/**
 * A strategic merge patch (kubectl's default) works on every built-in kind, as its Go struct tags say: the kinds
 * whose schema was once missing (PriorityClass, CustomResourceDefinition, autoscaling/v1 HPAs) included.
 */
const kubectl = kubectlBinary(33);

describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
  'kubectl patch on every kind',
  () => {
    let server: StartedFakeApiServer;
    let dir: string;
    let kubeconfig: string;
    const kubectlRun = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-smp-'));
      kubeconfig = join(dir, 'kubeconfig');
      server = await startFakeApiServer({ kubeconfig });
      await server.apply(`apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
`);
    });
    afterAll(() => server?.close());

    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: things, singular: thing, kind: Thing}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations: [{rule: "self.size() > 0"}]
            properties: {size: {type: integer}}
`;

    it('patches a PriorityClass', async () => {
      const result = await kubectlRun(
        'patch',
        'priorityclass',
        'high',
        '-p',
        '{"metadata":{"labels":{"tier":"a"}},"description":"d"}',
      );
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('priorityclass.scheduling.k8s.io/high patched');
      expect(server.get({ kind: 'PriorityClass', name: 'high' })).toMatchObject({
        description: 'd',
        metadata: { labels: { tier: 'a' } },
      });
    });

    it('applies a CRD server-side twice, then patches it', async () => {
      const file = join(dir, 'crd.yaml');
      await writeFile(file, crd);
      for (const expected of ['serverside-applied', 'serverside-applied']) {
        const applied = await kubectlRun('apply', '--server-side', '-f', file);
        expect(applied.stderr).toBe('');
        expect(applied.stdout.trim()).toBe(
          `customresourcedefinition.apiextensions.k8s.io/things.example.com ${expected}`,
        );
      }
      const patched = await kubectlRun(
        'patch',
        'crd',
        'things.example.com',
        '-p',
        '{"metadata":{"labels":{"team":"x"}}}',
      );
      expect(patched.stderr).toBe('');
      expect(patched.stdout.trim()).toBe(
        'customresourcedefinition.apiextensions.k8s.io/things.example.com patched',
      );
      expect(
        server.get({ kind: 'CustomResourceDefinition', name: 'things.example.com' })?.metadata?.labels,
      ).toEqual({ team: 'x' });
    });

    // kubectl patches an HPA through its preferred version (v2) whatever the name says, so v1 is sent directly.
    it('patches an HPA through autoscaling/v1', async () => {
      const response = await send(server.url, server.caCert, {
        method: 'PATCH',
        path: '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web',
        body: { metadata: { finalizers: ['x.example.com/keep'] }, spec: { maxReplicas: 5 } },
        contentType: 'application/strategic-merge-patch+json',
        client: adminCredentials(server.kubeconfig),
      });
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ apiVersion: 'autoscaling/v1', spec: { maxReplicas: 5 } });
      expect(
        server.get({ kind: 'HorizontalPodAutoscaler', namespace: 'default', name: 'web' }),
      ).toMatchObject({
        metadata: { finalizers: ['x.example.com/keep'] },
        spec: { maxReplicas: 5 },
      });
    });
  },
);
