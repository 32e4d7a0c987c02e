import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';
import { until } from './support/program.js';

/**
 * Controllers write through the API's write path (src/api/write-path.ts): what they write is defaulted,
 * validated and recorded in managedFields as kube-controller-manager's writes are on a cluster.
 */
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectlBinary(33))))(
  'what the controllers write, seen by kubectl',
  () => {
    let server: StartedFakeApiServer;
    let kubeconfig: string;
    beforeAll(async () => {
      kubeconfig = join(await mkdtemp(join(tmpdir(), 'controller-writes-')), 'kubeconfig');
      server = await startFakeApiServer({ kubeconfig });
    });
    afterAll(() => server?.close());

    const kubectl = (...args: string[]) => run(kubectlBinary(33), ['--kubeconfig', kubeconfig, ...args]);

    it("records kube-root-ca.crt in a new namespace as kube-controller-manager's Update", async () => {
      expect((await kubectl('create', 'namespace', 'team-a')).code).toBe(0);
      const result = await kubectl(
        'get',
        'configmap',
        'kube-root-ca.crt',
        '-n',
        'team-a',
        '-o',
        'json',
        '--show-managed-fields',
      );
      expect(result.stderr).toBe('');
      const configMap = JSON.parse(result.stdout) as {
        metadata: { managedFields: { manager: string; operation: string; fieldsV1: unknown }[] };
      };
      expect(configMap.metadata.managedFields).toEqual([
        expect.objectContaining({
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:data': { '.': {}, 'f:ca.crt': {} },
            'f:metadata': { 'f:annotations': { '.': {}, 'f:kubernetes.io/description': {} } },
          },
        }),
      ]);
      // The default ServiceAccount has no field but its name: nothing to record, as on a cluster.
      const account = await kubectl(
        'get',
        'sa',
        'default',
        '-n',
        'team-a',
        '-o',
        'json',
        '--show-managed-fields',
      );
      expect((JSON.parse(account.stdout) as { metadata: object }).metadata).not.toHaveProperty(
        'managedFields',
      );
    });

    it('puts back a deleted kube-root-ca.crt, its CA when changed, and a deleted default ServiceAccount', async () => {
      expect((await kubectl('create', 'namespace', 'team-b')).code).toBe(0);
      const configMap = () =>
        server.get({ kind: 'ConfigMap', namespace: 'team-b', name: 'kube-root-ca.crt' }) as
          { data?: Record<string, string>; metadata?: { uid?: string } } | undefined;
      await until('the ConfigMap to appear', () => configMap() !== undefined, 2000);
      const first = configMap()!.metadata!.uid;
      expect((await kubectl('delete', 'configmap', 'kube-root-ca.crt', '-n', 'team-b')).code).toBe(0);
      await until('the ConfigMap to come back', () => (configMap()?.metadata?.uid ?? first) !== first, 2000);
      expect(configMap()!.data!['ca.crt']).toBe(server.caCert);

      const patched = await kubectl(
        'patch',
        'configmap',
        'kube-root-ca.crt',
        '-n',
        'team-b',
        '--type',
        'merge',
        '-p',
        '{"data":{"ca.crt":"forged"}}',
      );
      expect(patched.code).toBe(0);
      await until('the CA to be restored', () => configMap()?.data?.['ca.crt'] === server.caCert, 2000);

      expect((await kubectl('delete', 'serviceaccount', 'default', '-n', 'team-b')).code).toBe(0);
      await until(
        'the default ServiceAccount to come back',
        () => server.get({ kind: 'ServiceAccount', namespace: 'team-b', name: 'default' }) !== undefined,
        2000,
      );
    });
  },
);
