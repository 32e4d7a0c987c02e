/**
 * What a pod's container finds about its network: its hostname, `/etc/hosts` and `/etc/resolv.conf`, as the
 * kubelet writes them, plus the in-cluster names of the API server, which CoreDNS would answer.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kubelet_pods.go (managedHostsFileContent)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/network/dns/dns.go
 */
import { isIP } from 'node:net';
import { isJsonObject } from '../json/json-object.js';
import { KUBERNETES_SERVICE_NAMES } from '../pki/certificates.js';
import type { KubeObject } from '../registry/resource-kind.js';

/** The cluster's DNS domain, kubeadm's default. */
export const CLUSTER_DOMAIN = 'cluster.local';
/** kube-dns's ClusterIP in kubeadm's service range: the `nameserver` of a `ClusterFirst` pod. */
export const CLUSTER_DNS_IP = '10.96.0.10';

/** A pod's hostname and, with `spec.subdomain`, its domain. */
export interface PodHostname {
  hostname: string;
  domain?: string;
}

/**
 * `GeneratePodHostNameAndDomain`: `spec.hostname` or the pod's name, cut to 63 characters (without a
 * trailing `-` or `.`), and `SUBDOMAIN.NAMESPACE.svc.cluster.local` with `spec.subdomain`. With
 * `setHostnameAsFQDN`, the hostname is the full name.
 */
export function podHostname(pod: KubeObject): PodHostname {
  const spec = (pod.spec ?? {}) as { hostname?: unknown; subdomain?: unknown; setHostnameAsFQDN?: unknown };
  let hostname =
    typeof spec.hostname === 'string' && spec.hostname ? spec.hostname : (pod.metadata?.name ?? '');
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const namespace = pod.metadata?.namespace ?? 'default';
  const domain =
    typeof spec.subdomain === 'string' && spec.subdomain
      ? `${spec.subdomain}.${namespace}.svc.${CLUSTER_DOMAIN}`
      : undefined;
  if (domain && spec.setHostnameAsFQDN === true) return { hostname: `${hostname}.${domain}`, domain };
  return { hostname, ...(domain ? { domain } : {}) };
}

/** What `/etc/hosts` is made of. */
export interface HostsFileInput {
  /** The pod's hostname and IPs (none without `--pod`). */
  pod?: { hostname: PodHostname; ips: readonly string[]; hostAliases?: unknown };
  /** Where the in-cluster names of the API server resolve: the Service's ClusterIP, or 127.0.0.1. */
  apiAddress: string;
}

/**
 * The kubelet's managed hosts file (localhost, the IPv6 names, the pod's IPs with its hostname, the
 * `hostAliases`), then `kubernetes`, `kubernetes.default`, `kubernetes.default.svc` and
 * `kubernetes.default.svc.cluster.local` at `apiAddress`.
 */
export function hostsFile({ pod, apiAddress }: HostsFileInput): string {
  let text = '# Kubernetes-managed hosts file.\n';
  text += '127.0.0.1\tlocalhost\n';
  text += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  text += 'fe00::0\tip6-localnet\n';
  text += 'fe00::0\tip6-mcastprefix\n';
  text += 'fe00::1\tip6-allnodes\n';
  text += 'fe00::2\tip6-allrouters\n';
  if (pod) {
    const { hostname, domain } = pod.hostname;
    const short = domain ? hostname.replace(`.${domain}`, '') : hostname;
    for (const ip of pod.ips) text += domain ? `${ip}\t${short}.${domain}\t${short}\n` : `${ip}\t${short}\n`;
    const aliases = Array.isArray(pod.hostAliases) ? pod.hostAliases.filter(isJsonObject) : [];
    if (aliases.length > 0) {
      text += '\n# Entries added by HostAliases.\n';
      for (const alias of aliases) {
        const names = Array.isArray(alias.hostnames) ? alias.hostnames.map(String) : [];
        if (typeof alias.ip === 'string' && names.length > 0) text += `${alias.ip}\t${names.join('\t')}\n`;
      }
    }
  }
  const apiNames = KUBERNETES_SERVICE_NAMES.filter((name) => name !== 'localhost');
  text += `\n# The API server's in-cluster names (fake-apiserver run; CoreDNS answers them in a cluster).\n`;
  text += `${apiAddress}\t${apiNames.join(' ')}\n`;
  return text;
}

/** The parts of a resolv.conf. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** Reads the `nameserver`, `search`/`domain` and `options` lines of a resolv.conf. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const fields = line
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    const [keyword, ...values] = fields;
    if (keyword === 'nameserver' && values[0]) conf.nameservers.push(values[0]);
    else if (keyword === 'search' || keyword === 'domain') conf.searches = values;
    else if (keyword === 'options') conf.options.push(...values);
  }
  return conf;
}

function mergeOptions(base: string[], extra: unknown): string[] {
  const options = new Map(base.map((option) => [option.split(':')[0]!, option]));
  for (const option of Array.isArray(extra) ? extra.filter(isJsonObject) : []) {
    if (typeof option.name !== 'string') continue;
    options.set(
      option.name,
      typeof option.value === 'string' ? `${option.name}:${option.value}` : option.name,
    );
  }
  return [...options.values()];
}

/** What resolv.conf is made from. */
export interface ResolvConfInput {
  namespace: string;
  /** The pod, for its `dnsPolicy` and `dnsConfig`; without one, `ClusterFirst`. */
  pod?: KubeObject;
  /** The host's resolv.conf. */
  host: ResolvConf;
  /**
   * In the sandbox's own network the pod's nameservers are kept (the cluster's DNS address: unreachable
   * there, so a lookup fails at once); on the host's network the host's nameservers replace them, so that
   * no query goes to an address the host did not choose.
   */
  network: 'sandbox' | 'host';
}

/**
 * The pod's resolv.conf as the kubelet's `GetPodDNS` makes it: for `ClusterFirst`, the search path
 * `NAMESPACE.svc.cluster.local svc.cluster.local cluster.local` before the host's, `options ndots:5`; for
 * `Default`, the host's; for `None`, `dnsConfig` alone; `dnsConfig` is merged into the others.
 */
export function resolvConf({ namespace, pod, host, network }: ResolvConfInput): string {
  const spec = (pod?.spec ?? {}) as { dnsPolicy?: unknown; dnsConfig?: unknown; hostNetwork?: unknown };
  const policy = typeof spec.dnsPolicy === 'string' ? spec.dnsPolicy : 'ClusterFirst';
  const clusterFirst =
    policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && spec.hostNetwork !== true);
  let conf: ResolvConf;
  if (policy === 'None') conf = { nameservers: [], searches: [], options: [] };
  else if (clusterFirst) {
    conf = {
      nameservers: network === 'sandbox' ? [CLUSTER_DNS_IP] : [...host.nameservers],
      searches: [
        `${namespace}.svc.${CLUSTER_DOMAIN}`,
        `svc.${CLUSTER_DOMAIN}`,
        CLUSTER_DOMAIN,
        ...host.searches.filter((domain) => domain !== '.'),
      ],
      options: ['ndots:5'],
    };
  } else
    conf = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  const dnsConfig = isJsonObject(spec.dnsConfig) ? spec.dnsConfig : {};
  if (Array.isArray(dnsConfig.nameservers)) {
    for (const server of dnsConfig.nameservers.map(String)) {
      if (isIP(server) && !conf.nameservers.includes(server)) conf.nameservers.push(server);
    }
  }
  if (Array.isArray(dnsConfig.searches)) {
    for (const domain of dnsConfig.searches.map(String)) {
      if (!conf.searches.includes(domain)) conf.searches.push(domain);
    }
  }
  conf.options = mergeOptions(conf.options, dnsConfig.options);
  if (network === 'host') conf.nameservers = [...host.nameservers];
  let text = '';
  if (conf.searches.length > 0) text += `search ${conf.searches.join(' ')}\n`;
  for (const server of conf.nameservers) text += `nameserver ${server}\n`;
  if (conf.options.length > 0) text += `options ${conf.options.join(' ')}\n`;
  return text;
}
