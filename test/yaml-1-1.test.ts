import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { send } from './support/https-client.js';

const POD = (name: string, mode: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec:
  containers: [{ name: app, image: busybox }]
  volumes:
  - name: creds
    secret: { secretName: creds, defaultMode: ${mode} }
`;

/** YAML means what it means to Kubernetes (YAML 1.1 through sigs.k8s.io/yaml): `0400` is octal. */
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectlBinary(33))))(
  'YAML 1.1 in fixtures, server.apply() and YAML bodies',
  () => {
    let server: StartedFakeApiServer;
    let kubeconfig: string;
    beforeAll(async () => {
      kubeconfig = join(await mkdtemp(join(tmpdir(), 'yaml-1-1-')), 'kubeconfig');
      server = await startFakeApiServer({ kubeconfig, controllers: [], scheduler: false, kubelet: false });
    });
    afterAll(() => server?.close());

    const modeOf = async (pod: string) => {
      const result = await run(kubectlBinary(33), [
        '--kubeconfig',
        kubeconfig,
        'get',
        'pod',
        pod,
        '-o',
        'jsonpath={.spec.volumes[0].secret.defaultMode}',
      ]);
      expect(result.stderr).toBe('');
      return result.stdout;
    };

    it('reads defaultMode: 0400 in a manifest as 256, as kubectl and kube-apiserver do', async () => {
      await server.apply(POD('applied', '0400'));
      expect(await modeOf('applied')).toBe('256');
    });

    it('decodes an application/yaml body the same way', async () => {
      const created = await send(server.url, server.caCert, {
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        contentType: 'application/yaml',
        body: POD('posted', '0440'),
        client: adminCredentials(server.kubeconfig),
      });
      expect(created.status).toBe(201);
      expect(await modeOf('posted')).toBe('288');
    });
  },
);
