import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { clientAvailable, existsSync, kubectlBinary, run } from './support/external.js';
import { send, type TestRequest } from './support/https-client.js';

const PODS = '/api/v1/namespaces/default/pods';
const container = (resources: Record<string, unknown> = {}) => ({ name: 'web', image: 'nginx:1', resources });
const podBody = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec,
  ...(status ? { status } : {}),
});
const labels = { app: 'web' };
const deploymentBody = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [container()] } },
  },
  status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
});

describe('create and update strategies over the wire', () => {
  let server: StartedFakeApiServer;
  let admin: { cert: string; key: string };

  beforeAll(async () => {
    // Still: these tests seed and read back the status a write left, which the controllers, a scheduler and
    // a kubelet would move on.
    server = await startFakeApiServer({ cluster: false });
    admin = adminCredentials(server.kubeconfig);
  });
  afterAll(() => server?.close());

  const asAdmin = (req: TestRequest) => send(server.url, server.caCert, { client: admin, ...req });

  it('resets a pod status on create and computes its QoS class, requests defaulting from limits', async () => {
    const guaranteed = await asAdmin({
      method: 'POST',
      path: PODS,
      body: podBody(
        'limits-only',
        { containers: [container({ limits: { cpu: '500m', memory: '64Mi' } })] },
        {
          phase: 'Running',
          qosClass: 'BestEffort',
        },
      ),
    });
    expect(guaranteed.status).toBe(201);
    expect(guaranteed.json().status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
    expect(guaranteed.json().spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '64Mi' });
    const burstable = await asAdmin({
      method: 'POST',
      path: PODS,
      body: podBody('burstable', { containers: [container({ requests: { memory: '64Mi' } })] }),
    });
    expect(burstable.json().status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
  });

  it('lets server.apply() seed status, computing the QoS class it leaves out', async () => {
    await server.apply([
      {
        ...podBody('seeded', { containers: [container({ requests: { cpu: '1' } })] }, { phase: 'Running' }),
        metadata: { name: 'seeded', namespace: 'default' },
      },
      deploymentBody('seeded'),
    ]);
    const pod = (await asAdmin({ path: `${PODS}/seeded` })).json();
    expect(pod.status).toEqual({ phase: 'Running', qosClass: 'Burstable' });
    const deployment = (
      await asAdmin({ path: '/apis/apps/v1/namespaces/default/deployments/seeded' })
    ).json();
    expect(deployment.status.readyReplicas).toBe(2);
  });

  it('resets workload, service and custom status on creates through POST and server-side apply', async () => {
    const posted = await asAdmin({
      method: 'POST',
      path: '/apis/apps/v1/namespaces/default/deployments',
      body: deploymentBody('posted'),
    });
    expect(posted.status).toBe(201);
    expect(posted.json().status).toEqual({});
    const applied = await asAdmin({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/default/deployments/applied?fieldManager=test',
      contentType: 'application/apply-patch+yaml',
      body: deploymentBody('applied'),
    });
    expect(applied.status).toBe(201);
    expect(applied.json().status).toEqual({});
    const service = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/services',
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'lb' },
        spec: { ports: [{ port: 80 }] },
        status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
      },
    });
    expect(service.status).toBe(201);
    expect(service.json().status).toEqual({ loadBalancer: {} });
  });

  it('refuses a service name that is not a DNS-1035 label', async () => {
    const response = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/services',
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: '1svc' },
        spec: { ports: [{ port: 80 }] },
      },
    });
    expect(response.status).toBe(422);
    expect(response.json().message).toBe(
      `Service "1svc" is invalid: metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
  });

  it('validates pod containers on create and the pod spec on update', async () => {
    const empty = await asAdmin({ method: 'POST', path: PODS, body: podBody('empty', {}) });
    expect(empty.status).toBe(422);
    expect(empty.json().message).toBe('Pod "empty" is invalid: spec.containers: Required value');
    expect(empty.json().details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
    ]);
    await asAdmin({ method: 'POST', path: PODS, body: podBody('mutable', { containers: [container()] }) });
    const image = await asAdmin({
      method: 'PATCH',
      path: `${PODS}/mutable`,
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } },
    });
    expect(image.status).toBe(200);
    expect(image.json().spec.containers[0].image).toBe('nginx:2');
    const current = image.json();
    const replaced = await asAdmin({
      method: 'PUT',
      path: `${PODS}/mutable`,
      body: { ...current, spec: { containers: [{ ...container(), image: 'nginx:2' }], nodeName: 'node-1' } },
    });
    expect(replaced.status).toBe(422);
    expect(replaced.json().details.causes[0].field).toBe('spec');
    expect(replaced.json().message).toMatch(
      /^Pod "mutable" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,/,
    );
  });

  it('checks config map keys and keeps immutable config maps and secrets', async () => {
    const bad = await asAdmin({
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { 'bad key': 'x' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json().details.causes[0].field).toBe('data[bad key]');
    const path = '/api/v1/namespaces/default/secrets';
    const created = await asAdmin({
      method: 'POST',
      path,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'frozen' },
        immutable: true,
        stringData: { a: 'b' },
      },
    });
    expect(created.status).toBe(201);
    const patched = await asAdmin({
      method: 'PATCH',
      path: `${path}/frozen`,
      contentType: 'application/merge-patch+json',
      body: { data: { a: 'Yw==' } },
    });
    expect(patched.status).toBe(422);
    expect(patched.json().message).toBe(
      'Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set',
    );
  });

  it('keeps a job template immutable', async () => {
    const path = '/apis/batch/v1/namespaces/default/jobs';
    const created = await asAdmin({
      method: 'POST',
      path,
      body: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'once' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [container()] } } },
        status: { succeeded: 1 },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json().status).toEqual({});
    const patched = await asAdmin({
      method: 'PATCH',
      path: `${path}/once`,
      contentType: 'application/merge-patch+json',
      body: { spec: { template: { spec: { activeDeadlineSeconds: 5 } } } },
    });
    expect(patched.status).toBe(422);
    expect(patched.json().details.causes[0]).toMatchObject({
      reason: 'FieldValueInvalid',
      field: 'spec.template',
    });
    expect(patched.json().message).toMatch(/: field is immutable$/);
  });
});

const kubectl = kubectlBinary(33);
describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectl)))('kubectl 1.33 pod update', () => {
  let server: StartedFakeApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-strategies-'));
    server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the Forbidden pod update as kube-apiserver words it', async () => {
    const kubectlRun = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);
    const manifest = (port: number) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
  - name: web
    image: nginx:1
    ports:
    - containerPort: ${port}
`;
    await writeFile(join(dir, 'pod.yaml'), manifest(80));
    expect((await kubectlRun('apply', '-f', join(dir, 'pod.yaml'))).code).toBe(0);
    await writeFile(join(dir, 'pod.yaml'), manifest(8080));
    const result = await kubectlRun('apply', '-f', join(dir, 'pod.yaml'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  });
});
