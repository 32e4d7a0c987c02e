import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoType } from '../../src/decode/go-type.js';
import { FIELD_INLINE } from '../../src/decode/go-type.js';
import { GO_TYPES } from '../../src/decode/go-types.generated.js';
import { startFakeApiServer, type StartedFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { send, type TestRequest, type TestResponse } from '../support/https-client.js';

/**
 * A typed fuzz over every built-in kind the server creates and every request kind: each run takes a kind's Go
 * type (the generated table), walks a random path of fields, list items and map values into it, and puts a
 * value of the wrong JSON type at its end. kube-apiserver refuses every such body while decoding it; so must
 * this server: the 400 its create handler answers (the request kinds' own), never a 2xx, never a 5xx.
 */

const SEED = Number(process.env.TYPED_FUZZ_SEED ?? 1406);
const RUNS = Number(process.env.TYPED_FUZZ_RUNS ?? 1000);

type Json = Record<string, unknown>;

/** A value of the wrong JSON type for a Go type; none where every JSON value decodes (raw JSON, unions). */
function wrongValueFor([kind, name]: GoType): unknown {
  switch (kind) {
    case 'string':
      return 7;
    case 'bool':
      return 'yes';
    case 'float32':
    case 'float64':
      return 'x';
    case 'struct':
      return 'x';
    case 'slice':
      return { a: 1 };
    case 'map':
      return ['x'];
    case 'bytes':
      return 5;
    case 'ptr':
    case 'any':
      return undefined;
    case 'custom':
      return (
        {
          'v1.Time': 5,
          'v1.MicroTime': true,
          'resource.Quantity': true,
          'intstr.IntOrString': {},
          'v1.JSONSchemaPropsOrBool': 5,
        } as Record<string, unknown>
      )[name];
    default:
      return kind.startsWith('int') || kind.startsWith('uint') ? 'x' : undefined;
  }
}

/** A struct's JSON fields, those of inline structs promoted (TypeMeta's left out: it is checked first). */
function fieldsOf(id: number): [string, number][] {
  const type = GO_TYPES.types[id]!;
  if (type[0] !== 'struct') return [];
  return type[2].flatMap(([json, fieldType, flags]) =>
    flags & FIELD_INLINE
      ? fieldsOf(fieldType)
      : json === 'apiVersion' || json === 'kind'
        ? []
        : [[json, fieldType]],
  );
}

/** A value of type `id` holding one wrongly typed value at the end of the path `choices` picks. */
function wrongly(id: number, choices: readonly number[], depth = 0): unknown {
  const type = GO_TYPES.types[id]!;
  const choice = choices[depth % choices.length]!;
  if (type[0] === 'ptr') return wrongly(type[2], choices, depth);
  const here = wrongValueFor(type);
  if (here !== undefined && depth > 0 && (choice % 4 === 0 || depth >= 10)) return here;
  switch (type[0]) {
    case 'struct': {
      const fields = fieldsOf(id);
      if (fields.length === 0) return here;
      // The first field from the chosen one on that can hold a wrong value (raw JSON fields cannot).
      for (let i = 0; i < fields.length; i++) {
        const [json, fieldType] = fields[(choice + i) % fields.length]!;
        const inner = wrongly(fieldType, choices, depth + 1);
        if (inner !== undefined) return { [json]: inner };
      }
      return here;
    }
    case 'slice': {
      const inner = wrongly(type[2], choices, depth + 1);
      return inner === undefined ? here : [inner];
    }
    case 'map': {
      const inner = wrongly(type[2], choices, depth + 1);
      return inner === undefined ? here : { key: inner };
    }
    default:
      return here;
  }
}

interface Target {
  kind: string;
  apiVersion: string;
  request: (body: Json) => TestRequest;
}

describe('a typed fuzz over every built-in kind and request kind', () => {
  let server: StartedFakeApiServer;
  let asAdmin: (req: TestRequest) => Promise<TestResponse>;
  const targets: Target[] = [];

  beforeAll(async () => {
    server = await startFakeApiServer({ log: () => {} });
    const admin = adminCredentials(server.kubeconfig);
    asAdmin = (req) => send(server.url, server.caCert, { client: admin, ...req });
    await server.apply(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n' +
        'spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}\n',
    );
    // Every creatable resource discovery lists, by the kind of its objects.
    const groupVersions = [
      'v1',
      ...(
        (await asAdmin({ path: '/apis' })).json().groups as {
          preferredVersion: unknown;
          versions: { groupVersion: string }[];
        }[]
      ).flatMap((g) => g.versions.map((v) => v.groupVersion)),
    ];
    for (const gv of groupVersions) {
      const base = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
      const list = (await asAdmin({ path: base })).json() as {
        resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
      };
      for (const resource of list.resources) {
        if (resource.name.includes('/') || !resource.verbs.includes('create')) continue;
        if (GO_TYPES.roots[`${gv} ${resource.kind}`] === undefined) continue;
        const path = resource.namespaced
          ? `${base}/namespaces/default/${resource.name}`
          : `${base}/${resource.name}`;
        targets.push({
          kind: resource.kind,
          apiVersion: gv,
          request: (body) => ({ method: 'POST', path, body }),
        });
      }
    }
    targets.push(
      {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        request: (body) => ({
          method: 'POST',
          path: '/api/v1/namespaces/default/serviceaccounts/default/token',
          body,
        }),
      },
      {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        request: (body) => ({
          method: 'PUT',
          path: '/apis/apps/v1/namespaces/default/deployments/web/scale',
          body,
        }),
      },
    );
  });
  afterAll(() => server?.close());

  it('found the kinds to fuzz', () => {
    const kinds = new Set(targets.map((t) => `${t.apiVersion} ${t.kind}`));
    for (const expected of [
      'v1 ConfigMap',
      'v1 Pod',
      'apps/v1 Deployment',
      'rbac.authorization.k8s.io/v1 Role',
      'rbac.authorization.k8s.io/v1 RoleBinding',
      'apiextensions.k8s.io/v1 CustomResourceDefinition',
      'authorization.k8s.io/v1 SelfSubjectAccessReview',
      'authentication.k8s.io/v1 TokenReview',
      'authentication.k8s.io/v1 TokenRequest',
      'autoscaling/v1 Scale',
      'coordination.k8s.io/v1 Lease',
    ]) {
      expect(kinds).toContain(expected);
    }
    expect(kinds.size).toBeGreaterThan(40);
  });

  it(`refuses every wrongly typed body with the decoder's 400 (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.nat({ max: 1000 }), { minLength: 12, maxLength: 12 }),
        async (pick, choices) => {
          const target = targets[pick % targets.length]!;
          const root = GO_TYPES.roots[`${target.apiVersion} ${target.kind}`]!;
          const wrong = wrongly(root, choices) as Json;
          const body = { apiVersion: target.apiVersion, kind: target.kind, ...wrong };
          const response = await asAdmin(target.request(body));
          const version = target.apiVersion.split('/').pop();
          if (response.status !== 400) {
            throw new Error(
              `${response.status} for ${JSON.stringify(target.request(body))}: ${response.text}`,
            );
          }
          expect(response.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
          expect(response.json().message).toMatch(
            new RegExp(`^${target.kind} in version "${version}" cannot be handled as a ${target.kind}: `),
          );
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
