import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/status.js';
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE, PROTOBUF_DECODABLE_KINDS } from './protobuf.js';
import { KUBECTL_PROTOBUF_VECTORS as V } from './protobuf-vectors.js';

type Value = string | number | bigint | boolean | Buffer | Fields | { fixed32: number } | { fixed64: bigint };
type Fields = [number, Value][];

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
}

/** A minimal protobuf encoder, to build bodies kubectl never sends. */
function enc(fields: Fields): Buffer {
  return Buffer.concat(
    fields.map(([no, value]) => {
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
        return Buffer.concat([varint(BigInt(no << 3)), varint(BigInt(value))]);
      }
      if (typeof value === 'object' && 'fixed32' in value) {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(value.fixed32);
        return Buffer.concat([varint(BigInt((no << 3) | 5)), b]);
      }
      if (typeof value === 'object' && 'fixed64' in value) {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(value.fixed64);
        return Buffer.concat([varint(BigInt((no << 3) | 1)), b]);
      }
      const bytes =
        typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : enc(value);
      return Buffer.concat([varint(BigInt((no << 3) | 2)), varint(BigInt(bytes.length)), bytes]);
    }),
  );
}

const MAGIC = Buffer.from('k8s\0', 'latin1');

function envelope(apiVersion: string, kind: string, raw: Fields | Buffer): Buffer {
  return Buffer.concat([
    MAGIC,
    enc([
      [
        1,
        [
          [1, apiVersion],
          [2, kind],
        ],
      ],
      [2, Buffer.isBuffer(raw) ? raw : enc(raw)],
      [3, ''],
      [4, ''],
    ]),
  ]);
}

const decodeHex = (hex: string) => decodeKubernetesProtobuf(Buffer.from(hex, 'hex'));

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

/** JSON `null` and an absent key decode the same way on the JSON path. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

describe('decodeKubernetesProtobuf on bodies captured from kubectl 1.32/1.33', () => {
  it('auth can-i list pods', () => {
    expect(decodeHex(V.canIListPods.hex)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
      status: { allowed: false },
    });
  });

  it('auth can-i get pods/log -n dev (kubectl reads pods/log as resource/name)', () => {
    expect(decodeHex(V.canIGetPodsLogDev.hex)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'dev', verb: 'get', resource: 'pods', name: 'log' } },
      status: { allowed: false },
    });
  });

  it('auth can-i get /healthz', () => {
    expect(decodeHex(V.canIGetHealthz.hex)).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } },
      status: { allowed: false },
    });
  });

  it('auth can-i --list -n default', () => {
    expect(decodeHex(V.canIListAll.hex)).toEqual({
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { namespace: 'default' },
      status: { incomplete: false },
    });
  });

  it('auth whoami', () => {
    expect(decodeHex(V.whoami.hex)).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      status: { userInfo: {} },
    });
  });

  it('create token with duration, audiences and a bound object', () => {
    expect(decodeHex(V.createTokenBound.hex)).toEqual({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      spec: {
        audiences: ['api', 'vault'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'abcd' },
      },
      status: { token: '' },
    });
  });

  it('create token without flags leaves expirationSeconds absent (the pointer is nil)', () => {
    expect(decodeHex(V.createTokenDefault.hex)).toEqual({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      spec: {},
      status: { token: '' },
    });
  });

  it('create configmap', () => {
    expect(decodeHex(V.createConfigMap.hex)).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cm1' },
      data: { a: 'b', c: 'd' },
    });
  });

  it('create configmap --from-file of binary data with --save-config', () => {
    expect(decodeHex(V.createConfigMapBinarySaveConfig.hex)).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: {
        name: 'cm2',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm2","creationTimestamp":null},"binaryData":{"bin.dat":"AAH//mJpbmFyeQ=="}}\n',
        },
      },
      binaryData: { 'bin.dat': 'AAH//mJpbmFyeQ==' },
    });
  });

  it('create secret generic: data bytes become base64', () => {
    expect(decodeHex(V.createSecret.hex)).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's1' },
      data: { k: 'dg==' },
    });
    expect(decodeHex(V.createSecretTyped.hex)).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's2' },
      data: { k: 'dg==' },
      type: 'example.com/x',
    });
  });

  it('create namespace', () => {
    expect(decodeHex(V.createNamespace.hex)).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'ns1' },
      spec: {},
      status: {},
    });
  });

  it('create serviceaccount', () => {
    expect(decodeHex(V.createServiceAccount.hex)).toEqual({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'sa1' },
    });
  });

  it('create role keeps the empty core API group', () => {
    expect(decodeHex(V.createRole.hex)).toEqual({
      kind: 'Role',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'r1' },
      rules: [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'], resourceNames: ['web'] },
      ],
    });
  });

  it('create clusterrole', () => {
    expect(decodeHex(V.createClusterRoleNonResource.hex)).toEqual({
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'cr1' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    });
    expect(decodeHex(V.createClusterRoleAggregation.hex)).toEqual({
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'cr2' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] },
    });
  });

  it('create rolebinding and clusterrolebinding', () => {
    expect(decodeHex(V.createRoleBinding.hex)).toEqual({
      kind: 'RoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'rb1' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
        { kind: 'ServiceAccount', name: 'sa1', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' },
    });
    expect(decodeHex(V.createClusterRoleBinding.hex)).toEqual({
      kind: 'ClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'crb1' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr1' },
    });
  });

  it.each(Object.entries(V))(
    '%s decodes to what kubectl 1.31 sent as JSON for the same command',
    (_name, vector) => {
      expect(decodeHex(vector.hex)).toEqual(withoutNulls(JSON.parse(vector.json131)));
    },
  );

  it('answers a kind it does not map (a CustomResourceDefinition) with 415 UnsupportedMediaType', () => {
    const err = apiError(() =>
      decodeKubernetesProtobuf(
        envelope('apiextensions.k8s.io/v1', 'CustomResourceDefinition', [[1, [[1, 'x']]]]),
      ),
    );
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'fake-apiserver cannot decode application/vnd.kubernetes.protobuf bodies of apiextensions.k8s.io/v1, ' +
        'Kind=CustomResourceDefinition: send this object as JSON (Content-Type: application/json)',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  });
});

describe('decodeKubernetesProtobuf on bodies built here', () => {
  it('exports the media type and the decodable kinds', () => {
    expect(PROTOBUF_CONTENT_TYPE).toBe('application/vnd.kubernetes.protobuf');
    expect(PROTOBUF_DECODABLE_KINDS).toContain('authorization.k8s.io/v1 SubjectAccessReview');
    expect(PROTOBUF_DECODABLE_KINDS).toContain('v1 Secret');
  });

  it('decodes a SubjectAccessReview with user, groups, extra, uid and selectors', () => {
    const body = envelope('authorization.k8s.io/v1', 'SubjectAccessReview', [
      [1, [[1, '']]],
      [
        2,
        [
          [
            1,
            [
              [1, 'dev'],
              [2, 'list'],
              [3, 'apps'],
              [4, 'v1'],
              [5, 'deployments'],
              [6, ''],
              [7, ''],
              [
                8,
                [
                  [1, 'status.phase=Running'],
                  [
                    2,
                    [
                      [1, 'status.phase'],
                      [2, 'In'],
                      [3, 'Running'],
                    ],
                  ],
                ],
              ],
              [9, [[1, 'app=web']]],
            ],
          ],
          [3, 'alice'],
          [4, 'devs'],
          [4, 'system:authenticated'],
          [
            5,
            [
              [1, 'scopes'],
              [
                2,
                [
                  [1, 'a'],
                  [1, 'b'],
                ],
              ],
            ],
          ],
          [5, [[1, 'empty']]],
          [6, 'uid-1'],
        ],
      ],
      [
        3,
        [
          [1, true],
          [4, false],
          [2, 'RBAC: allowed'],
          [3, ''],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: {
        resourceAttributes: {
          namespace: 'dev',
          verb: 'list',
          group: 'apps',
          version: 'v1',
          resource: 'deployments',
          fieldSelector: {
            rawSelector: 'status.phase=Running',
            requirements: [{ key: 'status.phase', operator: 'In', values: ['Running'] }],
          },
          labelSelector: { rawSelector: 'app=web' },
        },
        user: 'alice',
        groups: ['devs', 'system:authenticated'],
        extra: { empty: [], scopes: ['a', 'b'] },
        uid: 'uid-1',
      },
      status: { allowed: true, reason: 'RBAC: allowed' },
    });
  });

  it('decodes a LocalSubjectAccessReview and keeps a true denied', () => {
    const body = envelope('authorization.k8s.io/v1', 'LocalSubjectAccessReview', [
      [1, [[3, 'dev']]],
      [
        2,
        [
          [
            1,
            [
              [1, 'dev'],
              [2, 'get'],
              [5, 'pods'],
              [6, 'log'],
            ],
          ],
          [3, 'bob'],
        ],
      ],
      [
        3,
        [
          [1, false],
          [4, true],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'LocalSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { namespace: 'dev' },
      spec: {
        resourceAttributes: { namespace: 'dev', verb: 'get', resource: 'pods', subresource: 'log' },
        user: 'bob',
      },
      status: { allowed: false, denied: true },
    });
  });

  it('decodes a TokenReview; false authenticated is omitted as encoding/json would', () => {
    const body = envelope('authentication.k8s.io/v1', 'TokenReview', [
      [1, []],
      [
        2,
        [
          [1, 'eyJhbGciOi.x.y'],
          [2, 'api'],
        ],
      ],
      [
        3,
        [
          [1, false],
          [2, [[1, '']]],
          [3, ''],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      spec: { token: 'eyJhbGciOi.x.y', audiences: ['api'] },
      status: { user: {} },
    });
  });

  it('decodes a SelfSubjectReview status with user info', () => {
    const body = envelope('authentication.k8s.io/v1', 'SelfSubjectReview', [
      [
        2,
        [
          [
            1,
            [
              [1, 'system:serviceaccount:default:sa1'],
              [2, 'u-1'],
              [3, 'system:serviceaccounts'],
              [
                4,
                [
                  [1, 'authentication.kubernetes.io/pod-name'],
                  [2, [[1, 'web']]],
                ],
              ],
            ],
          ],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      status: {
        userInfo: {
          username: 'system:serviceaccount:default:sa1',
          uid: 'u-1',
          groups: ['system:serviceaccounts'],
          extra: { 'authentication.kubernetes.io/pod-name': ['web'] },
        },
      },
    });
  });

  it('decodes every ObjectMeta field it maps', () => {
    const body = envelope('v1', 'ConfigMap', [
      [
        1,
        [
          [1, ''],
          [2, 'cm-'],
          [3, 'default'],
          [4, ''],
          [5, '6f1c1b8e-0000-4000-8000-000000000001'],
          [6, '42'],
          [7, 3],
          [8, [[1, 1704067200]]],
          [9, [[1, 1704067260]]],
          [10, 30],
          [
            11,
            [
              [1, 'b'],
              [2, '2'],
            ],
          ],
          [
            11,
            [
              [1, 'a'],
              [2, '1'],
            ],
          ],
          [
            12,
            [
              [1, 'note'],
              [2, ''],
            ],
          ],
          [
            13,
            [
              [1, 'ReplicaSet'],
              [3, 'web-abc'],
              [4, 'owner-uid'],
              [5, 'apps/v1'],
              [6, true],
              [7, false],
            ],
          ],
          [14, 'example.com/cleanup'],
          [
            17,
            [
              [1, 'kubectl-create'],
              [2, 'Update'],
              [3, 'v1'],
              [4, [[1, 1704067200]]],
              [6, 'FieldsV1'],
              [7, [[1, '{"f:data":{".":{},"f:a":{}}}']]],
              [8, ''],
            ],
          ],
        ],
      ],
      [4, true],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: {
        generateName: 'cm-',
        namespace: 'default',
        uid: '6f1c1b8e-0000-4000-8000-000000000001',
        resourceVersion: '42',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        deletionTimestamp: '2024-01-01T00:01:00Z',
        deletionGracePeriodSeconds: 30,
        labels: { a: '1', b: '2' },
        annotations: { note: '' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-abc',
            uid: 'owner-uid',
            controller: true,
            blockOwnerDeletion: false,
          },
        ],
        finalizers: ['example.com/cleanup'],
        managedFields: [
          {
            manager: 'kubectl-create',
            operation: 'Update',
            apiVersion: 'v1',
            time: '2024-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
          },
        ],
      },
      immutable: true,
    });
  });

  it('drops the nanoseconds of a Time and keeps the Unix epoch apart from the zero time', () => {
    const meta = (time: Fields) => envelope('v1', 'Namespace', [[1, [[8, time]]]]);
    expect(
      decodeKubernetesProtobuf(
        meta([
          [1, 1704067200],
          [2, 999_000_000],
        ]),
      ).metadata,
    ).toEqual({
      creationTimestamp: '2024-01-01T00:00:00Z',
    });
    expect(decodeKubernetesProtobuf(meta([[1, 0]])).metadata).toEqual({
      creationTimestamp: '1970-01-01T00:00:00Z',
    });
    expect(decodeKubernetesProtobuf(meta([])).metadata).toEqual({});
  });

  it('decodes a Secret with stringData and immutable false, and binary data as base64', () => {
    const body = envelope('v1', 'Secret', [
      [1, [[1, 's']]],
      [5, false],
      [
        2,
        [
          [1, 'bin'],
          [2, Buffer.from([0, 1, 0xff])],
        ],
      ],
      [
        2,
        [
          [1, 'empty'],
          [2, Buffer.alloc(0)],
        ],
      ],
      [
        4,
        [
          [1, 'plain'],
          [2, 'text'],
        ],
      ],
      [3, 'Opaque'],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's' },
      immutable: false,
      data: { bin: 'AAH/', empty: '' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
  });

  it('decodes a Namespace status and a ServiceAccount with secrets', () => {
    const ns = envelope('v1', 'Namespace', [
      [1, [[1, 'x']]],
      [2, [[1, 'kubernetes']]],
      [
        3,
        [
          [1, 'Terminating'],
          [
            2,
            [
              [1, 'NamespaceDeletionContentFailure'],
              [2, 'False'],
              [4, [[1, 1704067200]]],
              [5, 'ContentDeleted'],
              [6, ''],
            ],
          ],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(ns)).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'x' },
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Terminating',
        conditions: [
          {
            type: 'NamespaceDeletionContentFailure',
            status: 'False',
            lastTransitionTime: '2024-01-01T00:00:00Z',
            reason: 'ContentDeleted',
          },
        ],
      },
    });
    const sa = envelope('v1', 'ServiceAccount', [
      [1, [[1, 'sa']]],
      [
        2,
        [
          [1, ''],
          [3, 'sa-token'],
          [7, ''],
        ],
      ],
      [3, [[1, 'regcred']]],
      [4, false],
    ]);
    expect(decodeKubernetesProtobuf(sa)).toEqual({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'sa' },
      secrets: [{ name: 'sa-token' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: false,
    });
  });

  it('decodes TokenRequest attestations', () => {
    const body = envelope('authentication.k8s.io/v1', 'TokenRequest', [
      [
        2,
        [
          [
            5,
            [
              [1, 'example.com/tpm'],
              [2, [[1, 'quote']]],
            ],
          ],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body).spec).toEqual({ attestations: { 'example.com/tpm': ['quote'] } });
  });

  it('skips unknown fields of every wire type, groups included', () => {
    const group = Buffer.concat([
      varint(BigInt((40 << 3) | 3)),
      enc([[1, 'x']]),
      varint(BigInt((40 << 3) | 4)),
    ]);
    const raw = Buffer.concat([
      enc([
        [1, [[1, 'cm']]],
        [99, 'future'],
        [98, 7],
        [97, { fixed32: 1 }],
        [96, { fixed64: 2n }],
      ]),
      group,
      enc([
        [
          2,
          [
            [1, 'k'],
            [2, 'v'],
            [3, 'ignored'],
          ],
        ],
      ]),
    ]);
    expect(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw))).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cm' },
      data: { k: 'v' },
    });
  });

  it('merges repeated occurrences of an embedded message, and the last scalar wins', () => {
    const body = envelope('v1', 'ConfigMap', [
      [1, [[1, 'first']]],
      [1, [[3, 'ns']]],
      [1, [[1, 'second']]],
    ]);
    expect(decodeKubernetesProtobuf(body).metadata).toEqual({ name: 'second', namespace: 'ns' });
  });
});

describe('decodeKubernetesProtobuf errors', () => {
  const cases: [string, Buffer, string][] = [
    ['an empty body', Buffer.alloc(0), 'empty data'],
    [
      'a JSON body',
      Buffer.from('{"kind":"ConfigMap"}'),
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    ],
    ['the magic alone', MAGIC, 'empty body'],
    ['a truncated envelope', Buffer.from(V.canIListPods.hex, 'hex').subarray(0, 30), 'unexpected EOF'],
    [
      'field number 0',
      Buffer.concat([MAGIC, Buffer.from([0x02, 0x00])]),
      'proto: Unknown: illegal tag 0 (wire type 2)',
    ],
    [
      'an end group',
      Buffer.concat([MAGIC, Buffer.from([0x0c])]),
      'proto: Unknown: wiretype end group for non-group',
    ],
    [
      'a varint typeMeta',
      Buffer.concat([MAGIC, Buffer.from([0x08, 0x01])]),
      'proto: wrong wireType = 0 for field TypeMeta',
    ],
    [
      'an overlong varint',
      Buffer.concat([MAGIC, Buffer.from([0x0a, ...new Array<number>(10).fill(0xff), 0x01])]),
      'proto: integer overflow',
    ],
    [
      'a negative length',
      Buffer.concat([MAGIC, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]),
      'proto: negative length found during unmarshaling',
    ],
    [
      'no kind',
      Buffer.concat([MAGIC, enc([[1, [[1, 'v1']]]])]),
      `Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}'`,
    ],
    [
      'no apiVersion',
      Buffer.concat([MAGIC, enc([[1, [[2, 'ConfigMap']]]])]),
      `Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:"ConfigMap"}'`,
    ],
    [
      'a wrong wire type inside the object',
      envelope('v1', 'ConfigMap', [[1, [[1, 5]]]]),
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field Name',
    ],
    [
      'an illegal wire type on a mapped field',
      envelope('v1', 'ConfigMap', Buffer.from([0x0e])),
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 6 for field ObjectMeta',
    ],
    [
      'an illegal wire type on an unmapped field',
      envelope('v1', 'ConfigMap', Buffer.from([0x7e])),
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: illegal wireType 6',
    ],
    [
      'a truncated object',
      envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', Buffer.from([0x12, 0x05, 0x0a])),
      'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: unexpected EOF',
    ],
  ];

  it.each(cases)('answers %s with 400 BadRequest', (_what, body, message) => {
    const err = apiError(() => decodeKubernetesProtobuf(body));
    expect({ code: err.code, reason: err.reason, message: err.message }).toEqual({
      code: 400,
      reason: 'BadRequest',
      message,
    });
  });

  it('decodes DeleteOptions in the group version of any served kind, as controller-runtime sends them', () => {
    // gracePeriodSeconds 0, preconditions {uid}, propagationPolicy Foreground, dryRun [All]
    const body = envelope('rbac.authorization.k8s.io/v1', 'DeleteOptions', [
      [1, 0n],
      [2, [[1, 'b7f4c1d2']]],
      [4, 'Foreground'],
      [5, 'All'],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'b7f4c1d2' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
    expect(PROTOBUF_DECODABLE_KINDS).toEqual(
      expect.arrayContaining([
        'v1 DeleteOptions',
        'apps/v1 DeleteOptions',
        'coordination.k8s.io/v1 DeleteOptions',
      ]),
    );
  });

  it('answers a well-formed body of an unmapped kind with 415', () => {
    const err = apiError(() =>
      decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', [[1, [[1, 'w']]]])),
    );
    expect(err.code).toBe(415);
    expect(err.reason).toBe('UnsupportedMediaType');
    expect(err.message).toBe(
      'fake-apiserver cannot decode application/vnd.kubernetes.protobuf bodies of example.com/v1, Kind=Widget: ' +
        'send this object as JSON (Content-Type: application/json)',
    );
  });
});

describe('coordination.k8s.io/v1 Lease', () => {
  const leaseSpec = (spec: Fields) =>
    decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', [[2, spec]]));

  it('decodes MicroTime as MicroTime.Unmarshal does: truncated to microseconds, before the epoch too', () => {
    expect(
      leaseSpec([
        [
          3,
          [
            [1, -1n],
            [2, 500_000_999],
          ],
        ],
        [
          4,
          [
            [1, 1735787045],
            [2, 999],
          ],
        ],
        [5, -1n],
      ]),
    ).toEqual({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: {},
      spec: {
        acquireTime: '1969-12-31T23:59:59.500000Z',
        renewTime: '2025-01-02T03:04:05.000000Z',
        leaseTransitions: -1,
      },
    });
  });

  it('drops an empty MicroTime (the zero time marshals as null) and rejects a wrong wire type', () => {
    expect(leaseSpec([[4, Buffer.alloc(0)]]).spec).toEqual({});
    const err = apiError(() => leaseSpec([[4, [[2, 'x']]]]));
    expect(err.message).toBe(
      'Lease in version "v1" cannot be handled as a Lease: proto: wrong wireType = 2 for field Nanos',
    );
  });
});
