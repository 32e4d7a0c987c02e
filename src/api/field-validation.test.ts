/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach into loosely typed object trees */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { controllerRevisionKind, deploymentKind } from '../registry/apps-kinds.js';
import { configMapKind, podKind } from '../registry/built-in-kinds.js';
import { serviceKind } from '../registry/kinds/core-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import {
  enforceOnDecodedObject,
  enforceOnPatchedObject,
  fieldValidationDirective,
  pruneUnknownBuiltInFields,
  refuseUnknownAppliedFields,
} from './field-validation.js';
import { goPrint } from './patch-invalid.js';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'any.key/x': 'y' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '500m', memory: '1Gi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
          },
        ],
      },
    },
  },
});

function thrown(fn: () => void): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('pruneUnknownBuiltInFields', () => {
  it('keeps every declared field: inlined structs, maps, IntOrString, Quantity, metadata', () => {
    const obj = deployment();
    expect(pruneUnknownBuiltInFields(deploymentKind, obj)).toEqual([]);
    expect(obj).toEqual(deployment());
  });

  it('reports and drops unknown fields with paths through lists, in document order', () => {
    const obj = deployment() as KubeObject & { spec: any };
    obj.spec.template.spec.containers[0].imagee = 'typo';
    obj.spec.template.spec.containers.push({ name: 'b', image: 'x', env: [{ name: 'B', vaule: '1' }] });
    obj.spec.foo = 1;
    (obj.metadata as Record<string, unknown>).labelz = { a: 'b' };
    obj['extra'] = true;
    obj.spec.template.spec.containers[0].readinessProbe.httpGet.hostt = 'h';
    expect(pruneUnknownBuiltInFields(deploymentKind, obj)).toEqual([
      'metadata.labelz',
      'spec.template.spec.containers[0].readinessProbe.httpGet.hostt',
      'spec.template.spec.containers[0].imagee',
      'spec.template.spec.containers[1].env[0].vaule',
      'spec.foo',
      'extra',
    ]);
    const expected = deployment() as KubeObject & { spec: any };
    expected.spec.template.spec.containers.push({ name: 'b', image: 'x', env: [{ name: 'B' }] });
    expect(obj).toEqual(expected);
  });

  it('accepts the fields of an inlined struct at the parent level (LocalObjectReference, ProbeHandler)', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'c',
            envFrom: [{ configMapRef: { name: 'cm', optional: true } }],
            livenessProbe: { exec: { command: ['true'] } },
          },
        ],
      },
    };
    expect(pruneUnknownBuiltInFields(podKind, pod)).toEqual([]);
    (pod.spec as any).containers[0].envFrom[0].configMapRef.localObjectReference = { name: 'x' };
    expect(pruneUnknownBuiltInFields(podKind, pod)).toEqual([
      'spec.containers[0].envFrom[0].configMapRef.localObjectReference',
    ]);
  });

  it('never looks inside a RawExtension', () => {
    const revision: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'r' },
      revision: 1,
      data: { anything: { goes: [1, { here: true }] } },
    };
    expect(pruneUnknownBuiltInFields(controllerRevisionKind, revision)).toEqual([]);
    expect(revision['data']).toEqual({ anything: { goes: [1, { here: true }] } });
  });

  it('leaves custom resources to their structural schema', () => {
    const crdKind = { ...configMapKind, origin: 'crd' } as ResourceKind;
    expect(pruneUnknownBuiltInFields(crdKind, { apiVersion: 'v1', kind: 'ConfigMap', foo: 1 })).toEqual([]);
  });
});

describe('fieldValidationDirective', () => {
  it('defaults to Warn and accepts the three directives', () => {
    expect(fieldValidationDirective(new URLSearchParams(''), 'CreateOptions')).toBe('Warn');
    expect(fieldValidationDirective(new URLSearchParams('fieldValidation='), 'CreateOptions')).toBe('Warn');
    for (const value of ['Ignore', 'Warn', 'Strict'])
      expect(fieldValidationDirective(new URLSearchParams(`fieldValidation=${value}`), 'PatchOptions')).toBe(
        value,
      );
  });

  it('refuses another value as ValidateFieldValidation does', () => {
    const error = thrown(() =>
      fieldValidationDirective(new URLSearchParams('fieldValidation=strict'), 'UpdateOptions'),
    );
    expect(error.code).toBe(422);
    expect(error.message).toBe(
      'UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });
});

describe('enforcing a directive', () => {
  it('Strict on a decoded object: the 400 of transformDecodeError', () => {
    const obj = deployment() as KubeObject & { spec: any };
    obj.spec.template.spec.containers[0].imagee = 'x';
    obj.spec.bar = 1;
    const error = thrown(() => enforceOnDecodedObject(deploymentKind, obj, 'Strict'));
    expect(error.code).toBe(400);
    expect(error.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.bar"',
    );
  });

  it('Ignore and Warn drop the fields and do not throw', () => {
    for (const directive of ['Ignore', 'Warn'] as const) {
      const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, dataa: {} };
      enforceOnDecodedObject(configMapKind, obj, directive);
      expect(obj).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    }
  });

  it('Strict on a strategic merge patch: 422 with the patch printed as a Go map', () => {
    const patch = { spec: { template: { spec: { volumez: [{ name: 'v' }] } }, replicas: 2 } };
    const patched = deployment() as KubeObject & { spec: any };
    patched.spec.template.spec.volumez = [{ name: 'v' }];
    const error = thrown(() =>
      enforceOnPatchedObject(
        deploymentKind,
        patched,
        'Strict',
        'application/strategic-merge-patch+json',
        Buffer.from(JSON.stringify(patch)),
      ),
    );
    expect(error.code).toBe(422);
    expect(error.message).toBe(
      ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:2 template:map[spec:map[volumez:[map[name:v]]]]]]": strict decoding error: unknown field "spec.template.spec.volumez"',
    );
    expect(error.toStatus().details).toEqual({
      causes: [
        {
          reason: 'FieldValueInvalid',
          field: 'patch',
          message:
            'Invalid value: "map[spec:map[replicas:2 template:map[spec:map[volumez:[map[name:v]]]]]]": strict decoding error: unknown field "spec.template.spec.volumez"',
        },
      ],
    });
  });

  it('goPrint prints nil, lists and sorted maps', () => {
    expect(goPrint({ b: null, a: [1, 'x', true] })).toBe('map[a:[1 x true] b:<nil>]');
  });
});

describe('refuseUnknownAppliedFields', () => {
  it('names associative list items by key, as structured-merge-diff does', () => {
    const config = deployment() as KubeObject & { spec: any };
    config.metadata!.namespace = 'default';
    config.spec.template.spec.containers[0].imagee = 'x';
    const error = thrown(() => refuseUnknownAppliedFields(deploymentKind, config));
    expect(error.code).toBe(500);
    expect(error.message).toBe(
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].imagee: field not declared in schema',
    );
    expect(config.spec.template.spec.containers[0].imagee).toBe('x');
  });

  it('lists several errors on lines of their own', () => {
    const config: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { portz: [], ports: [{ port: 80, nme: 'http' }] },
    };
    const error = thrown(() => refuseUnknownAppliedFields(serviceKind, config));
    expect(error.message).toBe(
      'failed to create typed patch object (/s; /v1, Kind=Service): errors:\n  .spec.portz: field not declared in schema\n  .spec.ports[port=80,protocol="TCP"].nme: field not declared in schema',
    );
  });
});
