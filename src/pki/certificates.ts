import { isIP } from 'node:net';

// selfsigned (with its ASN.1 stack) is the heaviest import of all: loaded only when a certificate is made.
// (A CommonJS module: its exports are the namespace's own in Node and its `default` once bundled.)
type SelfsignedModule = typeof import('selfsigned');
const generate = async (...args: Parameters<SelfsignedModule['generate']>) => {
  const module = (await import('selfsigned')) as SelfsignedModule & { default?: SelfsignedModule };
  return (module.generate ?? module.default!.generate)(...args);
};

/** A PEM certificate with its private key. */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** The key material a server needs: a CA, a serving certificate and an admin client certificate. */
export interface ServerPki {
  ca: CertificateAndKey;
  serving: CertificateAndKey;
  admin: CertificateAndKey;
}

/** The names every in-cluster client may use for the API server. */
export const KUBERNETES_SERVICE_NAMES = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
] as const;

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const ONE_DAY_MS = 24 * 3600 * 1000;

// EC P-256 keys take about a millisecond to generate where RSA-2048 takes up to a second; every
// client we target (Go, OpenSSL, Node) verifies ECDSA chains.
const keyOptions = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  // Back-dated so that a client whose clock lags a little still accepts the chain.
  const notBeforeDate = new Date(Date.now() - ONE_DAY_MS);
  return { notBeforeDate, notAfterDate: new Date(notBeforeDate.getTime() + TEN_YEARS_MS) };
}

/**
 * The `kubernetes` Service's ClusterIP (kubeadm's first service address), which in-cluster clients dial
 * from `KUBERNETES_SERVICE_HOST` and verify as an IP SAN, as kube-apiserver's certificate names it.
 */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

/**
 * The subject alternative names of the serving certificate for a listening `host`: loopback, the in-cluster
 * names and the Service's ClusterIP (what `fake-apiserver run` serves in its sandbox), and `host`.
 */
export function servingNames(host: string): { dnsNames: string[]; ips: string[] } {
  const ips = new Set(['127.0.0.1', '::1', KUBERNETES_SERVICE_IP]);
  const dnsNames = new Set<string>(KUBERNETES_SERVICE_NAMES);
  if (host && host !== '0.0.0.0' && host !== '::') {
    if (isIP(host)) ips.add(host);
    else dnsNames.add(host);
  }
  return { dnsNames: [...dnsNames], ips: [...ips] };
}

/** Generates the cluster CA (10 years, back-dated a day). */
export async function generateCa(): Promise<CertificateAndKey> {
  const result = await generate([{ name: 'commonName', value: 'fake-apiserver-ca' }], {
    ...keyOptions,
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: result.cert, key: result.private };
}

/**
 * Issues the serving certificate (CN `kube-apiserver`) whose SANs cover the in-cluster service names,
 * loopback and `host`.
 */
export async function generateServingCertificate(
  ca: CertificateAndKey,
  host: string,
): Promise<CertificateAndKey> {
  const { dnsNames, ips } = servingNames(host);
  const result = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    ...keyOptions,
    ...validity(),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dnsNames.map((value) => ({ type: 2 as const, value })),
          ...ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}

/** The admin identity of kubeadm's `admin.conf`: CN `kubernetes-admin`, O `system:masters`. */
export const ADMIN_USER = { name: 'kubernetes-admin', groups: ['system:masters'] } as const;

/**
 * Generates a CA, a serving certificate signed by it, and an admin client certificate, as kubeadm issues
 * them.
 * @see https://kubernetes.io/docs/setup/best-practices/certificates/
 */
export async function generateServerPki(host: string): Promise<ServerPki> {
  const ca = await generateCa();
  const [serving, admin] = await Promise.all([
    generateServingCertificate(ca, host),
    generateClientCertificate(ca, ADMIN_USER.name, ADMIN_USER.groups),
  ]);
  return { ca, serving, admin };
}

/**
 * Issues a client certificate signed by `ca`: the apiserver's x509 authenticator takes the user name
 * from the subject's CN and the groups from its O values.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/authentication/request/x509/x509.go
 */
export async function generateClientCertificate(
  ca: CertificateAndKey,
  user: string,
  groups: readonly string[],
): Promise<CertificateAndKey> {
  const result = await generate(
    [...groups.map((value) => ({ name: 'organizationName', value })), { name: 'commonName', value: user }],
    {
      ...keyOptions,
      ...validity(),
      ca,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    },
  );
  return { cert: result.cert, key: result.private };
}
