import { isIPv6 } from 'node:net';

/** Where the server listens: its `host` option (a name or an address) and its port. */
export interface ListenAddress {
  host: string;
  port: number;
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
const UNSPECIFIED_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '[::]']);
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/;

/** A host as it stands in a URL and a `Host` header: IPv6 addresses in brackets, lower case. */
function asUrlHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return (isIPv6(bare) ? `[${bare}]` : bare).toLowerCase();
}

/** The address a connection arrived at, as a URL host (an IPv4-mapped address as its IPv4 form). */
function localUrlHost(address: string): string {
  return asUrlHost(address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1'));
}

/**
 * Whether a request's `Host` header names this server, the web inspector's defence against DNS rebinding
 * (a page of another site whose name was made to resolve to this machine): `localhost`, `127.0.0.1`,
 * `[::1]` or the host the server listens on, and, on a server listening on every address (`0.0.0.0`, `::`),
 * the address the connection arrived at; with the server's port, which may be left out only when it is 443.
 */
export function isAllowedHost(
  hostHeader: string | undefined,
  listen: ListenAddress,
  localAddress: string | undefined,
): boolean {
  const match = HOST_HEADER.exec((hostHeader ?? '').toLowerCase());
  if (!match) return false;
  const [, host, port] = match as unknown as [string, string, string | undefined];
  if (port === undefined ? listen.port !== 443 : Number(port) !== listen.port) return false;
  if (LOOPBACK_NAMES.has(host)) return true;
  const listening = asUrlHost(listen.host);
  if (!UNSPECIFIED_HOSTS.has(listening)) return host === listening;
  return localAddress !== undefined && host === localUrlHost(localAddress);
}
