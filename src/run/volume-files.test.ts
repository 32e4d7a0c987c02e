import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../registry/resource-kind.js';
import { PodConfigError } from './downward-api.js';
import { volumePayload, volumeReferences, type VolumeSources } from './volume-files.js';

const configMaps: Record<string, KubeObject> = {
  settings: {
    metadata: { name: 'settings' },
    data: { mode: 'blue', 'app.properties': 'color=blue\n' },
    binaryData: { 'logo.bin': Buffer.from([0, 1, 2]).toString('base64') },
  },
};
const secrets: Record<string, KubeObject> = {
  creds: { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cr3t').toString('base64') } },
};
const tokensAsked: unknown[] = [];
const container = { name: 'app', resources: { limits: { cpu: '500m' } } };
const sources: VolumeSources = {
  pod: {
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: { containers: [container] },
  },
  container,
  configMap: (name) => configMaps[name],
  secret: (name) => secrets[name],
  allocatable: { cpu: 2_000_000_000n, memory: 0n, 'ephemeral-storage': 0n },
  token: (request) => {
    tokensAsked.push(request);
    return `token-for-${request.audience || 'api'}`;
  },
};

function files(volume: Record<string, unknown>): Record<string, [string, string]> {
  const payload = volumePayload({ name: 'v', ...volume }, sources)!;
  return Object.fromEntries(
    [...payload].map(([path, file]) => [path, [file.data.toString('utf8'), file.mode.toString(8)]]),
  );
}

function refusal(volume: Record<string, unknown>): string {
  try {
    volumePayload({ name: 'v', ...volume }, sources);
  } catch (error) {
    if (error instanceof PodConfigError) return error.message;
    throw error;
  }
  throw new Error('not refused');
}

describe("a volume's files", () => {
  it('holds every key of a ConfigMap, binaryData too, 0644 by default', () => {
    expect(files({ configMap: { name: 'settings' } })).toEqual({
      mode: ['blue', '644'],
      'app.properties': ['color=blue\n', '644'],
      'logo.bin': ['\u0000\u0001\u0002', '644'],
    });
  });

  it('holds the items asked for, at their paths and modes', () => {
    expect(
      files({
        secret: {
          secretName: 'creds',
          defaultMode: 0o440,
          items: [{ key: 'password', path: 'db/password', mode: 0o400 }],
        },
      }),
    ).toEqual({ 'db/password': ['s3cr3t', '400'] });
  });

  it("is empty for an optional source that is missing, refused in the kubelet's words otherwise", () => {
    expect(files({ configMap: { name: 'absent', optional: true } })).toEqual({});
    expect(refusal({ configMap: { name: 'absent' } })).toBe('configmap "absent" not found');
    expect(refusal({ secret: { secretName: 'absent' } })).toBe('secret "absent" not found');
    expect(refusal({ configMap: { name: 'settings', items: [{ key: 'nope', path: 'x' }] } })).toBe(
      'configmap references non-existent config key: nope',
    );
    expect(refusal({ secret: { secretName: 'creds', items: [{ key: 'nope', path: 'x' }] } })).toBe(
      'references non-existent secret key: nope',
    );
    expect(refusal({ hostPath: { path: '/data' } })).toBe(
      'hostPath volumes are not made by fake-apiserver run (it makes configMap, secret, downwardAPI, projected, emptyDir)',
    );
  });

  it('projects a token, ConfigMap keys and the downward API together', () => {
    tokensAsked.length = 0;
    expect(
      files({
        projected: {
          defaultMode: 0o640,
          sources: [
            { serviceAccountToken: { path: 'vault-token', audience: 'vault', expirationSeconds: 7200 } },
            { serviceAccountToken: { path: 'token' } },
            { configMap: { name: 'settings', items: [{ key: 'mode', path: 'mode' }] } },
            { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
            {
              downwardAPI: {
                items: [
                  {
                    path: 'cpu',
                    resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' },
                  },
                ],
              },
            },
          ],
        },
      }),
    ).toEqual({
      'vault-token': ['token-for-vault', '640'],
      token: ['token-for-api', '640'],
      mode: ['blue', '640'],
      labels: ['app="web"', '640'],
      cpu: ['500', '640'],
    });
    expect(tokensAsked).toEqual([
      { path: 'vault-token', audience: 'vault', expirationSeconds: 7200 },
      { path: 'token', audience: '', expirationSeconds: 3600 },
    ]);
  });

  it('is nothing to write for an emptyDir, and names what it reads', () => {
    expect(volumePayload({ name: 'scratch', emptyDir: {} }, sources)).toBeUndefined();
    expect(
      volumeReferences({
        name: 'v',
        projected: {
          sources: [{ configMap: { name: 'a' } }, { secret: { name: 'b' } }, { serviceAccountToken: {} }],
        },
      }),
    ).toEqual({ configMaps: ['a'], secrets: ['b'] });
  });
});
