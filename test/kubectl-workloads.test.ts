import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, pythonClientInstalled, run } from './support/external.js';

const deploymentYaml = (image: string, extra: { label?: boolean; env?: boolean } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:
    app: web
${extra.label ? '    tier: frontend\n' : ''}spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 8080
        env:
        - name: MODE
          value: blue
${extra.env ? '        - name: DEBUG\n          value: "1"\n' : ''}`;

type Obj = Record<string, any>;

for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor} workloads`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      let kubeconfig: string;

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), `fake-apiserver-workloads-${minor}-`));
        kubeconfig = join(dir, 'kubeconfig');
        // A still cluster: these tests are about the API (apply, scale, columns); the workload controllers'
        // moves are tested in workload-controllers*.test.ts.
        server = await startFakeApiServer({ kubeconfig, controllers: [] });
      });
      afterAll(() => server?.close());

      const kubectlRun = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
        run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { env });
      const deployment = () => server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj;
      const applyFile = async (text: string) => {
        const file = join(dir, 'deploy.yaml');
        await writeFile(file, text);
        return kubectlRun(['apply', '-f', file]);
      };

      it('apply creates, re-apply configures (image changed, env var and label removed), then is unchanged', async () => {
        const created = await applyFile(deploymentYaml('nginx:1.25', { label: true, env: true }));
        expect(created.stderr).toBe('');
        expect(created.stdout.trim()).toBe('deployment.apps/web created');
        const first = deployment();
        expect(first.metadata.generation).toBe(1);
        expect(first.spec.strategy).toEqual({
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
        });
        expect(first.spec.revisionHistoryLimit).toBe(10);
        expect(first.spec.progressDeadlineSeconds).toBe(600);
        expect(first.spec.template.spec.containers[0]).toMatchObject({
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
        });

        const configured = await applyFile(deploymentYaml('nginx:1.27'));
        expect(configured.stderr).toBe('');
        expect(configured.stdout.trim()).toBe('deployment.apps/web configured');
        const second = deployment();
        expect(second.metadata.labels).toEqual({ app: 'web' });
        expect(second.spec.template.spec.containers[0].image).toBe('nginx:1.27');
        expect(second.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'blue' }]);
        expect(second.metadata.generation).toBe(2);

        const unchanged = await applyFile(deploymentYaml('nginx:1.27'));
        expect(unchanged.stdout.trim()).toBe('deployment.apps/web unchanged');
        expect(deployment().metadata.resourceVersion).toBe(second.metadata.resourceVersion);
      });

      it('scale sets spec.replicas through the scale subresource and bumps the generation', async () => {
        const before = deployment();
        const scaled = await kubectlRun(['scale', 'deploy/web', '--replicas=3']);
        expect(scaled.stderr).toBe('');
        expect(scaled.stdout.trim()).toBe('deployment.apps/web scaled');
        const after = deployment();
        expect(after.spec.replicas).toBe(3);
        expect(after.metadata.generation).toBe(before.metadata.generation + 1);
        const stale = await kubectlRun([
          'scale',
          'deploy/web',
          '--replicas=4',
          `--resource-version=${before.metadata.resourceVersion}`,
        ]);
        expect(stale.code).not.toBe(0);
        // kubectl checks the precondition itself against the Scale it reads first.
        expect(stale.stderr).toContain(`Expected resource version to be ${before.metadata.resourceVersion}`);
        expect(deployment().spec.replicas).toBe(3);
      });

      it('rollout restart stamps the template with kubectl.kubernetes.io/restartedAt', async () => {
        const restarted = await kubectlRun(['rollout', 'restart', 'deploy/web']);
        expect(restarted.stderr).toBe('');
        expect(restarted.stdout.trim()).toBe('deployment.apps/web restarted');
        const annotations = deployment().spec.template.metadata.annotations ?? {};
        expect(annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
      });

      it('edit applies what KUBE_EDITOR changed', async () => {
        const editor = join(dir, 'editor.sh');
        await writeFile(editor, '#!/bin/sh\nsed -i "s/image: nginx:1.27/image: nginx:1.28/" "$1"\n');
        await chmod(editor, 0o755);
        const edited = await kubectlRun(['edit', 'deploy/web'], { ...process.env, KUBE_EDITOR: editor });
        expect(edited.stderr).toBe('');
        expect(edited.stdout.trim()).toBe('deployment.apps/web edited');
        expect(deployment().spec.template.spec.containers[0].image).toBe('nginx:1.28');
      });

      it('label and annotate a deployment', async () => {
        expect((await kubectlRun(['label', 'deploy/web', 'team=shop'])).stdout.trim()).toBe(
          'deployment.apps/web labeled',
        );
        // kubectl 1.27 prints "annotate", later versions "annotated".
        expect((await kubectlRun(['annotate', 'deploy/web', 'owner=alice'])).stdout.trim()).toMatch(
          /^deployment\.apps\/web annotated?$/,
        );
        const metadata = deployment().metadata;
        expect(metadata.labels.team).toBe('shop');
        expect(metadata.annotations.owner).toBe('alice');
      });

      it('refuses a selector that does not match the template, and a changed selector', async () => {
        const mismatched = await applyFile(
          deploymentYaml('nginx:1.27')
            .replace('name: web\n  namespace', 'name: other\n  namespace')
            .replace('matchLabels:\n      app: web', 'matchLabels:\n      app: api'),
        );
        expect(mismatched.code).not.toBe(0);
        expect(mismatched.stderr).toContain(
          'The Deployment "other" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
        );
        const patched = await kubectlRun([
          'patch',
          'deploy/web',
          '--type=merge',
          '-p',
          '{"spec":{"selector":{"matchLabels":{"app":"web","v":"2"}},"template":{"metadata":{"labels":{"v":"2"}}}}}',
        ]);
        expect(patched.code).not.toBe(0);
        expect(patched.stderr).toContain(
          'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
        );
      });

      it('get deploy prints the server columns, -o wide adds containers, images and selector', async () => {
        const plain = await kubectlRun(['get', 'deploy']);
        expect(plain.stderr).toBe('');
        const lines = plain.stdout.trim().split('\n');
        expect(lines[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
        expect(lines[1]).toMatch(/^web\s+0\/3\s+0\s+0\s+\d+s$/);
        const wide = await kubectlRun(['get', 'deploy', '-o', 'wide']);
        const wideLines = wide.stdout.trim().split('\n');
        expect(wideLines[0]).toMatch(
          /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/,
        );
        expect(wideLines[1]).toMatch(/^web\s+0\/3\s+0\s+0\s+\d+s\s+web\s+nginx:1\.28\s+app=web$/);
      });

      it('get all lists pods and deployments', async () => {
        const all = await kubectlRun(['get', 'all', '-n', 'default']);
        expect(all.stderr).toBe('');
        expect(all.stdout).toMatch(/^pod\/helloworld\s/m);
        expect(all.stdout).toMatch(/^deployment\.apps\/web\s+0\/3\s/m);
      });
    },
  );
}

describe('scale subresource with the official clients', () => {
  let server: StartedFakeApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-scale-'));
    // A still cluster: the Scale's status.replicas stays the 0 it was created with.
    server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig'), controllers: [] });
    await server.apply(deploymentYaml('nginx:1.27'));
  });
  afterAll(() => server?.close());

  it('client-node reads and replaces a deployment scale', async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'default' });
    expect(scale.spec?.replicas).toBe(2);
    expect(scale.status).toEqual({ replicas: 0, selector: 'app=web' });
    const parent = server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj;
    expect(scale.metadata?.uid).toBe(parent.metadata.uid);
    expect(scale.metadata?.resourceVersion).toBe(parent.metadata.resourceVersion);

    const replaced = await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'default',
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 5 },
      },
    });
    expect(replaced.spec?.replicas).toBe(5);
    const after = server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj;
    expect(after.spec.replicas).toBe(5);
    expect(after.metadata.generation).toBe(parent.metadata.generation + 1);
    expect(after.spec.template).toEqual(parent.spec.template);

    await expect(
      apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace: 'default',
        body: {
          metadata: { name: 'web', namespace: 'default', resourceVersion: parent.metadata.resourceVersion },
          spec: { replicas: 1 },
        },
      }),
    ).rejects.toMatchObject({ code: 409 });
    await expect(
      apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace: 'default',
        body: { metadata: { name: 'web', namespace: 'default' }, spec: { replicas: -1 } },
      }),
    ).rejects.toMatchObject({ code: 422 });

    const dryRun = await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'default',
      dryRun: 'All',
      body: { metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 9 } },
    });
    expect(dryRun.spec?.replicas).toBe(9);
    expect((server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj).spec.replicas).toBe(
      5,
    );
  });

  it.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))(
    'the Python client patches a deployment scale',
    async () => {
      const kubeconfig = join(dir, 'kubeconfig');
      const script = `
import json, sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
apps = client.AppsV1Api()
scale = apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 7}})
print(json.dumps({"replicas": scale.spec.replicas, "selector": scale.status.selector}))
`;
      const result = await run('/usr/bin/python3', ['-c', script, kubeconfig]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ replicas: 7, selector: 'app=web' });
      expect(
        (server.get({ kind: 'Deployment', namespace: 'default', name: 'web' }) as Obj).spec.replicas,
      ).toBe(7);
    },
  );
});
