import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startFakeApiServer, type StartedFakeApiServer } from 'fake-apiserver';
import { afterEach, expect } from 'vitest';
import type { Program } from './program.js';
import { roleGrants } from './role-grants.js';

/** What a test gets once a service account's directory is mounted. */
export interface MountedServiceAccount {
  /** The server's `KUBERNETES_SERVICE_*` variables and the client's own, to run a program with. */
  env: Record<string, string>;
  /** The admin's KubeConfig, to arrange and inspect what the program does. */
  admin: KubeConfig;
  /** The service account's user name, `system:serviceaccount:<namespace>:<name>`. */
  user: string;
}

/**
 * The set-up the examples of every language share: each test starts the shop cluster from `fixtures`, mounts
 * one service account's directory as the kubelet does in a pod and runs programs under it; after each test the
 * programs are killed and the server closed. Call it inside a `describe` (it registers the `afterEach`); its
 * functions may be destructured.
 * @param options.fixtures the manifests of the shop cluster
 * @param options.rbacFixtures the directory of the `*-rbac.yaml` files `expectExactly` compares with
 * @param options.cluster false for a still cluster (tests that drive the pods themselves)
 */
export function useExampleCluster(options: {
  fixtures: readonly string[];
  rbacFixtures: string;
  cluster?: boolean;
}) {
  let server: StartedFakeApiServer | undefined;
  const programs: Program[] = [];
  afterEach(async () => {
    for (const program of programs.splice(0)) {
      program.kill('SIGKILL');
      await program.exited;
    }
    await server?.close();
    server = undefined;
  });

  const start = async (): Promise<StartedFakeApiServer> => {
    server = await startFakeApiServer({
      fixtures: [...options.fixtures],
      ...(options.cluster === false ? { cluster: false } : {}),
    });
    return server;
  };
  const started = (): StartedFakeApiServer => {
    if (!server) throw new Error('mountFor() starts the server: call it first');
    return server;
  };

  return {
    /** The server `mountFor` started for the running test. */
    get server(): StartedFakeApiServer {
      return started();
    },

    /** Starts the shop cluster, for a test that mounts nothing itself (`server.run` does). */
    start,

    /**
     * Starts the shop cluster and mounts `namespace/name`'s directory; `envFor` says how the client finds it
     * (`SA_DIR` by default, which the example programs read).
     */
    async mountFor(
      serviceAccount: string,
      envFor: (dir: string) => Record<string, string> = (dir) => ({ SA_DIR: dir }),
    ): Promise<MountedServiceAccount> {
      const server = await start();
      const dir = join(await mkdtemp(join(tmpdir(), 'example-sa-')), 'serviceaccount');
      await server.mountServiceAccount({ dir, serviceAccount });
      const admin = new KubeConfig();
      admin.loadFromString(server.kubeconfig);
      const [namespace, name] = serviceAccount.split('/');
      return {
        env: { ...server.env, ...envFor(dir) },
        admin,
        user: `system:serviceaccount:${namespace}:${name}`,
      };
    },

    /** Keeps a started program, to be killed after the test. */
    track(program: Program): Program {
      programs.push(program);
      return program;
    },

    /**
     * What the program needed is exactly its fixture's Role: nothing was denied, and the least-privilege
     * report of what `user` did grants what `rbacFile` grants, no more, no less.
     */
    async expectExactly(user: string, name: string, rbacFile: string): Promise<void> {
      const current = started();
      expect(current.authorizationDecisions({ user, allowed: false }).map((d) => current.explain(d))).toEqual(
        [],
      );
      const fixture = await readFile(join(options.rbacFixtures, rbacFile), 'utf8');
      expect(roleGrants(current.rbacReport({ user, name }))).toEqual(roleGrants(fixture));
    },
  };
}
