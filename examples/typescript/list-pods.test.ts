import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from 'fake-apiserver';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { listPods } from './list-pods.js';

const CLUSTER = join(import.meta.dirname, '../fixtures/shop.yaml');
const RBAC = join(import.meta.dirname, 'fixtures/list-pods-rbac.yaml');
const USER = 'system:serviceaccount:shop:pod-lister';

/** The rules of the Role in a multi-document YAML text. */
function roleRules(yamlText: string): unknown {
  const documents = parseAllDocuments(yamlText).map((document) => document.toJS());
  return documents.find((document) => document?.kind === 'Role')?.rules;
}

describe('list-pods.ts', () => {
  let server: StartedFakeApiServer | undefined;
  afterEach(() => server?.close());

  /** Starts the fake cluster and mounts the service account's files under a fresh root, as a pod has them. */
  async function runAsPod(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'list-pods-'));
    server = await startFakeApiServer({ fixtures: [CLUSTER, RBAC], root, serviceAccount: 'shop/pod-lister' });
    Object.assign(process.env, server.env);
    return root;
  }

  it('lists the pods of its own namespace, and needs nothing but list on pods', async () => {
    const root = await runAsPod();
    expect(await listPods(root)).toEqual([
      { name: 'cart-5f7d8c9b4-k2x7p', phase: 'Running' },
      { name: 'checkout-6c9d7b8f5-q4m2z', phase: 'Pending' },
    ]);
    expect(server!.authorizationDecisions({ user: USER, allowed: false })).toEqual([]);
    expect(server!.authorizationDecisions({ user: USER }).map((d) => d.attributes.verb)).toEqual(['list']);
  });

  it('gets the real 403 without its RoleBinding; what it asked for is exactly its Role', async () => {
    const root = await runAsPod();
    const admin = new KubeConfig();
    admin.loadFromString(server!.kubeconfig);
    await admin
      .makeApiClient(RbacAuthorizationV1Api)
      .deleteNamespacedRoleBinding({ name: 'pod-lister', namespace: 'shop' });
    const error = await listPods(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(403);
    expect(JSON.parse((error as ApiException<string>).body).message).toBe(
      'pods is forbidden: User "system:serviceaccount:shop:pod-lister" cannot list resource "pods" in API group "" in the namespace "shop"',
    );
    // Run with no rights, the program still asked for everything it needs: the least privilege.
    const report = server!.rbacReport({ user: USER });
    expect(roleRules(report)).toEqual(roleRules(await readFile(RBAC, 'utf8')));
  });
});
