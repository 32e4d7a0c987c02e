import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/resource-kind.js';
import { expandEnvReferences, resolveContainerEnv, serviceEnvVars, servicesForPod } from './container-env.js';
import { PodConfigError, type NodeAllocatable } from './downward-api.js';

const GI = 1024n ** 3n * 1_000_000_000n;
const allocatable: NodeAllocatable = { cpu: 4_000_000_000n, memory: 8n * GI, 'ephemeral-storage': 100n * GI };

const pod: KubeObject = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'u-1',
    labels: { tier: 'front' },
    annotations: { build: '42' },
  },
  spec: { nodeName: 'node-1', serviceAccountName: 'web' },
  status: {
    podIP: '10.244.1.17',
    podIPs: [{ ip: '10.244.1.17' }, { ip: 'fd00::17' }],
    hostIP: '192.168.49.2',
  },
};
const configMaps: Record<string, KubeObject> = {
  settings: { metadata: { name: 'settings' }, data: { mode: 'blue', size: '3' } },
};
const secrets: Record<string, KubeObject> = {
  creds: { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cr3t').toString('base64') } },
};
const sources = {
  configMap: (name: string) => configMaps[name],
  secret: (name: string) => secrets[name],
  allocatable,
};
const kubernetesService: KubeObject = {
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
};

function env(container: Record<string, unknown>, services: KubeObject[] = []) {
  return Object.fromEntries(resolveContainerEnv(pod, { name: 'app', ...container }, sources, services));
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PodConfigError) return error.message;
    throw error;
  }
  throw new Error('not refused');
}

describe("the kubelet's $(VAR) expansion", () => {
  it.each([
    ['$(A) and $(B)', 'a and b'],
    ['$(MISSING) stays', '$(MISSING) stays'],
    ['$$(A) is escaped', '$(A) is escaped'],
    ['$$ is one $', '$ is one $'],
    ['unclosed $(A', 'unclosed $(A'],
    ['a lone $ and $x', 'a lone $ and $x'],
    ['ends with $', 'ends with $'],
  ])('%s', (input, expected) => {
    expect(expandEnvReferences(input, (name) => ({ A: 'a', B: 'b' })[name])).toBe(expected);
  });
});

describe("a container's environment", () => {
  it('has the kubernetes Service variables a pod gets', () => {
    expect(serviceEnvVars([kubernetesService])).toEqual([
      ['KUBERNETES_SERVICE_HOST', '10.96.0.1'],
      ['KUBERNETES_SERVICE_PORT', '443'],
      ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
      ['KUBERNETES_PORT', 'tcp://10.96.0.1:443'],
      ['KUBERNETES_PORT_443_TCP', 'tcp://10.96.0.1:443'],
      ['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'],
      ['KUBERNETES_PORT_443_TCP_PORT', '443'],
      ['KUBERNETES_PORT_443_TCP_ADDR', '10.96.0.1'],
    ]);
  });

  it("links the namespace's Services only with enableServiceLinks, and default/kubernetes always", () => {
    const cart = {
      metadata: { name: 'cart-api', namespace: 'shop' },
      spec: { clusterIP: '10.96.100.7', ports: [{ port: 8080 }] },
    };
    const headless = {
      metadata: { name: 'db', namespace: 'shop' },
      spec: { clusterIP: 'None', ports: [{ port: 5432 }] },
    };
    const elsewhere = {
      metadata: { name: 'other', namespace: 'billing' },
      spec: { clusterIP: '10.96.9.9', ports: [{ port: 80 }] },
    };
    const all = [kubernetesService, cart, headless, elsewhere];
    expect(servicesForPod(all, 'shop', true).map((s) => s.metadata?.name)).toEqual([
      'kubernetes',
      'cart-api',
    ]);
    expect(servicesForPod(all, 'shop', false).map((s) => s.metadata?.name)).toEqual(['kubernetes']);
    expect(Object.fromEntries(serviceEnvVars([cart]))).toEqual({
      CART_API_SERVICE_HOST: '10.96.100.7',
      CART_API_SERVICE_PORT: '8080',
      CART_API_PORT: 'tcp://10.96.100.7:8080',
      CART_API_PORT_8080_TCP: 'tcp://10.96.100.7:8080',
      CART_API_PORT_8080_TCP_PROTO: 'tcp',
      CART_API_PORT_8080_TCP_PORT: '8080',
      CART_API_PORT_8080_TCP_ADDR: '10.96.100.7',
    });
  });

  it('resolves values, the downward API, ConfigMap and Secret keys, in declaration order', () => {
    expect(
      env(
        {
          envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'GREETING', value: 'hello $(POD_NAME) on $(KUBERNETES_SERVICE_HOST), not $(LATER)' },
            { name: 'LATER', value: 'late' },
            { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
            { name: 'BUILD', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['build']" } } },
            { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
            { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
            { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            {
              name: 'OPTIONAL',
              valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } },
            },
            {
              name: 'OPTIONAL_KEY',
              valueFrom: { secretKeyRef: { name: 'creds', key: 'x', optional: true } },
            },
            { name: 'EMPTY', value: '' },
            { name: 'CFG_mode', value: 'env wins over envFrom' },
          ],
        },
        [kubernetesService],
      ),
    ).toEqual({
      CFG_mode: 'env wins over envFrom',
      CFG_size: '3',
      password: 's3cr3t',
      POD_NAME: 'web',
      GREETING: 'hello web on 10.96.0.1, not $(LATER)',
      LATER: 'late',
      TIER: 'front',
      BUILD: '42',
      UID: 'u-1',
      NODE: 'node-1',
      SA: 'web',
      IP: '10.244.1.17',
      IPS: '10.244.1.17,fd00::17',
      HOST_IP: '192.168.49.2',
      MODE: 'blue',
      PASSWORD: 's3cr3t',
      EMPTY: '',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    });
  });

  it('gives resources by limit (the node allocatable without one) or request, divided and rounded up', () => {
    const container = {
      resources: { requests: { cpu: '250m', memory: '100M' }, limits: { memory: '128Mi' } },
      env: [
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_REQUEST', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        {
          name: 'CPU_REQUEST_M',
          valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
        },
        {
          name: 'MEM_LIMIT_MI',
          valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
        },
        {
          name: 'MEM_REQUEST_MI',
          valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } },
        },
        {
          name: 'DISK_LIMIT_GI',
          valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1Gi' } },
        },
      ],
    };
    expect(env(container)).toEqual({
      CPU_LIMIT: '4',
      CPU_REQUEST: '1',
      CPU_REQUEST_M: '250',
      MEM_LIMIT_MI: '128',
      MEM_REQUEST_MI: '96',
      DISK_LIMIT_GI: '100',
    });
  });

  it('refuses what the kubelet refuses to start, in its words', () => {
    expect(refusal(() => env({ envFrom: [{ configMapRef: { name: 'absent' } }] }))).toBe(
      'configmap "absent" not found',
    );
    expect(refusal(() => env({ envFrom: [{ secretRef: { name: 'absent' } }] }))).toBe(
      'secret "absent" not found',
    );
    expect(
      refusal(() =>
        env({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope' } } }] }),
      ),
    ).toBe("couldn't find key nope in ConfigMap shop/settings");
    expect(
      refusal(() =>
        env({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } }] }),
      ),
    ).toBe("couldn't find key nope in Secret shop/creds");
    expect(
      refusal(() => env({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }] })),
    ).toBe('unsupported fieldPath: metadata.labels');
    expect(
      refusal(() =>
        env({ env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }),
      ),
    ).toBe('unsupported container resource : limits.gpu');
  });
});
