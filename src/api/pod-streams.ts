import type { Duplex } from 'node:stream';
import { upgradeFailure, websocketProtocolRefused } from '../errors/plain-text-error.js';
import { badRequest, methodNotAllowed, notFound } from '../errors/status.js';
import { booleanParameter } from '../http/query-parameters.js';
import { upgradeOf, type UpgradedConnection } from '../http/upgrade.js';
import { builtInExecHandler } from '../pod-files/built-in-exec.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import {
  EXEC_WEBSOCKET_PROTOCOLS,
  negotiateProtocol,
  PORT_FORWARD_WEBSOCKET_PROTOCOLS,
} from '../streams/channel-protocol.js';
import { EXEC_SPDY_PROTOCOLS, SpdyExecStreams } from '../streams/exec-spdy.js';
import { commandStreamsOverWebSocket, type StreamOptions } from '../streams/exec-websocket.js';
import { SpdyPortForward, servePortForwardOverWebSocket } from '../streams/port-forward-sessions.js';
import { execSession, runExecHandler, type CommandStreams } from '../streams/remote-command.js';
import { SpdySession, type SpdyStream } from '../streams/spdy-session.js';
import type { StreamHandlers } from '../streams/stream-handlers.js';
import {
  handshakeResponse,
  isWebSocketRequest,
  offeredProtocols,
  WebSocketConnection,
} from '../streams/websocket.js';

/**
 * The pod subresources that stream: `exec`, `attach` and `portforward`. kube-apiserver checks the pod
 * (`pkg/registry/core/pod/strategy.go` `streamLocation`, `PortForwardLocation`) and hands the connection to
 * the kubelet, whose streaming server (or, for WebSocket v5, the apiserver's translator) speaks the protocol.
 * Here no container exists: the protocols are served in-process and the handlers a test registered answer.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/pkg/registry/core/pod/rest/subresources.go
 */

const SPDY_PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';

/** The subresources this module serves. */
export const STREAMING_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward']);

function containerNames(pod: KubeObject, field: string): string[] {
  const list = ((pod.spec as Record<string, unknown> | undefined)?.[field] as { name?: string }[]) ?? [];
  return list.map((c) => c.name ?? '');
}

/** `validateContainer` of `strategy.go`: the named container, or the only one. */
function resolveContainer(pod: KubeObject, name: string, requested: string): string {
  const containers = containerNames(pod, 'containers');
  if (requested === '') {
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    // podutil.VisitContainers order: init containers, containers, ephemeral containers; printed as a Go slice.
    const all = [
      ...containerNames(pod, 'initContainers'),
      ...containers,
      ...containerNames(pod, 'ephemeralContainers'),
    ];
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  const all = [
    ...containers,
    ...containerNames(pod, 'initContainers'),
    ...containerNames(pod, 'ephemeralContainers'),
  ];
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

function requireHost(pod: KubeObject, name: string): void {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
}

function headerValues(value: string | string[] | undefined): string[] {
  return offeredProtocols(value);
}

function switchingProtocolsHead(ctx: RequestContext, headers: Record<string, string>): string {
  // What the request metrics count the stream with when it ends; nothing is written through the response.
  ctx.res.statusCode = 101;
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  for (const name of ['audit-id', 'cache-control']) {
    const value = ctx.res.getHeader(name);
    if (value !== undefined)
      lines.push(`${name === 'audit-id' ? 'Audit-Id' : 'Cache-Control'}: ${String(value)}`);
  }
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Takes the socket away from the HTTP response: from now on, only the protocol writes to it. */
function takeSocket(server: ServerContext, upgrade: UpgradedConnection, head: string): Duplex {
  const { socket } = upgrade;
  socket.write(head);
  if (upgrade.head.length > 0) socket.unshift(upgrade.head);
  const untrack = server.trackStream(() => socket.destroy());
  socket.once('close', untrack);
  socket.on('error', () => {});
  return socket;
}

function acceptWebSocket(
  server: ServerContext,
  ctx: RequestContext,
  upgrade: UpgradedConnection,
  protocol: string,
  events: { message(data: Buffer): void; close(): void },
): WebSocketConnection {
  const key = String(ctx.req.headers['sec-websocket-key'] ?? '');
  const head = handshakeResponse(key, protocol).replace(
    'HTTP/1.1 101 Switching Protocols\r\n',
    switchingProtocolsHead(ctx, {}).replace(/\r\n\r\n$/, '\r\n'),
  );
  const socket = takeSocket(server, upgrade, head);
  return new WebSocketConnection(socket, { message: (data) => events.message(data), close: events.close });
}

function spdyOverSocket(
  server: ServerContext,
  ctx: RequestContext,
  upgrade: UpgradedConnection,
  protocol: string,
  accept: (stream: SpdyStream) => boolean,
  onClose: () => void,
): SpdySession {
  const socket = takeSocket(
    server,
    upgrade,
    switchingProtocolsHead(ctx, {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': protocol,
    }),
  );
  const session = new SpdySession(
    { write: (data) => void socket.write(data), end: () => void socket.end() },
    { stream: accept, close: onClose },
  );
  socket.on('data', (chunk: Buffer) => session.receive(chunk));
  socket.on('close', () => session.transportClosed());
  return session;
}

/** The SPDY protocol negotiation (`httpstream.Handshake`), or the kubelet's plain-text refusal. */
function negotiateSpdy(ctx: RequestContext, supported: readonly string[]): string {
  const offered = headerValues(ctx.req.headers['x-stream-protocol-version']);
  if (offered.length === 0)
    throw upgradeFailure(400, 'unable to upgrade: X-Stream-Protocol-Version is required');
  const chosen = offered.find((p) => supported.includes(p));
  if (!chosen) {
    for (const p of supported) ctx.res.appendHeader('X-Accepted-Stream-Protocol-Versions', p);
    throw upgradeFailure(
      403,
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]`,
    );
  }
  const connection = String(ctx.req.headers.connection ?? '').toLowerCase();
  const upgrade = String(ctx.req.headers.upgrade ?? '').toLowerCase();
  if (!connection.includes('upgrade') || !upgrade.includes('spdy/3.1'))
    throw upgradeFailure(400, 'unable to upgrade: missing upgrade headers in request');
  return chosen;
}

function noExecHandler(
  kind: 'exec' | 'attach',
  target: { namespace: string; pod: string; container: string; command: string[] },
): string {
  const what =
    kind === 'exec'
      ? `exec handler matches pod ${target.namespace}/${target.pod} container ${target.container} command ${JSON.stringify(target.command)}`
      : `attach handler matches pod ${target.namespace}/${target.pod} container ${target.container}`;
  const register =
    kind === 'exec'
      ? `server.onExec({ pod: '${target.pod}' }, handler) or POST /fake-apiserver/v1/stream-handlers/exec`
      : `server.onAttach({ pod: '${target.pod}' }, handler) or POST /fake-apiserver/v1/stream-handlers/attach`;
  const builtIns = kind === 'exec' ? ` (only kubectl cp's tar and test -d, cat and ls are built in)` : '';
  return `[fake-apiserver] no ${what}: pods are not backed by containers${builtIns}; register one with ${register}`;
}

/** The container's `workingDir`, where a relative path starts (`/` when the image's default is not known). */
function workingDirOf(pod: KubeObject, container: string): string {
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    const list = ((pod.spec as Record<string, unknown> | undefined)?.[field] ?? []) as {
      name?: string;
      workingDir?: string;
    }[];
    const found = list.find((c) => c.name === container);
    if (found) return found.workingDir || '/';
  }
  return '/';
}

async function runCommand(
  server: ServerContext,
  handlers: StreamHandlers,
  kind: 'exec' | 'attach',
  target: { namespace: string; pod: string; container: string; command: string[] },
  tty: boolean,
  streams: CommandStreams,
  pod: KubeObject,
): Promise<void> {
  // A registered handler always wins; then the container's own commands (kubectl cp's tar, cat, ls, test).
  const handler =
    kind === 'exec'
      ? (handlers.findExec(target) ??
        (server.podFiles &&
          builtInExecHandler(server.podFiles, target, workingDirOf(pod, target.container), () =>
            server.clock.now(),
          )))
      : handlers.findAttach(target);
  if (!handler) {
    streams.finish({ kind: 'error', message: noExecHandler(kind, target) });
    return;
  }
  try {
    const code = await runExecHandler(handler, execSession(streams, { ...target, tty }));
    streams.finish({ kind: 'exit', code: kind === 'attach' ? 0 : code, command: target.command });
  } catch (error) {
    streams.finish({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Serves `pods/{name}/exec`, `attach` and `portforward` (GET or POST; RBAC has already allowed the verb:
 * `get` for the WebSocket GET and `create` for the SPDY POST, as a 1.33 apiserver without the 1.35
 * `AuthorizePodWebsocketUpgradeCreatePermission` gate).
 */
export async function servePodStream(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
  subresource: string,
  handlers: StreamHandlers,
): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
  const { namespace, pathName: name } = ctx.info;
  const pod = server.store.get(kind, namespace, name);
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const uid = String(pod.metadata?.uid ?? '');
  const upgrade = upgradeOf(ctx.req);
  const webSocket = isWebSocketRequest(ctx.req.headers);

  if (subresource === 'portforward') {
    requireHost(pod, name);
    const find = (port: number): ReturnType<StreamHandlers['findPortForward']> =>
      handlers.findPortForward(namespace, name, port);
    const podInfo = { namespace, pod: name, uid };
    const offered = offeredProtocols(ctx.req.headers['sec-websocket-protocol']);
    if (webSocket && upgrade && offered.some((p) => p.startsWith(SPDY_TUNNEL_PREFIX))) {
      // kubectl 1.31+: SPDY tunnelled in WebSocket binary messages (`streamtunnel.go`).
      const tunneled = offered
        .filter((p) => p.startsWith(SPDY_TUNNEL_PREFIX))
        .map((p) => p.slice(SPDY_TUNNEL_PREFIX.length));
      if (!tunneled.includes(SPDY_PORT_FORWARD_PROTOCOL)) {
        throw upgradeFailure(
          403,
          `unable to upgrade: unable to negotiate protocol: client supports [${tunneled.join(' ')}], server accepts [${SPDY_PORT_FORWARD_PROTOCOL}]`,
        );
      }
      const forwarder = new SpdyPortForward(podInfo, find);
      let session: SpdySession | undefined;
      const ws = acceptWebSocket(server, ctx, upgrade, SPDY_TUNNEL_PREFIX + SPDY_PORT_FORWARD_PROTOCOL, {
        message: (data) => session?.receive(data),
        close: () => session?.transportClosed(),
      });
      session = new SpdySession(
        { write: (data) => ws.send(data), end: () => ws.close() },
        { stream: (stream) => forwarder.accept(stream), close: () => {} },
      );
      return;
    }
    if (webSocket && upgrade) {
      const protocol = negotiateProtocol(offered, PORT_FORWARD_WEBSOCKET_PROTOCOLS);
      if (protocol === undefined) throw websocketProtocolRefused();
      const ports = ctx.query
        .getAll('ports')
        .flatMap((v) => v.split(','))
        .filter((v) => v !== '');
      if (ports.length === 0) throw upgradeFailure(400, 'query parameter "port" is required');
      const numbers = ports.map(Number);
      const bad = ports.find(
        (p, i) => !Number.isInteger(numbers[i]) || numbers[i]! <= 0 || numbers[i]! > 65535,
      );
      if (bad !== undefined) throw upgradeFailure(400, `unable to parse "${bad}" as a port: invalid port`);
      servePortForwardOverWebSocket(protocol, numbers, podInfo, find, (events) =>
        acceptWebSocket(server, ctx, upgrade, protocol, events),
      );
      return;
    }
    const protocol = negotiateSpdy(ctx, [SPDY_PORT_FORWARD_PROTOCOL]);
    if (!upgrade) throw upgradeFailure(400, 'unable to upgrade: missing upgrade headers in request');
    const forwarder = new SpdyPortForward(podInfo, find);
    spdyOverSocket(
      server,
      ctx,
      upgrade,
      protocol,
      (stream) => forwarder.accept(stream),
      () => {},
    );
    return;
  }

  const attach = subresource === 'attach';
  const container = resolveContainer(pod, name, ctx.query.get('container') ?? '');
  requireHost(pod, name);
  const tty = booleanParameter(ctx.query.get('tty'));
  const options: StreamOptions = {
    stdin: booleanParameter(ctx.query.get('stdin')),
    stdout: booleanParameter(ctx.query.get('stdout')),
    // The kubelet drops stderr with a tty (remotecommand.NewOptions).
    stderr: booleanParameter(ctx.query.get('stderr')) && !tty,
    tty,
  };
  if (!options.stdin && !options.stdout && !options.stderr)
    throw upgradeFailure(400, 'you must specify at least 1 of stdin, stdout, stderr');
  const target = { namespace, pod: name, container, command: attach ? [] : ctx.query.getAll('command') };
  const kindName = attach ? 'attach' : 'exec';

  if (webSocket && upgrade) {
    const protocol = negotiateProtocol(
      offeredProtocols(ctx.req.headers['sec-websocket-protocol']),
      EXEC_WEBSOCKET_PROTOCOLS,
    );
    // golang.org/x/net/websocket refuses an unsupported subprotocol with a bare 403.
    if (protocol === undefined) throw websocketProtocolRefused();
    const streams = commandStreamsOverWebSocket(protocol, options, attach, (events) =>
      acceptWebSocket(server, ctx, upgrade, protocol, events),
    );
    await runCommand(server, handlers, kindName, target, tty, streams, pod);
    return;
  }
  const protocol = negotiateSpdy(ctx, EXEC_SPDY_PROTOCOLS);
  if (!upgrade) throw upgradeFailure(400, 'unable to upgrade: missing upgrade headers in request');
  const collector = new SpdyExecStreams(protocol, options, attach);
  const session = spdyOverSocket(
    server,
    ctx,
    upgrade,
    protocol,
    (stream) => collector.accept(stream),
    () => collector.closed(),
  );
  collector.bind(session);
  let streams: CommandStreams;
  try {
    streams = await collector.ready;
  } catch {
    return;
  }
  await runCommand(server, handlers, kindName, target, tty, streams, pod);
}
