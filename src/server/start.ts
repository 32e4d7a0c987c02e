import { resolve } from 'node:path';
import { ensureApiServerService } from '../controllers/apiserver-service.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { addFaultRules, faultHandleMethods } from '../faults/fault-handle.js';
import { FaultInjector } from '../faults/fault-injector.js';
import { renderKubeconfig } from '../kubeconfig/kubeconfig.js';
import { assertKubeconfigWritable, writeKubeconfigFile } from '../kubeconfig/write-kubeconfig.js';
import { assertServiceAccountDirIsOurs } from '../sa-dir/write-sa-dir.js';
import { generateClientCertificate } from '../pki/certificates.js';
import { keyMaterialOptionsOf, prepareKeyMaterial, type KeyMaterial } from '../pki/key-material.js';
import { explainDecision } from '../rbac/explain.js';
import { assertRbacReportWritable, rbacReport, writeRbacReportFile } from '../rbac/report.js';
import { podFilesHandle } from '../pod-files/pod-files-handle.js';
import { podKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import { resolveStartupMount } from '../sa-dir/mount-request.js';
import { ServiceAccountMounts } from '../sa-dir/mounts.js';
import { registerRunEndpoints } from '../run/control-endpoints.js';
import { runCommand, type RunPreparer } from '../run/run-command.js';
import { RunEnvironments } from '../run/run-environments.js';
import { createTestControls } from '../state/test-controls.js';
import { checkDataDir } from '../store/data-dir.js';
import type { FakeApiServerOptions, IssueTokenOptions, StartedFakeApiServer } from '../types.js';
import type { ServerContext } from './server-context.js';
import { buildServer } from './build-server.js';
import { createHttpsListener } from './https-server.js';
import { resolveServerLimits } from './limits.js';
import { registerScenarioEndpoint, setScenario } from '../cluster/scenario-control.js';

const RUN_PREPARERS = new WeakMap<StartedFakeApiServer, RunPreparer>();

/**
 * The server's side of `run` for a handle this module started, for the command, which runs COMMAND with
 * its own stdio and signals rather than through `run()`.
 */
export function runPreparerOf(server: StartedFakeApiServer): RunPreparer {
  return RUN_PREPARERS.get(server)!;
}

export { DEFAULT_FIXTURES_DIR } from './build-server.js';

function parseServiceAccount(value: string): { namespace: string; name: string } {
  const match = /^([^/]+)\/([^/]+)$/.exec(value);
  if (!match) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `service account ${JSON.stringify(value)} is not NAMESPACE/NAME`,
      'e.g. default/pod-reader',
    );
  }
  return { namespace: match[1]!, name: match[2]! };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a fake kube-apiserver over HTTPS with a freshly generated CA: loads fixtures and the bootstrap
 * RBAC policy, listens, then writes the sa-dir and kubeconfig if asked. Resolves once all of that is done.
 */
export function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<StartedFakeApiServer> {
  try {
    // Refused before the key cache in it is written.
    if (options.dataDir) checkDataDir(resolve(options.dataDir));
  } catch (error) {
    return Promise.reject(error as Error);
  }
  return startWithKeyMaterial(options, prepareKeyMaterial(keyMaterialOptionsOf(options)).material);
}

/**
 * `startFakeApiServer` with key material already on its way, so that a caller (the CLI) can start
 * generating it before loading the server's modules.
 */
export async function startWithKeyMaterial(
  options: FakeApiServerOptions,
  keyMaterial: Promise<KeyMaterial>,
): Promise<StartedFakeApiServer> {
  // Settled here if start-up fails before it is awaited, so that its failure is never unhandled.
  keyMaterial.catch(() => {});
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `port ${requestedPort} is not a valid port`,
      'use 0 for any free port',
    );
  }
  const startupMount = resolveStartupMount(options);
  const limits = resolveServerLimits(options);
  const log = options.log ?? (() => {});
  const faults = new FaultInjector();
  addFaultRules(faults, options.faults ?? [], 'faults option');

  const built = await buildServer(options, keyMaterial, {
    host,
    port: requestedPort,
    limits,
    faults,
    log,
  });
  const { context: server, journal, auditLogFile } = built;
  const { store, tokens, clock, logs, authorizations, audit } = server as Required<ServerContext>;
  const { pki } = built.keyMaterial;
  const streamHandlers = server.streams!;
  const rbacReportFile = options.rbacReportFile ? resolve(options.rbacReportFile) : undefined;
  let started = false;
  let port = requestedPort;

  const listener = createHttpsListener({
    tls: { key: pki.serving.key, cert: pki.serving.cert, ca: pki.ca.cert },
    handler: built.handler,
    limits,
  });
  const httpsServer = listener.server;

  await new Promise<void>((resolvePromise, reject) => {
    httpsServer.once('error', (error: NodeJS.ErrnoException) => {
      built.stop();
      journal?.close();
      reject(
        new FakeApiServerError(
          'INVALID_OPTION',
          `cannot listen on ${host}:${requestedPort}: ${error.code ?? error.message}`,
          error.code === 'EADDRINUSE' ? 'pick another --port, or 0 for any free port' : undefined,
        ),
      );
    });
    httpsServer.listen(requestedPort, host, () => resolvePromise());
  });
  const address = httpsServer.address();
  port = typeof address === 'object' && address ? address.port : requestedPort;
  built.listeningOn(port);
  ensureApiServerService(store, { host, port });
  const url = `https://${urlHost(host)}:${port}`;

  const issueToken = (account: string, tokenOptions: IssueTokenOptions = {}): string => {
    const { namespace, name } = parseServiceAccount(account);
    const sa = store.get(serviceAccountKind, namespace, name);
    if (!sa?.metadata?.uid) {
      throw new FakeApiServerError(
        'SERVICE_ACCOUNT_NOT_FOUND',
        `service account ${namespace}/${name} does not exist`,
        'add it to the fixtures, or create it first',
      );
    }
    const { issuedAt, ...spec } = tokenOptions;
    return tokens.issue({ namespace, name, uid: sa.metadata.uid, ...spec }, issuedAt ?? clock.now()).token;
  };

  const kubeconfig = renderKubeconfig({
    server: url,
    caCert: pki.ca.cert,
    clientCert: pki.admin.cert,
    clientKey: pki.admin.key,
  });
  const kubeconfigFor = async (user: string, groups: readonly string[] = []): Promise<string> => {
    const credentials = await generateClientCertificate(pki.ca, user, groups);
    return renderKubeconfig({
      server: url,
      caCert: pki.ca.cert,
      clientCert: credentials.cert,
      clientKey: credentials.key,
      user,
    });
  };
  const mounts = new ServiceAccountMounts({ store, tokens, clock, caCert: pki.ca.cert, log });
  // A wildcard listener is reached on loopback.
  const upstreamHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const runs = new RunEnvironments(() => ({
    store,
    tokens,
    clock,
    mounts,
    upstream: { host: upstreamHost, port },
    log,
  }));
  registerRunEndpoints(server.control!, runs);
  const runPreparer: RunPreparer = {
    prepare: async (request) => (await runs.create(request)).plan,
    finish: async (dir) => {
      await runs.stop(dir);
    },
  };
  const testControls = createTestControls({ ...server, control: server.control! }, mounts, runs);
  registerScenarioEndpoint(server.control!, server);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= Promise.all([
      runs.stopAll(),
      mounts.stopAll(),
      listener.close(() => {
        built.stop();
        testControls.stop();
      }),
    ])
      .then(() =>
        started && rbacReportFile ? writeRbacReportFile(authorizations, rbacReportFile) : undefined,
      )
      .finally(() => {
        journal?.close();
        return audit.close();
      });
    return closed;
  };

  try {
    const kubeconfigPath = options.kubeconfig ? resolve(options.kubeconfig) : undefined;
    // Refuse paths that are not ours before writing anything.
    if (startupMount) await assertServiceAccountDirIsOurs(startupMount.dir);
    if (kubeconfigPath) await assertKubeconfigWritable(kubeconfigPath);
    if (rbacReportFile) await assertRbacReportWritable(rbacReportFile);
    await auditLogFile?.open();
    const serviceAccountMount = startupMount ? await mounts.mount(startupMount) : undefined;
    const saDir = serviceAccountMount?.dir;
    if (kubeconfigPath) await writeKubeconfigFile(kubeconfigPath, kubeconfig);
    testControls.captureStartup();
    started = true;
    const handle: StartedFakeApiServer = {
      url,
      host,
      port,
      caCert: pki.ca.cert,
      saDir,
      kubeconfigPath,
      kubeconfig,
      uiUrl: server.ui ? `${url}${server.ui.entryPath}` : undefined,
      env: { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(port) },
      issueToken,
      kubeconfigFor,
      serviceAccountMount,
      mountServiceAccount: (mountOptions) => mounts.mount(mountOptions),
      run: (command, args = [], runOptions = {}) => {
        const { input, env, cwd, signal, ...identity } = runOptions;
        return runCommand(runPreparer, identity, command, args, {
          stdio: 'pipe',
          ...(input !== undefined ? { input } : {}),
          ...(env ? { env } : {}),
          ...(cwd ? { cwd } : {}),
          ...(signal ? { signal } : {}),
          log,
        });
      },
      appendPodLog: (namespace, pod, container, text) => logs.append(namespace, pod, container, text),
      onExec: (matcher, handler) => streamHandlers.onExec(matcher, handler),
      onAttach: (matcher, handler) => streamHandlers.onAttach(matcher, handler),
      onPortForward: (matcher, target) => streamHandlers.onPortForward(matcher, target),
      clearStreamHandlers: () => streamHandlers.clear(),
      podFiles: (selector) =>
        podFilesHandle(
          {
            podFiles: server.podFiles!,
            findPod: (namespace, name) => store.get(podKind, namespace, name),
            now: () => clock.now(),
          },
          selector,
        ),
      authorizationDecisions: (filter) => authorizations.decisions(filter),
      explain: explainDecision,
      rbacReport: (reportOptions) => rbacReport(authorizations, reportOptions),
      requests: (filter) => audit.requests(filter),
      writes: (filter) => audit.writes(filter),
      clearRequests: () => audit.clear(),
      ...faultHandleMethods(faults),
      ...testControls.handleMethods,
      setScenario: (target, scenario) => setScenario(server, target, scenario),
      close,
      [Symbol.asyncDispose]: close,
    };
    RUN_PREPARERS.set(handle, runPreparer);
    return handle;
  } catch (error) {
    await close();
    throw error;
  }
}
