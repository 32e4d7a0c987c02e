import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { send } from './support/https-client.js';

const MANIFEST = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: default }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: postgres:16 }] }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: scaler, namespace: default }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: sts-reader, namespace: default }
rules:
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: scaler, namespace: default }
subjects: [{ kind: ServiceAccount, name: scaler, namespace: default }]
roleRef: { kind: Role, name: sts-reader, apiGroup: rbac.authorization.k8s.io }
`;

const SCALE_PATH = '/apis/apps/v1/namespaces/default/statefulsets/db/scale';

describe('the scale subresource over HTTPS', () => {
  let server: StartedFakeApiServer;
  let token: string;
  const as = (req: Parameters<typeof send>[2]) => send(server.url, server.caCert, { token, ...req });

  beforeAll(async () => {
    server = await startFakeApiServer({});
    await server.apply(MANIFEST);
    token = server.issueToken('default/scaler');
  });
  afterAll(() => server?.close());

  it('is authorized as statefulsets/scale, apart from statefulsets', async () => {
    const denied = await as({ path: SCALE_PATH });
    expect(denied.status).toBe(403);
    expect(denied.json().message).toBe(
      'statefulsets.apps "db" is forbidden: User "system:serviceaccount:default:scaler" cannot get resource ' +
        '"statefulsets/scale" in API group "apps" in the namespace "default"',
    );
    await server.apply(
      MANIFEST.replace('resources: [statefulsets]', 'resources: [statefulsets, statefulsets/scale]'),
    );
    const allowed = await as({ path: SCALE_PATH });
    expect(allowed.status).toBe(200);
    expect(allowed.json()).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 1 },
      status: { selector: 'app=db' },
    });
  });

  it('takes a strategic merge patch and a JSON patch, keeping the rest of the parent', async () => {
    const before = server.get({ kind: 'StatefulSet', namespace: 'default', name: 'db' }) as Record<
      string,
      any
    >;
    const smp = await as({
      method: 'PATCH',
      path: SCALE_PATH,
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { replicas: 4 } },
    });
    expect(smp.status).toBe(200);
    expect(smp.json().spec).toEqual({ replicas: 4 });
    const jsonPatch = await as({
      method: 'PATCH',
      path: SCALE_PATH,
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
    });
    expect(jsonPatch.status).toBe(200);
    expect(jsonPatch.json().spec).toEqual({});
    const after = server.get({ kind: 'StatefulSet', namespace: 'default', name: 'db' }) as Record<
      string,
      any
    >;
    expect(after.spec).toEqual({ ...before.spec, replicas: 0 });
    expect(after.metadata.generation).toBe(before.metadata.generation + 2);
  });

  it('answers 409 for a stale resourceVersion, 422 for negative replicas, 404 for a kind without scale', async () => {
    const stale = await as({
      method: 'PATCH',
      path: SCALE_PATH,
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: '1' }, spec: { replicas: 2 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json().message).toBe(
      'Operation cannot be fulfilled on statefulsets.apps "db": the object has been modified; please apply your changes to the latest version and try again',
    );
    const negative = await as({
      method: 'PATCH',
      path: SCALE_PATH,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: -1 } },
    });
    expect(negative.status).toBe(422);
    expect(negative.json().message).toBe(
      'Scale.autoscaling "db" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    const missing = await as({ path: '/apis/apps/v1/namespaces/default/statefulsets/nope/scale' });
    expect(missing.status).toBe(404);
    expect(missing.json().message).toBe('statefulsets.apps "nope" not found');
  });

  it("records the replicas in managedFields as the scaler's Update through the scale subresource", async () => {
    const patched = await as({
      method: 'PATCH',
      path: `${SCALE_PATH}?fieldManager=autoscaler`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 4 } },
    });
    expect(patched.status).toBe(200);
    const parent = server.get({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace: 'default',
      name: 'db',
    });
    const entries = parent?.metadata?.managedFields as {
      manager: string;
      subresource?: string;
      fieldsV1: unknown;
    }[];
    expect(entries.find((entry) => entry.manager === 'autoscaler')).toMatchObject({
      operation: 'Update',
      subresource: 'scale',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
  });
});
