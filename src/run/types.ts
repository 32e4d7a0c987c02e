/** The network a run's COMMAND sees. */
export type RunNetwork = 'sandbox' | 'host';

/** What `run` is asked to show COMMAND: whose identity, and which network. */
export interface RunIdentityOptions {
  /**
   * Run as a container of this pod (`NAMESPACE/NAME`) sees the world: its service account's token, its
   * volumes at its container's `volumeMounts`, its container's environment, its hostname. The alternative
   * to `serviceAccount`.
   */
  pod?: string;
  /** Which container of the pod. @default the `kubectl.kubernetes.io/default-container` annotation's, else the first */
  container?: string;
  /**
   * Run with only this service account's directory (`NAMESPACE/NAME`), as a pod that mounts nothing else.
   * @default 'default/default' when `pod` is not given
   */
  serviceAccount?: string;
  /**
   * `'sandbox'` (default): a network of its own with only loopback, where the API answers at
   * `https://kubernetes.default.svc` (10.96.0.1:443); `'host'`: the host's network (other local services
   * reachable), where the in-cluster names resolve to 127.0.0.1 and the API answers on the server's port.
   * @default 'sandbox'
   */
  network?: RunNetwork;
  /** Lifetime of the serviceaccount directory's token for `serviceAccount` runs. @default 3607 */
  tokenTtlSeconds?: number;
}

/** Options of `server.run()` and of `runInPod()` from `fake-apiserver/vitest`. */
export interface RunOptions extends RunIdentityOptions {
  /** Written to COMMAND's stdin, which is then closed; without it stdin is empty. */
  input?: string;
  /** More environment for COMMAND, over the pod's (the process's own, less `KUBERNETES_*`, is the base). */
  env?: Record<string, string>;
  /** COMMAND's working directory. @default process.cwd() */
  cwd?: string;
  /** Sends SIGTERM to COMMAND when aborted. */
  signal?: AbortSignal;
}

/** How COMMAND ended. */
export interface RunResult {
  /** COMMAND's exit code; 128 + the signal's number when a signal ended it, as a shell reports it. */
  code: number;
  /** The signal that ended COMMAND, if one did. */
  signal: NodeJS.Signals | undefined;
  stdout: string;
  stderr: string;
}

/** A file or directory the sandbox shows at `target`. */
export interface RunMount {
  /** An absolute path on the host. */
  source: string;
  /** Where COMMAND sees it. */
  target: string;
  readOnly: boolean;
}

/**
 * What the server prepared for one run, for the process that makes the sandbox (JSON, as the control API
 * answers it): the files it keeps up to date, where COMMAND sees them, its environment and network.
 */
export interface RunPlan {
  /** The directory (absolute, on the server's machine) holding the run's files. */
  dir: string;
  /** The namespace of the pod or service account. */
  namespace: string;
  /** `NAMESPACE/NAME` of the service account whose token COMMAND has, if any. */
  serviceAccount: string | undefined;
  /** `NAMESPACE/NAME` of the pod and the container, with `pod`. */
  pod: string | undefined;
  container: string | undefined;
  /** The pod's hostname, with `pod`. */
  hostname: string | undefined;
  /** The container's environment as the kubelet makes it, in order. */
  env: [string, string][];
  /** What COMMAND sees where, the shallowest first. */
  mounts: RunMount[];
  network: RunNetwork;
  /** Where COMMAND reaches the API: `10.96.0.1:443` in the sandbox's network, the server's address on the host's. */
  api: { address: string; port: number };
  /** Addresses put on the sandbox's loopback interface besides 127.0.0.1: the API's, the pod's. */
  loopbackAddresses: string[];
  /** Where the server listens: connections to `api` are relayed there. */
  upstream: { host: string; port: number };
}
