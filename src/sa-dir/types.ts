/** Where and for whom `mountServiceAccount` writes a serviceaccount directory. */
export interface MountServiceAccountOptions {
  /** The directory to write `token`, `ca.crt` and `namespace` into. Give this or `root`. */
  dir?: string;
  /**
   * A root to write the files under, at `ROOT/var/run/secrets/kubernetes.io/serviceaccount/`: the layout
   * `KubeConfig.loadFromCluster(root)` of `@kubernetes/client-node` reads. Give this or `dir`.
   */
  root?: string;
  /**
   * Whose token it is, as `NAMESPACE/NAME`; the alternative to `pod`.
   * @default 'default/default'
   */
  serviceAccount?: string;
  /**
   * The pod (`NAMESPACE/NAME`) whose volume this is, as the kubelet writes it: its namespace, a token for
   * its `spec.serviceAccountName` bound to the pod (`kubernetes.io.pod`), which stops working once the pod
   * is deleted or recreated. Refused when the pod or its service account has
   * `automountServiceAccountToken: false`.
   */
  pod?: string;
  /**
   * The token's lifetime; the token is rewritten once older than 80 % of it (or 24 h).
   * @default 3607, what the kubelet asks for
   */
  tokenTtlSeconds?: number;
}

/** A serviceaccount directory the server keeps fresh, as the kubelet keeps a pod's volume. */
export interface ServiceAccountMount {
  /** The directory holding `token`, `ca.crt` and `namespace`. */
  readonly dir: string;
  readonly tokenFile: string;
  readonly caFile: string;
  readonly namespaceFile: string;
  /** The service account the token is for, `NAMESPACE/NAME`. */
  readonly serviceAccount: string;
  /** The pod the token is bound to, `NAMESPACE/NAME`, if any. */
  readonly pod: string | undefined;
  readonly tokenTtlSeconds: number;
  /** The token currently in `tokenFile`. */
  readonly token: string;
  /**
   * When the current token expires, by the server's clock: a year after issue for a pod's token of the
   * kubelet's 3607 s, whose expiry kube-apiserver extends (`warnafter` marks the requested lifetime).
   */
  readonly expiresAt: Date;
  /** When the current token will be replaced, by the server's clock. */
  readonly refreshAt: Date;
  /** Writes a new token now, through the same `..data` swap as a scheduled refresh. */
  rotate(): Promise<void>;
  /** Stops refreshing (the files stay). Idempotent; the server's `close()` stops every mount. */
  stop(): Promise<void>;
}
