import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch, type PatchSchema } from '../strategic-merge-patch.js';
import { goPatchSchema } from './go-patch-schema.js';

/** The schema of a kind by `group/version/Kind` (`v1/Pod`), read from its Go struct tags. */
function schemaOf(key: string): PatchSchema {
  const slash = key.lastIndexOf('/');
  return goPatchSchema(key.slice(0, slash), key.slice(slash + 1))!;
}

describe('kind patch schemas', () => {
  it('merges service ports by port', () => {
    const service = {
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
    };
    const patched = applyStrategicMergePatch(
      service,
      { spec: { ports: [{ port: 443, targetPort: 8443 }] } },
      schemaOf('v1/Service'),
    );
    expect(patched).toEqual({
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https', targetPort: 8443 },
        ],
      },
    });
  });

  it('merges the containers of job, cronjob and replication controller templates by name', () => {
    const template = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
    };
    const patch = { template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } };
    const expected = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:2' },
        ],
      },
    };
    for (const kind of ['batch/v1/Job', 'v1/ReplicationController']) {
      expect(applyStrategicMergePatch({ spec: { template } }, { spec: patch }, schemaOf(kind))).toEqual({
        spec: { template: expected },
      });
    }
    const cronJob = { spec: { jobTemplate: { spec: { template } } } };
    expect(
      applyStrategicMergePatch(
        cronJob,
        { spec: { jobTemplate: { spec: patch } } },
        schemaOf('batch/v1/CronJob'),
      ),
    ).toEqual({
      spec: { jobTemplate: { spec: { template: expected } } },
    });
  });

  it('merges node addresses and conditions by type', () => {
    const node = {
      status: {
        addresses: [{ type: 'InternalIP', address: '1' }],
        conditions: [{ type: 'Ready', status: 'False' }],
      },
    };
    const patch = {
      status: {
        addresses: [{ type: 'Hostname', address: 'n' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    expect(applyStrategicMergePatch(node, patch, schemaOf('v1/Node'))).toEqual({
      // Items only in the patch come first, in the order the SMP port merges lists.
      status: {
        addresses: [
          { type: 'Hostname', address: 'n' },
          { type: 'InternalIP', address: '1' },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  });

  it('gives every kind the ObjectMeta merge keys', () => {
    for (const key of [
      'v1/Event',
      'networking.k8s.io/v1/Ingress',
      'policy/v1/PodDisruptionBudget',
      'storage.k8s.io/v1/StorageClass',
    ]) {
      expect(schemaOf(key).fields?.metadata?.object?.fields?.finalizers, key).toEqual({
        strategies: ['merge'],
      });
    }
  });
});
