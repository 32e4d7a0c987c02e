import { generate } from 'selfsigned';
import { isIP } from 'node:net';

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
 * Generates a CA, a serving certificate signed by it whose SANs cover the in-cluster service names,
 * loopback and `host`, and an admin client certificate (CN `kubernetes-admin`, O `system:masters`), as
 * kubeadm issues them.
 * @see https://kubernetes.io/docs/setup/best-practices/certificates/
 */
export async function generateServerPki(host: string): Promise<ServerPki> {
  const caResult = await generate([{ name: 'commonName', value: 'fake-apiserver-ca' }], {
    ...keyOptions,
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const ca = { cert: caResult.cert, key: caResult.private };

  const ips = new Set(['127.0.0.1', '::1']);
  const dnsNames = new Set<string>(KUBERNETES_SERVICE_NAMES);
  if (host && host !== '0.0.0.0' && host !== '::') {
    if (isIP(host)) ips.add(host);
    else dnsNames.add(host);
  }
  const [servingResult, adminResult] = await Promise.all([
    generate([{ name: 'commonName', value: 'kube-apiserver' }], {
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
            ...[...dnsNames].map((value) => ({ type: 2 as const, value })),
            ...[...ips].map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    }),
    generateClientCertificate(ca, 'kubernetes-admin', ['system:masters']),
  ]);
  return {
    ca,
    serving: { cert: servingResult.cert, key: servingResult.private },
    admin: adminResult,
  };
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
