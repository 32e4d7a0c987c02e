import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';

type Obj = Record<string, any>;

// Objects as kube-apiserver stores and serves them: what encoding/json writes from the typed Go struct, so
// empty omitempty fields a client sent are gone and fields without omitempty carry their zero values.
const kubectl = kubectlBinary(33);
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))(
  'objects as Go encodes them',
  () => {
    let server: StartedFakeApiServer;
    let dir: string;
    let kubeconfig: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-go-encoding-'));
      kubeconfig = join(dir, 'kubeconfig');
      server = await startFakeApiServer({ kubeconfig, controllers: [] });
      const admin = adminCredentials(server.kubeconfig);
      await writeFile(join(dir, 'ca.crt'), server.caCert);
      await writeFile(join(dir, 'admin.crt'), admin.cert);
      await writeFile(join(dir, 'admin.key'), admin.key);
    });
    afterAll(() => server?.close());

    const kubectlRun = (args: string[], input?: string) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { input });
    const curl = async (path: string, ...extra: string[]) => {
      const args = ['-sS', '--cacert', join(dir, 'ca.crt'), '--cert', join(dir, 'admin.crt')];
      args.push('--key', join(dir, 'admin.key'), '-A', 'kubectl/v1.33.4', ...extra, `${server.url}${path}`);
      const result = await run('curl', args);
      expect(result.stderr).toBe('');
      return result.stdout;
    };

    it('kubectl get -o json shows a Deployment template with creationTimestamp null and resources {}', async () => {
      const created = await kubectlRun(['create', 'deployment', 'web', '--image=nginx']);
      expect(created.stderr).toBe('');
      const got = await kubectlRun(['get', 'deployment', 'web', '-o', 'json']);
      expect(got.stderr).toBe('');
      const deployment = JSON.parse(got.stdout) as Obj;
      expect(deployment.spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 'web' } });
      expect(deployment.spec.template.spec.containers[0].resources).toEqual({});
      expect(deployment.status).toEqual({});
      // The field manager compares with the kind's Go zero value, which has the template's creationTimestamp
      // (null) and `containers: null`: neither is recorded as added.
      const raw = JSON.parse(await curl('/apis/apps/v1/namespaces/default/deployments/web')) as Obj;
      const fields = raw.metadata.managedFields[0].fieldsV1 as Obj;
      expect(fields['f:spec']['f:template']['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
      expect(Object.keys(fields['f:spec']['f:template']['f:spec']['f:containers'])).toEqual([
        'k:{"name":"nginx"}',
      ]);
    });

    it('drops annotations: {} and finalizers: [] that @kubernetes/client-node sends, and owns neither', async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      const api = kc.makeApiClient(CoreV1Api);
      const created = await api.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'empty', annotations: {}, finalizers: [], labels: {} }, data: { a: 'b' } },
      });
      expect(created.metadata?.annotations).toBeUndefined();
      expect(created.metadata?.finalizers).toBeUndefined();
      expect(created.metadata?.labels).toBeUndefined();
      expect(created.metadata?.managedFields?.[0]?.fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:a': {} } });
      const raw = await curl('/api/v1/namespaces/default/configmaps/empty');
      expect(raw).toMatch(
        /^\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"empty","namespace":"default"/,
      );
      expect(raw).not.toContain('"annotations"');
    });

    it('writes a core Event zero fields as kube-apiserver does (source, timestamps, reporting fields)', async () => {
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web.1' },
        involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
        reason: 'Started',
        message: 'Started container',
        type: 'Normal',
      };
      const created = await curl(
        '/api/v1/namespaces/default/events',
        '-X',
        'POST',
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify(body),
      );
      const event = JSON.parse(created) as Obj;
      expect(event).toMatchObject({
        source: {},
        firstTimestamp: null,
        lastTimestamp: null,
        eventTime: null,
        reportingComponent: '',
        reportingInstance: '',
      });
      expect(created).toContain(
        '"source":{},"firstTimestamp":null,"lastTimestamp":null,"type":"Normal","eventTime":null',
      );
    });

    it('keeps a custom resource as it was sent', async () => {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      };
      expect((await kubectlRun(['apply', '-f', '-'], JSON.stringify(crd))).stderr).toBe('');
      const widget = {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
        spec: { tags: [], labels: {} },
      };
      const created = await kubectlRun(['create', '-f', '-', '-o', 'json'], JSON.stringify(widget));
      expect(created.stderr).toBe('');
      expect((JSON.parse(created.stdout) as Obj).spec).toEqual({ tags: [], labels: {} });
    });
  },
);
