import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';

const RBAC_MANIFEST = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: configmap-editor
  namespace: default
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "create", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer-configmaps
  namespace: default
subjects:
- kind: ServiceAccount
  name: deployer
  namespace: default
roleRef:
  kind: Role
  name: configmap-editor
  apiGroup: rbac.authorization.k8s.io
`;

// kubectl 1.27 speaks JSON; 1.33 sends protobuf bodies for auth can-i and create configmap.
for (const minor of [27, 33]) {
  const kubectl = kubectlBinary(minor);
  describe.runIf(clientAvailable(`kubectl 1.${minor}`, () => existsSync(kubectl)))(
    `kubectl 1.${minor}`,
    () => {
      let server: StartedFakeApiServer;
      let dir: string;
      let kubeconfig: string;

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), `fake-apiserver-kubectl-${minor}-`));
        kubeconfig = join(dir, 'kubeconfig');
        server = await startFakeApiServer({ kubeconfig, saDir: join(dir, 'sa') });
      });
      afterAll(() => server?.close());

      const kubectlAsAdmin = (...args: string[]) =>
        run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
      const kubectlWithToken = (token: string, ...args: string[]) =>
        run(kubectl, [
          '--kubeconfig',
          '/dev/null',
          '--cache-dir',
          join(dir, 'cache-sa'),
          '--server',
          server.url,
          '--certificate-authority',
          join(dir, 'sa', 'ca.crt'),
          '--token',
          token,
          ...args,
        ]);

      it('prints pods as the real server table', async () => {
        const result = await kubectlAsAdmin('get', 'pods', '-n', 'default');
        expect(result.stderr).toBe('');
        const lines = result.stdout.trim().split('\n');
        expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
        expect(lines.find((l) => l.startsWith('helloworld'))).toMatch(
          /^helloworld\s+1\/1\s+Running\s+0\s+\d+/,
        );
        // The fixture's pod was creating its container; the kubelet has started it since.
        expect(lines.find((l) => l.startsWith('web-'))).toMatch(/1\/1\s+Running/);
      });

      it('reads raw paths', async () => {
        const raw = await kubectlAsAdmin('get', '--raw', '/api');
        expect(JSON.parse(raw.stdout)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
        expect((await kubectlAsAdmin('get', '--raw', '/healthz')).stdout).toBe('ok');
      });

      it('lists api-resources from discovery', async () => {
        const result = await kubectlAsAdmin('api-resources');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
        expect(result.stdout).toMatch(
          /^rolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+RoleBinding$/m,
        );
      });

      it('applies an RBAC manifest that takes effect at once for auth can-i as the service account', async () => {
        const manifest = join(dir, 'rbac.yaml');
        await writeFile(manifest, RBAC_MANIFEST);
        const applied = await kubectlAsAdmin('apply', '-f', manifest);
        expect(applied.stderr).toBe('');
        expect(applied.stdout).toBe(
          'serviceaccount/deployer created\nrole.rbac.authorization.k8s.io/configmap-editor created\nrolebinding.rbac.authorization.k8s.io/deployer-configmaps created\n',
        );
        const token = server.issueToken('default/deployer');
        const yes = await kubectlWithToken(token, 'auth', 'can-i', 'create', 'configmaps', '-n', 'default');
        expect(yes).toMatchObject({ code: 0, stdout: 'yes\n' });
        const no = await kubectlWithToken(token, 'auth', 'can-i', 'delete', 'configmaps', '-n', 'default');
        expect(no).toMatchObject({ code: 1, stdout: 'no\n' });
        const elsewhere = await kubectlWithToken(
          token,
          'auth',
          'can-i',
          'list',
          'configmaps',
          '-n',
          'kube-system',
        );
        expect(elsewhere.stdout).toBe('no\n');

        const again = await kubectlAsAdmin('apply', '-f', manifest);
        expect(again.stdout).toContain('role.rbac.authorization.k8s.io/configmap-editor unchanged');
      });

      it('creates a configmap as the service account once RBAC allows it', async () => {
        const token = server.issueToken('default/deployer');
        const created = await kubectlWithToken(
          token,
          'create',
          'configmap',
          `settings-${minor}`,
          '--from-literal=a=b',
          '-n',
          'default',
        );
        expect(created.stderr).toBe('');
        expect(created.stdout).toBe(`configmap/settings-${minor} created\n`);
        const denied = await kubectlWithToken(
          token,
          'delete',
          'configmap',
          `settings-${minor}`,
          '-n',
          'default',
        );
        expect(denied.stderr).toContain(
          `Error from server (Forbidden): configmaps "settings-${minor}" is forbidden: User "system:serviceaccount:default:deployer" cannot delete resource "configmaps" in API group "" in the namespace "default"`,
        );
      });

      it('changes a pod through apply (strategic merge patch) and reads its log', async () => {
        const manifest = join(dir, 'pod.yaml');
        const pod = (image: string, extra: string) => `apiVersion: v1
kind: Pod
metadata:
  name: applied-${minor}
  namespace: default
  labels:
    app: applied
${extra}spec:
  containers:
  - name: app
    image: ${image}
    env:
    - name: A
      value: "1"
`;
        await writeFile(manifest, pod('nginx:1.25', '    tier: web\n'));
        expect((await kubectlAsAdmin('apply', '-f', manifest)).stdout).toBe(`pod/applied-${minor} created\n`);
        await writeFile(manifest, pod('nginx:1.27', ''));
        expect((await kubectlAsAdmin('apply', '-f', manifest)).stdout).toBe(
          `pod/applied-${minor} configured\n`,
        );
        const live = JSON.parse(
          (await kubectlAsAdmin('get', 'pod', `applied-${minor}`, '-o', 'json')).stdout,
        );
        expect(live.spec.containers[0].image).toBe('nginx:1.27');
        expect(live.metadata.labels).toEqual({ app: 'applied' });

        const logs = await kubectlAsAdmin('logs', 'helloworld', '--tail=1');
        expect(logs.stdout).toBe('GET /healthz 200 0.3ms\n');
      });

      it('answers auth can-i --list with the rules of the service account', async () => {
        const token = await readFile(join(dir, 'sa', 'token'), 'utf8');
        const result = await kubectlWithToken(token, 'auth', 'can-i', '--list', '-n', 'default');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(
          /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/,
        );
        expect(result.stdout).toMatch(/\[\/api\/\*\]\s+\[\]\s+\[get\]/);
      });
    },
  );
}
