import { stringify } from 'yaml';

/** What a kubeconfig needs. */
export interface KubeconfigInput {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  user?: string;
  cluster?: string;
  namespace?: string;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A kubeconfig with the CA and the client credentials embedded, for kubectl and out-of-cluster clients. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster = input.cluster ?? 'fake-apiserver';
  const user = input.user ?? 'fake-apiserver-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { server: input.server, 'certificate-authority-data': b64(input.caCert) } },
    ],
    users: [
      {
        name: user,
        user: { 'client-certificate-data': b64(input.clientCert), 'client-key-data': b64(input.clientKey) },
      },
    ],
    contexts: [{ name: cluster, context: { cluster, user, namespace: input.namespace ?? 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}
