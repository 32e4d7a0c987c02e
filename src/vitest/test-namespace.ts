import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ServiceAccountMount } from '../sa-dir/types.js';
import type { StartedFakeApiServer } from '../types.js';
import { adminCall, adminRequest, assertSuccess } from './admin-client.js';
import type { FakeApiServerConnection } from './connection.js';

/** A rule of an RBAC Role, as in YAML. */
export interface TestNamespaceRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Options of `createTestNamespace`. */
export interface TestNamespaceOptions {
  /**
   * The start of the namespace's name; five random characters follow, as for `generateName`.
   * @default 'test-'
   */
  prefix?: string;
  /**
   * The service account created in the namespace.
   * @default 'app'
   */
  serviceAccount?: string;
  /**
   * What the service account may do in its namespace: the name of a ClusterRole to bind there (`view`,
   * `edit`, `admin`), or the rules of a Role of its own (named after the service account).
   * @default 'edit'
   */
  role?: string | readonly TestNamespaceRule[];
  /** The service account's token lifetime in its sa-dir. @default 3607 */
  tokenTtlSeconds?: number;
}

/** A namespace of one test, with its own service account, RoleBinding and sa-dir. */
export interface TestNamespace {
  /** The namespace's name. */
  readonly name: string;
  /** `NAMESPACE/NAME` of the service account. */
  readonly serviceAccount: string;
  /** How RBAC and the audit see it: `system:serviceaccount:NAMESPACE:NAME`. */
  readonly user: string;
  /** Its serviceaccount directory, kept fresh by the server, and the files in it. */
  readonly saDir: string;
  readonly tokenFile: string;
  readonly caFile: string;
  readonly namespaceFile: string;
  /** Stops the sa-dir's refresh, deletes the namespace with everything in it, removes the directory. Idempotent. */
  cleanup(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What creating and removing a test namespace takes, in-process or over HTTPS. */
interface Backend {
  /** Creates the namespace; false when the name is taken. */
  createNamespace(name: string): Promise<boolean>;
  create(objects: KubeObject[]): Promise<void>;
  mount(dir: string, serviceAccount: string, tokenTtlSeconds?: number): Promise<void>;
  unmount(dir: string): Promise<void>;
  deleteNamespace(name: string): Promise<void>;
}

function isHandle(target: StartedFakeApiServer | FakeApiServerConnection): target is StartedFakeApiServer {
  return typeof (target as Partial<StartedFakeApiServer>).mountServiceAccount === 'function';
}

function handleBackend(server: StartedFakeApiServer): Backend {
  const mounts = new Map<string, ServiceAccountMount>();
  return {
    async createNamespace(name) {
      if (server.get({ kind: 'Namespace', name })) return false;
      await server.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return true;
    },
    async create(objects) {
      await server.apply(objects);
    },
    async mount(dir, serviceAccount, tokenTtlSeconds) {
      mounts.set(
        dir,
        await server.mountServiceAccount({
          dir,
          serviceAccount,
          ...(tokenTtlSeconds ? { tokenTtlSeconds } : {}),
        }),
      );
    },
    async unmount(dir) {
      await mounts.get(dir)?.stop();
    },
    async deleteNamespace(name) {
      server.delete({ kind: 'Namespace', name });
    },
  };
}

const PATHS: Record<string, string> = {
  ServiceAccount: 'api/v1/namespaces/NS/serviceaccounts',
  Role: 'apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
  RoleBinding: 'apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings',
};

function connectionBackend(connection: FakeApiServerConnection): Backend {
  return {
    async createNamespace(name) {
      const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
      const response = await adminRequest(connection, 'POST', '/api/v1/namespaces', body);
      if (response.status === 409) return false;
      assertSuccess('POST', '/api/v1/namespaces', response);
      return true;
    },
    async create(objects) {
      for (const object of objects) {
        const path = PATHS[object.kind!]!.replace('NS', object.metadata!.namespace!);
        await adminCall(connection, 'POST', `/${path}`, object);
      }
    },
    async mount(dir, serviceAccount, tokenTtlSeconds) {
      await adminCall(connection, 'POST', `${connection.controlUrl}/mounts`, {
        dir,
        serviceAccount,
        ...(tokenTtlSeconds ? { tokenTtlSeconds } : {}),
      });
    },
    async unmount(dir) {
      await adminCall(connection, 'POST', `${connection.controlUrl}/mounts/stop`, { dir });
    },
    async deleteNamespace(name) {
      const path = `/api/v1/namespaces/${name}`;
      const response = await adminRequest(connection, 'DELETE', path);
      if (response.status !== 404) assertSuccess('DELETE', path, response);
    },
  };
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return suffix;
}

/**
 * Gives a test a namespace of its own: a fresh namespace, a service account in it, a RoleBinding granting
 * it `role` there, and a serviceaccount directory for it kept fresh by the server, as a pod of that
 * account would have. `cleanup()` (or `await using`) removes it all. Works in-process with the handle, and
 * from vitest workers with `inject('fakeApiserver')` (over HTTPS, as the admin).
 *
 * ```ts
 * let ns: TestNamespace;
 * beforeEach(async () => { ns = await createTestNamespace(inject('fakeApiserver'), { role: 'view' }); });
 * afterEach(() => ns.cleanup());
 * ```
 */
export async function createTestNamespace(
  target: StartedFakeApiServer | FakeApiServerConnection,
  options: TestNamespaceOptions = {},
): Promise<TestNamespace> {
  const backend = isHandle(target) ? handleBackend(target) : connectionBackend(target);
  const prefix = options.prefix ?? 'test-';
  let name = `${prefix.slice(0, 58)}${randomSuffix()}`;
  while (!(await backend.createNamespace(name))) name = `${prefix.slice(0, 58)}${randomSuffix()}`;

  const account = options.serviceAccount ?? 'app';
  const role = options.role ?? 'edit';
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace: name } },
  ];
  if (typeof role !== 'string') {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: account, namespace: name },
      rules: role.map((rule) => ({ ...rule })),
    });
  }
  objects.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: account, namespace: name },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: name }],
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: typeof role === 'string' ? 'ClusterRole' : 'Role',
      name: typeof role === 'string' ? role : account,
    },
  });
  let workDir: string | undefined;
  try {
    await backend.create(objects);
    workDir = await mkdtemp(join(tmpdir(), `fake-apiserver-${name}-`));
    const saDir = join(workDir, 'serviceaccount');
    await backend.mount(saDir, `${name}/${account}`, options.tokenTtlSeconds);
    let cleaned: Promise<void> | undefined;
    const dir = workDir;
    const cleanup = (): Promise<void> => {
      cleaned ??= (async () => {
        await backend.unmount(saDir);
        await backend.deleteNamespace(name);
        await rm(dir, { recursive: true, force: true });
      })();
      return cleaned;
    };
    return {
      name,
      serviceAccount: `${name}/${account}`,
      user: `system:serviceaccount:${name}:${account}`,
      saDir,
      tokenFile: join(saDir, 'token'),
      caFile: join(saDir, 'ca.crt'),
      namespaceFile: join(saDir, 'namespace'),
      cleanup,
      [Symbol.asyncDispose]: cleanup,
    };
  } catch (error) {
    await backend.deleteNamespace(name).catch(() => {});
    if (workDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
