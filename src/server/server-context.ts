import type { ApiLoad } from '../http/api-load.js';
import type { ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import type { UserInfo } from '../auth/user-info.js';
import type { RequestInfo } from '../http/request-info.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import type { PodLogStore } from '../store/pod-logs.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../time/clock.js';
import type { AuthorizationRecorder } from '../rbac/decision-log.js';
import type { ControlApi } from '../control/control-api.js';
import type { AuditRecorder } from '../audit/recorder.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import type { WatchFault } from '../faults/apply-fault.js';
import type { WebInspector } from '../ui/web-inspector.js';
import type { WatchSlots } from './limits.js';
import type { LifecycleControllers } from '../controllers/lifecycle-controllers.js';
import type { StreamHandlers } from '../streams/stream-handlers.js';
import type { PodFileSystems } from '../pod-files/pod-filesystems.js';
import type { RequestMetrics } from '../metrics/request-metrics.js';

/** Everything request handling needs, shared by all requests of one server. */
export interface ServerContext {
  registry: KindRegistry;
  store: ObjectStore;
  logs: PodLogStore;
  tokens: ServiceAccountTokenIssuer;
  /** The server's time source. */
  clock: Clock;
  /** `host:port` the server is reached at, for discovery's `serverAddressByClientCIDRs`. */
  serverAddress(): string;
  /** Registers a long-running response (watch, follow) so that close() can end it. */
  trackStream(end: () => void): () => void;
  /** Runs what the controllers of a cluster do when an object appears (namespace defaults, token secrets). */
  onCreated(kind: ResourceKind, obj: KubeObject): void;
  /** The token authenticator chain, for TokenReview. Throws `TokenRejection`. */
  authenticateToken(token: string, audiences?: readonly string[]): { user: UserInfo; audiences: string[] };
  /** Human-readable diagnostics (stderr for the CLI). */
  log(message: string): void;
  /** Records every authorization decision (and logs denials); absent in bare contexts. */
  authorizations?: AuthorizationRecorder;
  /** fake-apiserver's own endpoints under `/fake-apiserver/v1/`; absent in bare contexts. */
  control?: ControlApi;
  /**
   * Records every request as an audit event (`server.requests()`, `--audit-log`); `subscribe` follows them
   * live. Absent in bare contexts.
   */
  audit?: AuditRecorder;
  /** The fault rules (`injectFault`, `--faults`, `/fake-apiserver/v1/faults`); absent in bare contexts. */
  faults?: FaultInjector;
  /** The web inspector under `/fake-apiserver/ui/`, with its own access rule; present when `ui: true`. */
  ui?: WebInspector;
  /** The garbage collector and namespace controller (deletion's consequences); absent in bare contexts. */
  lifecycle?: LifecycleControllers;
  /** The handlers tests registered for exec, attach and port-forward; absent in bare contexts. */
  streams?: StreamHandlers;
  /** The in-memory files of pod containers (`kubectl cp`, `server.podFiles`); absent in bare contexts. */
  podFiles?: PodFileSystems;
  /** `apiserver_request_total` and `apiserver_request_duration_seconds`, served at `/metrics`; absent in bare contexts. */
  metrics?: RequestMetrics;
  /** The bound on open watches and on what each may queue for a slow client; absent in bare contexts. */
  watches?: { slots: WatchSlots; bufferBytes: number };
  /** The short requests in flight, which the simulated cluster gives way to; absent in bare contexts. */
  apiLoad?: ApiLoad;
}

/** One request as it moves through the pipeline. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: RequestInfo;
  user: UserInfo;
  /** Set by the fault stage when a rule changes how this watch runs. */
  watchFault?: WatchFault;
}
