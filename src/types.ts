import type { MountServiceAccountOptions, ServiceAccountMount } from './sa-dir/types.js';
import type { Clock } from './server/clock.js';
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
   * On `close()`, write there the least-privilege RBAC (Roles, ClusterRole and bindings as YAML) for every
   * service account that made a request: see `rbacReport`.
   */
  rbacReportFile?: string;
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
   * A kubeconfig for any user, authenticated by a client certificate signed by the server's CA (CN = user,
   * O = groups), as kubeadm issues them. The user gets exactly what RBAC grants it.
   */
  kubeconfigFor(user: string, groups?: readonly string[]): Promise<string>;
  /** Appends text to a pod container's log (streamed to followers). */
  appendPodLog(namespace: string, pod: string, container: string, text: string): void;
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
   * Ends open watches and connections and stops listening, then writes `rbacReportFile` if given (rejects
   * with a `FakeApiServerError` if it cannot). Idempotent.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
