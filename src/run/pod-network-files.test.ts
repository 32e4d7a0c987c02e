import { describe, expect, it } from 'vitest';
import { hostsFile, parseResolvConf, podHostname, resolvConf } from './pod-network-files.js';

const host = parseResolvConf('# from DHCP\nnameserver 192.168.1.1\nsearch corp.example\noptions edns0\n');

describe("a pod's network files", () => {
  it('names the host after the pod, or spec.hostname, cut to 63 characters; subdomain gives a domain', () => {
    expect(podHostname({ metadata: { name: 'web', namespace: 'shop' } })).toEqual({ hostname: 'web' });
    expect(
      podHostname({
        metadata: { name: 'web-0', namespace: 'shop' },
        spec: { hostname: 'db-0', subdomain: 'db' },
      }),
    ).toEqual({ hostname: 'db-0', domain: 'db.shop.svc.cluster.local' });
    expect(podHostname({ metadata: { name: `${'a'.repeat(62)}-b` } }).hostname).toBe('a'.repeat(62));
  });

  it("writes the kubelet's hosts file, then the API server's in-cluster names", () => {
    const text = hostsFile({
      pod: {
        hostname: { hostname: 'db-0', domain: 'db.shop.svc.cluster.local' },
        ips: ['10.244.1.17'],
        hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }],
      },
      apiAddress: '10.96.0.1',
    });
    expect(text).toBe(
      '# Kubernetes-managed hosts file.\n' +
        '127.0.0.1\tlocalhost\n' +
        '::1\tlocalhost ip6-localhost ip6-loopback\n' +
        'fe00::0\tip6-localnet\n' +
        'fe00::0\tip6-mcastprefix\n' +
        'fe00::1\tip6-allnodes\n' +
        'fe00::2\tip6-allrouters\n' +
        '10.244.1.17\tdb-0.db.shop.svc.cluster.local\tdb-0\n' +
        '\n# Entries added by HostAliases.\n' +
        '10.1.2.3\tfoo.local\tbar.local\n' +
        "\n# The API server's in-cluster names (fake-apiserver run; CoreDNS answers them in a cluster).\n" +
        '10.96.0.1\tkubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local\n',
    );
  });

  it("gives ClusterFirst the namespace's search path and ndots:5; on the host's network, the host's nameservers", () => {
    expect(resolvConf({ namespace: 'shop', host, network: 'sandbox' })).toBe(
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    expect(resolvConf({ namespace: 'shop', host, network: 'host' })).toBe(
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 192.168.1.1\noptions ndots:5\n',
    );
  });

  it("gives Default the host's file, None only dnsConfig, and merges dnsConfig", () => {
    const pod = (spec: Record<string, unknown>) => ({ metadata: { name: 'p', namespace: 'shop' }, spec });
    expect(
      resolvConf({ namespace: 'shop', pod: pod({ dnsPolicy: 'Default' }), host, network: 'sandbox' }),
    ).toBe('search corp.example\nnameserver 192.168.1.1\noptions edns0\n');
    expect(
      resolvConf({
        namespace: 'shop',
        pod: pod({
          dnsPolicy: 'None',
          dnsConfig: {
            nameservers: ['1.2.3.4'],
            searches: ['a.example'],
            options: [{ name: 'ndots', value: '2' }],
          },
        }),
        host,
        network: 'sandbox',
      }),
    ).toBe('search a.example\nnameserver 1.2.3.4\noptions ndots:2\n');
    expect(
      resolvConf({
        namespace: 'shop',
        pod: pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } }),
        host,
        network: 'sandbox',
      }),
    ).toBe(
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:1 single-request\n',
    );
  });
});
