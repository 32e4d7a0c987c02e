/** The connection details provided to tests as `inject('fakeApiserver')`. */
export interface FakeApiServerConnection {
  url: string;
  host: string;
  port: number;
  saDir: string;
  caFile: string;
  tokenFile: string;
  namespaceFile: string;
  /** An admin kubeconfig (`system:masters` client certificate). */
  kubeconfigPath: string;
  /** The admin client certificate and key (PEM), for HTTPS clients that take files (`curl --cert`). */
  adminCertFile: string;
  adminKeyFile: string;
  /** `https://host:port/fake-apiserver/v1`: `POST reset`, `POST snapshots`, `POST clock`, `POST mounts`. */
  controlUrl: string;
  /** With `ui: true`: the web inspector's URL with its token (also printed on stderr at start). */
  uiUrl?: string;
}
