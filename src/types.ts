import type {
  ExecHandler,
  ExecMatcher,
  PortForwardMatcher,
  PortForwardTarget,
  StreamHandlerRegistration,
} from './streams/handler-types.js';
import type { PodFiles, PodFilesSelector } from './pod-files/types.js';
import type { MountServiceAccountOptions, ServiceAccountMount } from './sa-dir/types.js';
import type { RunOptions, RunResult } from './run/types.js';
import type { Clock } from './time/clock.js';
import type { AuditEvent, AuditLevel, RecordedRequestFilter, RecordedWrite } from './audit/types.js';
import type { DurationInput, TimeInput } from './time/fake-clock.js';
import type { KubeObject } from './registry/resource-kind.js';
import type { ManifestInput, ObjectListQuery, ObjectReference, StateSnapshot } from './state/types.js';
import type { FaultHandle, FaultRule, InjectedFault } from './faults/types.js';
import type {
  AuthorizationDecisionFilter,
  AuthorizationDecisionRecord,
  RbacReportOptions,
} from './rbac/decision-types.js';

/** Options of `startFakeApiServer`, mirroring the CLI flags. */
export interface FakeApiServerOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Address to listen on. Also added to the serving certificate's SANs.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Fixture files or directories (.yaml, .yml, .json; multi-document YAML and `kind: List`). When
   * omitted, the package's own `fixtures/` (a small realistic cluster) is served.
   */
  fixtures?: string | readonly string[];
  /** Directory to write the serviceaccount files (`token`, `ca.crt`, `namespace`) into, kubelet-style. */
  saDir?: string;
  /**
   * Like `saDir`, at `ROOT/var/run/secrets/kubernetes.io/serviceaccount/`, the layout
   * `KubeConfig.loadFromCluster(root)` reads. Give `saDir` or `root`, not both.
   */
  root?: string;
  /**
   * Whose token goes into `saDir`, as `NAMESPACE/NAME`.
   * @default 'default/default'
   */
  serviceAccount?: string;
  /**
   * Write `saDir` as the kubelet does for this pod (`NAMESPACE/NAME`): its service account, its namespace,
   * a token bound to it. The alternative to `serviceAccount`.
   */
  pod?: string;
  /**
   * Lifetime of the token in `saDir`; it is rewritten once older than 80 % of it (or 24 h).
   * @default 3607, as the kubelet asks
   */
  tokenTtlSeconds?: number;
  /**
   * Where the server reads the time (token expiry, timestamps, sa-dir rotation); inject one to move time
   * in tests. Timers still run on real time: the sa-dir rotation checks this clock every second.
   * @default the system clock
   */
  clock?: Clock;
  /**
   * A directory to keep key material in between runs (the CA, the service-account signing key and the
   * certificates), created if missing, files 0600: later starts skip generating them (the slowest part of
   * a start) and CA files from earlier runs stay valid. Nothing is kept without it.
   */
  keyCacheDir?: string;
  /**
   * A directory to keep the cluster's objects in between runs, for local development (created 0700 if
   * missing; a non-empty directory that is not one is refused). Every write is on disk (fdatasync'd)
   * before it is answered, so it survives `kill -9`; a restart serves the objects as they were left, with
   * their uids, and resourceVersions go on upward. Fixtures and the bootstrap RBAC policy seed it only while
   * it is empty. Implies `keyCacheDir: DIR/keys` unless `keyCacheDir` is given, so ca.crt files and tokens
   * handed out stay valid. Pod logs are not kept. Off by default: tests stay in memory.
   */
  dataDir?: string;
  /**
   * How service-account tokens are signed: `RS256` with an RSA-2048 key, as kubeadm clusters do, or
   * `ES256` with a P-256 key (kube-apiserver accepts both), whose key takes a millisecond to generate where
   * RSA's takes 0.1–0.8 s. Only this algorithm is accepted when verifying.
   * @default 'RS256'
   */
  tokenSigningAlgorithm?: 'RS256' | 'ES256';
  /** File to write an admin kubeconfig (CA and a `system:masters` client certificate embedded) to. */
  kubeconfig?: string;
  /**
   * Human users authenticated by a static bearer token (`--token-auth-file` style); a user without a
   * token can still get a client certificate through the handle.
   */
  users?: readonly StaticUser[];
  /**
   * Whether requests without credentials are `system:anonymous` (as kube-apiserver's default
   * `--anonymous-auth=true`) or refused with 401.
   * @default true
   */
  anonymous?: boolean;
  /**
   * Whether the bootstrap RBAC policy of a real cluster is loaded: `cluster-admin`, the aggregated `admin`,
   * `edit` and `view`, `system:discovery`, `system:basic-user`, `system:public-info-viewer` and the rest,
   * with their default bindings. Without it nothing is allowed but what fixtures grant (and `system:masters`).
   * @default true
   */
  rbacBootstrap?: boolean;
  /**
   * Which of kube-controller-manager's controllers run behind the API, in its `--controllers` syntax: `['*']`
   * for every controller on by default, `['*', '-deployment']` for all but one, `[]` for none.
   * @default ['*']
   */
  controllers?: readonly string[];
  /** Whether the scheduler binds pending pods to nodes. @default true */
  scheduler?: boolean;
  /** Whether the kubelet runs the pods bound to nodes (Pending to Running, graceful deletion). @default true */
  kubelet?: boolean;
  /**
   * `false` for the static API: no controllers of kube-controller-manager, no scheduler, no kubelet (what
   * `controllers: [], scheduler: false, kubelet: false` give); nothing moves unless a client writes it.
   * @default true
   */
  cluster?: boolean;
  /**
   * On `close()`, write there the least-privilege RBAC (Roles, ClusterRole and bindings as YAML) for every
   * service account that made a request: see `rbacReport`.
   */
  rbacReportFile?: string;
  /**
   * Append every request, as kube-apiserver's audit log does (`--audit-log-path` with
   * `--audit-log-format=json`), to this file: one `audit.k8s.io/v1` Event per line. Created 0600 if
   * missing, appended to if not; flushed by `close()`.
   */
  auditLog?: string;
  /**
   * How much of each request is recorded: `Metadata` (who, what, the outcome), `Request` (also the request
   * body of resource requests), `RequestResponse` (also the response body). Tokens are always redacted.
   * @default 'Metadata'
   */
  auditLevel?: AuditLevel;
  /**
   * How many events `requests()` keeps (the oldest are dropped first); 0 keeps none. The audit log file
   * keeps them all.
   * @default 10000
   */
  auditMaxEvents?: number;
  /**
   * Fault rules in force from the start (`--faults FILE` reads them from YAML or JSON); more can be added
   * and removed while the server runs: `injectFault`, or `/fake-apiserver/v1/faults` over HTTPS.
   */
  faults?: readonly FaultRule[];
  /**
   * Serve the web inspector at `/fake-apiserver/ui/`: the requests made, live, with the RBAC decision and
   * its reason, and the objects in the store, Secrets included. It opens with the token in `uiUrl` (made
   * anew by each server), or to a credential of a user RBAC allows to list every resource; only to a `Host`
   * of `localhost`, `127.0.0.1`, `[::1]` or the address it listens on.
   * @default false
   */
  ui?: boolean;
  /**
   * Open connections served at once; a connection past it has its request answered 429 (`Retry-After: 1`)
   * and is closed.
   * @default 10000
   */
  maxConnections?: number;
  /**
   * Open watches at once; one more is answered 429 (`Retry-After: 1`), as kube-apiserver's
   * max-in-flight filter answers.
   * @default 10000
   */
  maxWatches?: number;
  /**
   * Seconds a client has to complete the TLS handshake, and then to send each request's headers, before
   * its connection is closed (a slow or silent client cannot hold the server).
   * @default 32, kube-apiserver's ReadHeaderTimeout
   */
  headersTimeoutSeconds?: number;
  /**
   * Bytes a watch may have queued for a client that does not read them; past it the watch is ended (as
   * kube-apiserver's watch cache ends an unresponsive watcher), and the other watches are not held up.
   * @default 16777216 (16 MiB)
   */
  watchBufferBytes?: number;
  /**
   * How long `close()` lets in-flight requests complete before it cuts their connections.
   * @default 5
   */
  shutdownTimeoutSeconds?: number;
  /**
   * Receives human-readable diagnostics: each denial in one line with the closest rule and what it lacked,
   * rejected tokens. Silent by default.
   */
  log?: (message: string) => void;
}

/** A static user. */
export interface StaticUser {
  name: string;
  uid?: string;
  groups?: readonly string[];
  /** Bearer token that authenticates as this user. */
  token?: string;
}

/** What an in-cluster client needs to reach the server. */
export interface KubernetesServiceEnv {
  KUBERNETES_SERVICE_HOST: string;
  KUBERNETES_SERVICE_PORT: string;
}

/** Options for issuing a service-account token through the handle. */
export interface IssueTokenOptions {
  /** Audiences; defaults to the API server's. */
  audiences?: string[];
  /** Lifetime in seconds. @default 3600 */
  expirationSeconds?: number;
  /** When the token counts as issued (`iat`/`nbf`); lets tests make expired or not-yet-valid tokens. @default now */
  issuedAt?: Date;
}

/** A running fake API server. */
export interface StartedFakeApiServer {
  /** `https://host:port` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA certificate (PEM) that signed the serving certificate. */
  readonly caCert: string;
  /** The sa-dir written, if one was requested. */
  readonly saDir: string | undefined;
  /** The kubeconfig written, if one was requested. */
  readonly kubeconfigPath: string | undefined;
  /** The admin kubeconfig's content (always available, even when not written to a file). */
  readonly kubeconfig: string;
  /**
   * The web inspector's page with its token (`https://host:port/fake-apiserver/ui/?token=…`) when `ui` is
   * set: whoever has it can read every object, Secrets included, while the server runs. A browser opening
   * it is given the token as a cookie and sent on to the page without it.
   */
  readonly uiUrl: string | undefined;
  /** `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` for in-cluster clients. */
  readonly env: KubernetesServiceEnv;
  /** Issues a token for an existing service account (`namespace/name`). */
  issueToken(serviceAccount: string, options?: IssueTokenOptions): string;
  /** The mount written for `saDir`/`root` at start, if any. */
  readonly serviceAccountMount: ServiceAccountMount | undefined;
  /**
   * Writes one more serviceaccount directory, for any identity, kept fresh as the kubelet keeps a pod's
   * volume; stopped by `close()`.
   */
  mountServiceAccount(options: MountServiceAccountOptions): Promise<ServiceAccountMount>;
  /**
   * Runs COMMAND as a container of a pod would (Linux only, without root): the serviceaccount directory at
   * `/var/run/secrets/kubernetes.io/serviceaccount`, kept fresh; with `pod`, its volumes at its container's
   * `volumeMounts`, kept up to date, its container's environment and its hostname; the API at
   * `https://kubernetes.default.svc` (10.96.0.1:443) in a network of its own. Resolves once COMMAND has
   * exited, to its exit code (128 + the signal's number when a signal ended it) and output. Rejects with
   * `FakeApiServerError` `SANDBOX_UNAVAILABLE` where the sandbox cannot be made (not Linux, user namespaces
   * disabled, `unshare` missing), `POD_NOT_RUNNABLE` where the kubelet would not start the container.
   */
  run(command: string, args?: readonly string[], options?: RunOptions): Promise<RunResult>;
  /**
   * A kubeconfig for any user, authenticated by a client certificate signed by the server's CA (CN = user,
   * O = groups), as kubeadm issues them. The user gets exactly what RBAC grants it.
   */
  kubeconfigFor(user: string, groups?: readonly string[]): Promise<string>;
  /** Appends text to a pod container's log (streamed to followers). */
  appendPodLog(namespace: string, pod: string, container: string, text: string): void;
  /**
   * Answers `kubectl exec` (and the clients' exec streams) for the pods, containers and commands `matcher`
   * selects: pods are never backed by containers, so a handler plays the command. A function gets the
   * session (stdin, stdout, stderr, resizes) and resolves with the exit code; `{ stdout, stderr, exitCode,
   * echoStdin }` is a scripted reply. The most recently registered match answers; without one the client
   * gets an InternalError status naming this method.
   */
  onExec(matcher: ExecMatcher, handler: ExecHandler): StreamHandlerRegistration;
  /** Answers `kubectl attach` as `onExec` answers exec (the command is ignored; the exit code is not reported). */
  onAttach(matcher: ExecMatcher, handler: ExecHandler): StreamHandlerRegistration;
  /**
   * Answers `kubectl port-forward` (and the clients' port-forward streams): each connection to a matching pod
   * port is connected to a local TCP port, a TCP address, or served by a function given the connection.
   */
  onPortForward(matcher: PortForwardMatcher, target: PortForwardTarget): StreamHandlerRegistration;
  /** Removes every exec, attach and port-forward handler (the control API's too). */
  clearStreamHandlers(): void;
  /**
   * The in-memory files of a pod container: what `kubectl cp` copies to and from (its `tar`), and what
   * `kubectl exec -- cat`, `ls` and `test` see when no `onExec` handler answers them. Seed files before a
   * test, read what it uploaded after. A pod's files are dropped when the pod is deleted.
   * @example server.podFiles({ pod: 'web' }).write('/etc/app.conf', 'debug=true\n');
   */
  podFiles(selector: PodFilesSelector): PodFiles;
  /**
   * The authorization decisions made so far (the last 10,000), oldest first: the request's
   * attributes, allowed or not, and why (the binding and rule that allowed it, or the closest rules that
   * did not and what each lacked). Impersonation checks are included; access reviews (`can-i`) are not.
   */
  authorizationDecisions(filter?: AuthorizationDecisionFilter): AuthorizationDecisionRecord[];
  /** A decision in a few readable lines: the verdict, the rule behind it or the closest misses and the fix. */
  explain(decision: AuthorizationDecisionRecord): string;
  /**
   * The least-privilege RBAC for one user as YAML for `kubectl apply -f`: the Roles, RoleBindings,
   * ClusterRole and ClusterRoleBinding that allow exactly the requests it made here, allowed or denied.
   */
  rbacReport(options: RbacReportOptions): string;
  /**
   * The requests answered so far (the last `auditMaxEvents`), oldest first, as kube-apiserver's audit events:
   * who (`user`, `impersonatedUser`), what (`verb`, `objectRef`, `requestURI`), the outcome
   * (`responseStatus`), the RBAC decision (`annotations`). A long-running request (watch, `pods/log`) has a
   * `ResponseStarted` event, then its `ResponseComplete`. Events are frozen.
   */
  requests(filter?: RecordedRequestFilter): AuditEvent[];
  /**
   * The writes (`create`, `update`, `patch`, `delete`, `deletecollection`) among them as short lines
   * `{ verb, resource, namespace, name, code }`, oldest first: `expect(server.writes({ user })).toEqual([...])`.
   */
  writes(filter?: RecordedRequestFilter): RecordedWrite[];
  /** Forgets the recorded requests (the audit log file keeps its lines). */
  clearRequests(): void;
  /**
   * Adds a fault rule: the requests it matches (after authentication and authorization) are delayed,
   * answered with a `Status`, reset, or have their watch broken. Throws `FakeApiServerError` for a bad rule.
   */
  injectFault(rule: FaultRule): FaultHandle;
  /** Removes every fault rule; returns them with their final counters. */
  clearFaults(): InjectedFault[];
  /** The fault rules held (spent ones too, until removed), with their counters, in the order they apply. */
  faults(): InjectedFault[];
  /**
   * Creates the objects that are absent and replaces those that exist (keeping uid and creationTimestamp),
   * with the defaulting and controllers of a REST create; namespaces they use are created if missing.
   * Takes YAML/JSON text, objects, or `{ path }` (read as fixtures). Resolves to the stored objects; a bad
   * document is a `FakeApiServerError` naming it, and then nothing is applied.
   */
  apply(manifests: ManifestInput): Promise<KubeObject[]>;
  /** One object (frozen), e.g. `get({ kind: 'Pod', namespace: 'default', name: 'helloworld' })`, or undefined. */
  get(reference: ObjectReference): KubeObject | undefined;
  /** Objects of a kind (frozen), e.g. `list({ kind: 'pods', namespace: 'default', labelSelector: 'app=web' })`. */
  list(query: ObjectListQuery): KubeObject[];
  /** Deletes an object as a REST DELETE does; its last state, or undefined if it did not exist. */
  delete(reference: ObjectReference): KubeObject | undefined;
  /** The objects and pod logs as they are now, for `restore`. */
  snapshot(): StateSnapshot;
  /**
   * Returns objects and pod logs to a snapshot. Open watches receive the difference as DELETED, ADDED and
   * MODIFIED events with new resourceVersions (they never go back), so informers converge without a relist.
   */
  restore(snapshot: StateSnapshot): Promise<void>;
  /**
   * Back to the state right after start-up (fixtures, bootstrap RBAC, controller-made objects, fixture pod
   * logs), as `restore` does, and forgets the recorded authorization decisions. Fast enough for `afterEach`.
   */
  reset(): Promise<void>;
  /**
   * Moves a fake clock (option `clock: createFakeClock()`) forward by a Go duration (`'2h'`, `'1h30m'`) or
   * milliseconds: tokens expire by it, new objects are stamped with it, and every serviceaccount directory
   * due for a refresh has been rewritten when the promise resolves (to the new time). Throws
   * `FakeApiServerError` `CLOCK_NOT_FAKE` with any other clock.
   */
  advanceClock(duration: DurationInput): Promise<Date>;
  /** Sets a fake clock to a later time, as `advanceClock` moves it. */
  setClock(time: TimeInput): Promise<Date>;
  /**
   * Sets what the simulated kubelet does with a pod's containers (`'ErrImagePull'`, `'CrashLoopBackOff'`,
   * `'Exit:2'`, `'OOMKilled'`, `'Unready'`, `'IgnoreSIGTERM'`) or a node (`'NotReady'`, `'Unreachable'`), or clears it with
   * `null`, by writing the `fake-apiserver.dev/scenario[.CONTAINER]` annotation through the API (a container
   * reads it when it next starts). Returns the object as stored, e.g.
   * `setScenario({ pod: 'default/web', container: 'app' }, 'CrashLoopBackOff')`,
   * `setScenario({ node: 'kind-control-plane' }, 'NotReady')`.
   */
  setScenario(
    target: { pod: string; container?: string } | { node: string },
    scenario: string | null,
  ): KubeObject;
  /**
   * Ends open watches and connections and stops listening, then writes `rbacReportFile` if given (rejects
   * with a `FakeApiServerError` if it cannot). Idempotent.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
