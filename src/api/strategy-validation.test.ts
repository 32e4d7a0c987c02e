import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { configMapKind, podKind, secretKind } from '../registry/built-in-kinds.js';
import { jobKind } from '../registry/kinds/batch-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { validateCreate, validateUpdate } from './kind-definition.js';
import { configMapKeyErrors } from './strategy-validation.js';

function failure(run: () => void): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a 422');
}

const pod = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec,
});

describe('pod validation', () => {
  it('requires a container, valid unique container names and images', () => {
    expect(failure(() => validateCreate(podKind, pod({}))).message).toBe(
      'Pod "web" is invalid: spec.containers: Required value',
    );
    const error = failure(() =>
      validateCreate(
        podKind,
        pod({ containers: [{ name: 'Web', image: 'nginx' }, { name: 'a' }, { name: 'a', image: 'x' }] }),
      ),
    );
    expect(error.details?.causes?.map((c) => c.field)).toEqual([
      'spec.containers[0].name',
      'spec.containers[1].image',
      'spec.containers[2].name',
    ]);
    expect(error.details?.causes?.[0]?.message).toMatch(/^Invalid value: "Web": a lowercase RFC 1123 label/);
    expect(error.details?.causes?.[2]).toEqual({
      reason: 'FieldValueDuplicate',
      message: 'Duplicate value: "a"',
      field: 'spec.containers[2].name',
    });
  });

  it('lets an update change images but not the rest of the spec', () => {
    const stored = pod({ containers: [{ name: 'web', image: 'nginx:1' }] });
    podKind.defaultOnCreate!(stored);
    expect(() =>
      validateUpdate(podKind, pod({ containers: [{ name: 'web', image: 'nginx:2' }] }), stored),
    ).not.toThrow();
    const error = failure(() =>
      validateUpdate(
        podKind,
        pod({ containers: [{ name: 'web', image: 'nginx:1' }], nodeName: 'n1' }),
        stored,
      ),
    );
    expect(error.details?.causes?.[0]?.field).toBe('spec');
    expect(error.message).toContain(
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    );
    expect(error.message).toContain('+ nodeName: "n1"');
    expect(
      failure(() =>
        validateUpdate(
          podKind,
          pod({
            containers: [
              { name: 'web', image: 'a' },
              { name: 'b', image: 'b' },
            ],
          }),
          stored,
        ),
      ).message,
    ).toBe('Pod "web" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers');
  });
});

describe('config maps and secrets', () => {
  it('refuses keys that are not config keys', () => {
    expect(configMapKeyErrors('ok.key_1')).toEqual([]);
    const error = failure(() =>
      validateCreate(configMapKind, { metadata: { name: 'c' }, data: { 'bad key': 'x' } }),
    );
    expect(error.message).toBe(
      `ConfigMap "c" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
  });

  it('keeps an immutable secret or config map as it is', () => {
    const stored = { metadata: { name: 's' }, immutable: true, data: { a: 'YQ==' } };
    expect(() => validateUpdate(secretKind, structuredClone(stored), stored)).not.toThrow();
    expect(
      failure(() => validateUpdate(secretKind, { ...stored, data: { a: 'Yg==' } }, stored)).message,
    ).toBe('Secret "s" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    expect(
      failure(() =>
        validateUpdate(configMapKind, { metadata: { name: 's' }, immutable: false }, { ...stored, data: {} }),
      ).message,
    ).toBe('ConfigMap "s" is invalid: immutable: Forbidden: field is immutable when `immutable` is set');
  });
});

describe('jobs', () => {
  it('keeps the selector and template immutable', () => {
    const stored = {
      metadata: { name: 'j' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: {} } },
    };
    const next = structuredClone(stored) as typeof stored & { spec: { template: Record<string, unknown> } };
    next.spec.template = { spec: { restartPolicy: 'Never' } };
    const error = failure(() => validateUpdate(jobKind, next, stored));
    expect(error.message).toBe(
      'Job.batch "j" is invalid: spec.template: Invalid value: {"spec":{"restartPolicy":"Never"}}: field is immutable',
    );
  });
});
