import { join, resolve } from 'node:path';
import { authenticateToken, createAuthenticator, type AuthenticatorDeps } from '../auth/authenticate.js';
import { staticTokenUsers } from '../auth/static-users.js';
import { startClusterRoleAggregation } from '../controllers/clusterrole-aggregation.js';
import { startCrdController } from '../crd/crd-controller.js';
import { createControllers } from '../controllers/on-created.js';
import { startLifecycleControllers } from '../controllers/lifecycle-controllers.js';
import { ensureApiServerService } from '../controllers/apiserver-service.js';
import { linkOwnerReferences } from '../lifecycle/link-owner-references.js';
import { ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { loadFixtures } from '../fixtures/load-fixtures.js';
import { ControlApi } from '../control/control-api.js';
import { registerFaultEndpoints } from '../faults/control-endpoints.js';
import { addFaultRules, faultHandleMethods } from '../faults/fault-handle.js';
import { FaultInjector } from '../faults/fault-injector.js';
import { WebInspector } from '../ui/web-inspector.js';
import { createExpressApp } from '../http/express-app.js';
import { createPipeline } from '../http/pipeline.js';
import { renderKubeconfig } from '../kubeconfig/kubeconfig.js';
import { assertKubeconfigWritable, writeKubeconfigFile } from '../kubeconfig/write-kubeconfig.js';
import { assertServiceAccountDirIsOurs } from '../sa-dir/write-sa-dir.js';
import { generateClientCertificate } from '../pki/certificates.js';
import { keyMaterialOptionsOf, prepareKeyMaterial, type KeyMaterial } from '../pki/key-material.js';
import { bootstrapPolicy } from '../rbac/bootstrap-policy.js';
import { AuthorizationRecorder } from '../rbac/decision-log.js';
import { explainDecision } from '../rbac/explain.js';
import { assertRbacReportWritable, rbacReport, writeRbacReportFile } from '../rbac/report.js';
import {
  builtInKinds,
  namespaceKind,
  podKind,
  secretKind,
  serviceAccountKind,
} from '../registry/built-in-kinds.js';
import { KindRegistry } from '../registry/kind-registry.js';
import { resolveStartupMount } from '../sa-dir/mount-request.js';
import { ServiceAccountMounts } from '../sa-dir/mounts.js';
import { registerRunEndpoints } from '../run/control-endpoints.js';
import { runCommand, type RunPreparer } from '../run/run-command.js';
import { RunEnvironments } from '../run/run-environments.js';
import { createTestControls } from '../state/test-controls.js';
import { ObjectStore } from '../store/object-store.js';
import { PodLogStore } from '../store/pod-logs.js';
import { checkDataDir } from '../store/data-dir.js';
import { StoreJournal } from '../store/persistence.js';
import type { FakeApiServerOptions, IssueTokenOptions, StartedFakeApiServer } from '../types.js';
import type { ServerContext } from './server-context.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { systemClock } from '../time/clock.js';
import { createHttpsListener } from './https-server.js';
import { resolveServerLimits, WatchSlots } from './limits.js';
import { registerAuditEndpoints } from '../audit/control-endpoints.js';
import { AuditLogFile } from '../audit/log-file.js';
import { parseAuditLevel, parseAuditMaxEvents } from '../audit/options.js';
import { AuditRecorder } from '../audit/recorder.js';
import { decodeStoredAsGo } from '../api/typed-body.js';
import { seedObject } from '../api/write-steps.js';
import { controllerWriter } from '../api/write-path.js';
import { startCluster } from '../cluster/start-cluster.js';
import { registerScenarioEndpoint, setScenario } from '../cluster/scenario-control.js';
import { clusterComponents, controllersOffByDefault } from '../cluster/components.js';

const RUN_PREPARERS = new WeakMap<StartedFakeApiServer, RunPreparer>();

/**
 * The server's side of `run` for a handle this module started, for the command, which runs COMMAND with
 * its own stdio and signals rather than through `run()`.
 */
export function runPreparerOf(server: StartedFakeApiServer): RunPreparer {
  return RUN_PREPARERS.get(server)!;
}

/** The package's own default fixtures: a small realistic cluster. */
export const DEFAULT_FIXTURES_DIR = join(PACKAGE_ROOT, 'fixtures');

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

  const registry = new KindRegistry(builtInKinds);
  const fixturePaths = options.fixtures === undefined ? [DEFAULT_FIXTURES_DIR] : [options.fixtures].flat();
  const fixtures = await loadFixtures(fixturePaths, registry);
  const { pki, signingKey } = await keyMaterial;
  const tokens = ServiceAccountTokenIssuer.fromKey(signingKey);

  const clock = options.clock ?? systemClock;
  // Skipped data-dir records are reported even when no log was asked for: they are not served any more.
  const warn = options.log
    ? (message: string) => log(`warning: ${message}`)
    : (message: string) => process.stderr.write(`[fake-apiserver] warning: ${message}\n`);
  const journal = options.dataDir
    ? StoreJournal.open(options.dataDir, { warn, check: decodeStoredAsGo })
    : undefined;
  const store = new ObjectStore({
    clock,
    log,
    ...(journal ? { onCommit: journal.commit } : {}),
    ...(journal?.restored ? { initial: journal.restored } : {}),
  });
  // Before any object is loaded, so that CRDs (fixtures, a data dir's state) serve their kinds at once.
  const crdController = startCrdController({ registry, store, clock, log });
  // A data dir holding state is served as it was left: fixtures and the bootstrap policy seed an empty one.
  const seed = !journal?.restored;
  const logs = new PodLogStore();
  for (const obj of options.rbacBootstrap === false || !seed ? [] : bootstrapPolicy()) {
    const kind = registry.byApiVersionKind(obj.apiVersion!, obj.kind!)!;
    store.create(kind, obj);
  }
  const controllerManager = controllerWriter(
    { store, clock, onCreated: (kind, obj) => onCreated(kind, obj) },
    'kube-controller-manager',
  );
  const onCreated = createControllers(store, controllerManager, tokens, pki.ca.cert, log);
  for (const { kind, object } of seed ? fixtures.objects : []) {
    seedObject(store, kind, structuredClone(object), { existing: 'keep' });
  }
  // Controllers run once everything is loaded, so that a Secret may come before its service account.
  for (const namespace of store.list({ kind: namespaceKind }).items) onCreated(namespaceKind, namespace);
  for (const secret of store.list({ kind: secretKind }).items) onCreated(secretKind, secret);
  const aggregation = startClusterRoleAggregation(store, log);
  if (seed) linkOwnerReferences(store, registry);
  const lifecycle = startLifecycleControllers({ store, registry, clock, logs, log });
  const cluster = startCluster(
    { store, registry, clock, onCreated, log },
    clusterComponents,
    {
      controllers: options.cluster === false ? [] : (options.controllers ?? ['*']),
      scheduler: options.cluster !== false && (options.scheduler ?? true),
      kubelet: options.cluster !== false && (options.kubelet ?? true),
    },
    controllersOffByDefault,
  );
  journal?.startJournal(store.snapshot());
  for (const podLog of fixtures.podLogs) {
    for (const [container, text] of Object.entries(podLog.containers)) {
      logs.append(podLog.namespace, podLog.pod, container, text);
    }
  }

  const streams = new Set<() => void>();
  let port = requestedPort;
  const authorizations = new AuthorizationRecorder({ store, clock, log });
  const auditLogFile = options.auditLog ? new AuditLogFile(resolve(options.auditLog), log) : undefined;
  const audit = new AuditRecorder({
    level: parseAuditLevel(options.auditLevel ?? 'Metadata', 'auditLevel'),
    maxEvents: parseAuditMaxEvents(options.auditMaxEvents),
    clock,
    log,
    ...(auditLogFile ? { file: auditLogFile } : {}),
  });
  const rbacReportFile = options.rbacReportFile ? resolve(options.rbacReportFile) : undefined;
  let started = false;
  const server: ServerContext = {
    registry,
    store,
    logs,
    tokens,
    clock,
    serverAddress: () => `${urlHost(host)}:${port}`,
    trackStream(end) {
      streams.add(end);
      return () => streams.delete(end);
    },
    onCreated,
    authenticateToken: (token, audiences) => authenticateToken(token, authenticatorDeps, audiences),
    log,
    authorizations,
    control: new ControlApi(),
    audit,
    faults,
    watches: { slots: new WatchSlots(limits.maxWatches), bufferBytes: limits.watchBufferBytes },
    lifecycle,
  };
  registerFaultEndpoints(server.control!, faults);
  registerAuditEndpoints(server.control!, audit);
  if (options.ui) server.ui = new WebInspector(server, () => ({ host, port }));

  const authenticatorDeps: AuthenticatorDeps = {
    tokens,
    clock,
    serviceAccount: (ns, name) => {
      const sa = store.get(serviceAccountKind, ns, name);
      return sa?.metadata?.uid ? { uid: sa.metadata.uid } : undefined;
    },
    pod: (ns, name) => {
      const pod = store.get(podKind, ns, name);
      return pod?.metadata?.uid ? { uid: pod.metadata.uid } : undefined;
    },
    secret: (ns, name) => {
      const secret = store.get(secretKind, ns, name);
      if (!secret?.metadata?.uid) return undefined;
      const encoded = (secret.data as Record<string, string> | undefined)?.token;
      return {
        uid: secret.metadata.uid,
        ...(encoded ? { token: Buffer.from(encoded, 'base64').toString('utf8') } : {}),
      };
    },
    staticTokens: staticTokenUsers([...fixtures.users, ...(options.users ?? [])]),
    anonymous: options.anonymous ?? true,
    onReject: (reason) => log(`unauthorized: ${reason}`),
  };
  const authenticate = createAuthenticator(authenticatorDeps);
  const app = createExpressApp(createPipeline(server, authenticate));

  const listener = createHttpsListener({
    tls: { key: pki.serving.key, cert: pki.serving.cert, ca: pki.ca.cert },
    handler: app,
    limits,
  });
  const httpsServer = listener.server;

  await new Promise<void>((resolvePromise, reject) => {
    httpsServer.once('error', (error: NodeJS.ErrnoException) => {
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
        aggregation.stop();
        crdController();
        lifecycle.stop();
        cluster.stop();
        testControls.stop();
        for (const end of [...streams]) end();
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
