import { connect } from 'node:net';
import { Duplex, type Readable } from 'node:stream';
import type { PortForwardTarget } from './handler-types.js';

/** One forwarded connection as the transport carries it: the client's bytes in, a writer back. */
export interface ForwardedConnection {
  incoming: Readable;
  write(data: Buffer): void;
  /** Half-closes towards the client. */
  end(): void;
}

/** The pod a connection is forwarded into. */
export interface ForwardInfo {
  namespace: string;
  pod: string;
  uid: string;
  port: number;
}

/** The message the client sees when no handler answers a port. */
export function noPortForwardHandler(info: ForwardInfo): string {
  return (
    `[fake-apiserver] no port-forward handler for pod ${info.namespace}/${info.pod} port ${info.port}: ` +
    `pods are not backed by containers; register one with server.onPortForward({ pod: '${info.pod}', port: ${info.port} }, localPort) ` +
    `or POST /fake-apiserver/v1/stream-handlers/portforward`
  );
}

/**
 * The kubelet's wording around a forwarding failure (`portforward/httpstream.go` and `websocket.go`:
 * `error forwarding port %d to pod %s, uid %v: %v`, the pod as `name_namespace`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubelet/pkg/cri/streaming/portforward/httpstream.go
 */
export function forwardingError(info: ForwardInfo, cause: string): string {
  return `error forwarding port ${info.port} to pod ${info.pod}_${info.namespace}, uid ${info.uid}: ${cause}`;
}

/**
 * Connects one forwarded connection to its target: a TCP address, or a handler given a duplex. Resolves when
 * both directions are done; rejects (with the cause) when the target cannot be reached. As the CRI runtime
 * does, the client's half-close half-closes the target, and the target's end half-closes the client.
 */
export function forward(
  target: PortForwardTarget,
  info: ForwardInfo,
  client: ForwardedConnection,
): Promise<void> {
  if (typeof target === 'function') {
    const duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        client.write(chunk);
        callback();
      },
      final(callback) {
        client.end();
        callback();
      },
    });
    client.incoming.on('data', (chunk: Buffer) => duplex.push(chunk));
    client.incoming.on('end', () => duplex.push(null));
    return new Promise((resolve) => {
      duplex.on('finish', resolve);
      duplex.on('close', resolve);
      try {
        target(duplex, { namespace: info.namespace, pod: info.pod, port: info.port });
      } catch {
        duplex.destroy();
      }
    });
  }
  const address = typeof target === 'number' ? { host: '127.0.0.1', port: target } : target;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host ?? '127.0.0.1', port: address.port });
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      client.incoming.on('data', (chunk: Buffer) => socket.write(chunk));
      client.incoming.on('end', () => socket.end());
    });
    socket.on('data', (chunk: Buffer) => client.write(chunk));
    socket.on('end', () => client.end());
    socket.on('error', (error) => {
      if (!connected)
        reject(
          new Error(`failed to connect to ${address.host ?? '127.0.0.1'}:${address.port}: ${error.message}`),
        );
    });
    socket.on('close', () => {
      if (connected) {
        client.end();
        resolve();
      }
    });
  });
}
