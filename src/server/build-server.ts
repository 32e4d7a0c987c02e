import { ApiLoad } from '../http/api-load.js';
import { join, resolve } from 'node:path';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { authenticateToken, createAuthenticator, type AuthenticatorDeps } from '../auth/authenticate.js';
import { staticTokenUsers } from '../auth/static-users.js';
import { ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { decodeStoredAsGo } from '../api/typed-body.js';
import { controllerWriter, seedObject } from '../api/write-path.js';
import { registerAuditEndpoints } from '../audit/control-endpoints.js';
import { AuditLogFile } from '../audit/log-file.js';
import { parseAuditLevel, parseAuditMaxEvents } from '../audit/options.js';
import { AuditRecorder } from '../audit/recorder.js';
import { RequestMetrics } from '../metrics/request-metrics.js';
import { clusterComponents, controllersOffByDefault } from '../cluster/components.js';
import { startCluster } from '../cluster/start-cluster.js';
import { ControlApi } from '../control/control-api.js';
import { startClusterRoleAggregation } from '../controllers/clusterrole-aggregation.js';
import { startLifecycleControllers } from '../controllers/lifecycle-controllers.js';
import { startApiServiceControllers } from '../controllers/apiservice-controllers.js';
import { createControllers } from '../controllers/on-created.js';
import { startCrdController } from '../crd/crd-controller.js';
import { asFixtureError } from '../errors/developer-error-status.js';
import { registerFaultEndpoints } from '../faults/control-endpoints.js';
import { registerStreamHandlerEndpoints } from '../streams/control-endpoints.js';
import { StreamHandlers } from '../streams/stream-handlers.js';
import { PodFileSystems } from '../pod-files/pod-filesystems.js';
import { registerPodFileEndpoints } from '../pod-files/control-endpoints.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { loadFixtures, type Fixtures } from '../fixtures/load-fixtures.js';
import { createExpressApp } from '../http/express-app.js';
import { createPipeline } from '../http/pipeline.js';
import { linkOwnerReferences } from '../lifecycle/link-owner-references.js';
import type { KeyMaterial } from '../pki/key-material.js';
import { bootstrapPolicy } from '../rbac/bootstrap-policy.js';
import { AuthorizationRecorder } from '../rbac/decision-log.js';
import {
  builtInKinds,
  namespaceKind,
  podKind,
  secretKind,
  serviceAccountKind,
} from '../registry/built-in-kinds.js';
import { KindRegistry } from '../registry/kind-registry.js';
import { ObjectStore } from '../store/object-store.js';
import { StoreJournal } from '../store/persistence.js';
import { PodLogStore } from '../store/pod-logs.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { systemClock } from '../time/clock.js';
import type { FakeApiServerOptions } from '../types.js';
import { WebInspector } from '../ui/web-inspector.js';
import type { ServerLimits } from './limits.js';
import { WatchSlots } from './limits.js';
import type { ServerContext } from './server-context.js';

/** The package's own default fixtures: a small realistic cluster. */
export const DEFAULT_FIXTURES_DIR = join(PACKAGE_ROOT, 'fixtures');

/** A server built and ready to serve requests, not yet listening on a socket. */
export interface BuiltServer {
  /** What every request's handling shares. */
  context: ServerContext;
  /** The express application the HTTPS listener serves. */
  handler: RequestListener;
  /**
   * The request pipeline itself (what `handler` hands every request to), for requests injected in process
   * without a socket: a request without TLS carries no client certificate, only bearer tokens.
   */
  pipeline: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  fixtures: Fixtures;
  keyMaterial: KeyMaterial;
  journal: StoreJournal | undefined;
  auditLogFile: AuditLogFile | undefined;
  /** Tells the server the port it is reached at once it listens (discovery, the inspector). */
  listeningOn(port: number): void;
  /** Ends open streams and stops the controllers and the cluster (the journal and audit log stay open). */
  stop(): void;
}

/**
 * Builds everything a server is but its socket: the kind registry, fixtures or a data dir, the store, the
 * bootstrap policy, the controllers and the simulated cluster, authentication and the request pipeline. The
 * pipeline can be driven without a socket (`handler`), which is how the in-process tests exercise it.
 */
export async function buildServer(
  options: FakeApiServerOptions,
  keyMaterial: Promise<KeyMaterial>,
  settings: {
    host: string;
    port: number;
    limits: ServerLimits;
    faults: FaultInjector;
    log(message: string): void;
  },
): Promise<BuiltServer> {
  const { host, limits, faults, log } = settings;
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
  for (const { kind, object, source } of seed ? fixtures.objects : []) {
    try {
      seedObject({ store, clock }, kind, structuredClone(object), { existing: 'keep' });
    } catch (error) {
      journal?.close();
      throw asFixtureError(source, error);
    }
  }
  // Controllers run once everything is loaded, so that a Secret may come before its service account.
  for (const namespace of store.list({ kind: namespaceKind }).items) onCreated(namespaceKind, namespace);
  for (const secret of store.list({ kind: secretKind }).items) onCreated(secretKind, secret);
  const aggregation = startClusterRoleAggregation(store, log);
  if (seed) linkOwnerReferences(store, registry);
  const lifecycle = startLifecycleControllers({ store, registry, clock, logs, log });
  const apiServices = startApiServiceControllers({
    registry,
    store,
    clock,
    writer: controllerWriter(
      { store, clock, onCreated: (kind, obj) => onCreated(kind, obj) },
      'kube-apiserver',
    ),
    log,
  });
  const apiLoad = new ApiLoad();
  const cluster = startCluster(
    { store, registry, clock, onCreated, caCert: pki.ca.cert, log, load: apiLoad },
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
  let port = settings.port;
  const authorizations = new AuthorizationRecorder({ store, clock, log });
  const auditLogFile = options.auditLog ? new AuditLogFile(resolve(options.auditLog), log) : undefined;
  const audit = new AuditRecorder({
    level: parseAuditLevel(options.auditLevel ?? 'Metadata', 'auditLevel'),
    maxEvents: parseAuditMaxEvents(options.auditMaxEvents),
    clock,
    log,
    ...(auditLogFile ? { file: auditLogFile } : {}),
  });
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
    streams: new StreamHandlers(),
    podFiles: new PodFileSystems(() => clock.now()),
    metrics: new RequestMetrics(),
    apiLoad,
  };
  registerFaultEndpoints(server.control!, faults);
  registerStreamHandlerEndpoints(server.control!, server.streams!);
  registerPodFileEndpoints(server);
  // A pod's files go with it, as its containers' would: a new pod of the same name starts empty.
  const forgetPodFiles = store.subscribe((event) => {
    if (event.type === 'DELETED' && event.kindKey === '/pods')
      server.podFiles!.forget(event.namespace, event.object.metadata?.name ?? '');
  });
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
  const pipeline = createPipeline(server, authenticate);
  const app = createExpressApp(pipeline);
  return {
    context: server,
    handler: app,
    pipeline,
    fixtures,
    keyMaterial: { pki, signingKey },
    journal,
    auditLogFile,
    listeningOn(listeningPort) {
      port = listeningPort;
    },
    stop() {
      aggregation.stop();
      crdController();
      apiServices();
      lifecycle.stop();
      cluster.stop();
      forgetPodFiles();
      for (const end of [...streams]) end();
    },
  };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
