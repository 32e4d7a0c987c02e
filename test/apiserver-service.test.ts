import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';

describe('the kubernetes Service in default, as kube-apiserver keeps it', () => {
  let server: StartedFakeApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-apiserver-service-'));
    server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig') });
  });
  afterAll(() => server?.close());

  it('has the Service on 10.96.0.1:443, and Endpoints and an EndpointSlice pointing at the real port', () => {
    const service = server.get({ kind: 'Service', namespace: 'default', name: 'kubernetes' });
    expect(service?.metadata?.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(service?.spec).toMatchObject({
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }],
    });
    const endpoints = server.get({ kind: 'Endpoints', namespace: 'default', name: 'kubernetes' });
    expect(endpoints?.subsets).toEqual([
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] },
    ]);
    const slice = server.get({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      namespace: 'default',
      name: 'kubernetes',
    });
    expect(slice).toMatchObject({
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: server.port, protocol: 'TCP' }],
      metadata: { labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    });
  });

  it('comes back with reset()', async () => {
    await server.delete({ kind: 'Service', namespace: 'default', name: 'kubernetes' });
    server.reset();
    expect(server.get({ kind: 'Service', namespace: 'default', name: 'kubernetes' })).toBeDefined();
  });

  describe.runIf(clientAvailable('kubectl 1.33', () => existsSync(kubectlBinary(33))))('kubectl 1.33', () => {
    it('lists it as on any cluster', async () => {
      const listed = await run(kubectlBinary(33), [
        ...['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')],
        ...['get', 'svc', 'kubernetes', '-o', 'wide'],
      ]);
      expect(listed.stderr).toBe('');
      expect(listed.stdout).toMatch(
        /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+\s+<none>$/m,
      );
    });
  });
});
