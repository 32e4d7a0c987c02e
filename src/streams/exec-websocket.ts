import { PassThrough } from 'node:stream';
import {
  Channel,
  decodeChannelMessage,
  encodeChannelMessage,
  EXEC_WEBSOCKET_PROTOCOLS,
} from './channel-protocol.js';
import { channelStatus, endedStream, type CommandStreams, type ExitStatus } from './remote-command.js';
import type { WebSocketConnection } from './websocket.js';

/** Which streams the client asked for (the `stdin`, `stdout`, `stderr` and `tty` parameters). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * An exec or attach over a WebSocket with a remotecommand channel protocol. As upstream, an empty message
 * on the lowest writable channel tells the client the session is ready; the status goes on channel 3 as JSON
 * (v4, v5) or, before v4, as the error text only on failure; then the socket closes.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apiserver/pkg/util/proxy/websocket.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubelet/pkg/cri/streaming/remotecommand/websocket.go
 */
export function commandStreamsOverWebSocket(
  protocol: string,
  options: StreamOptions,
  attach: boolean,
  connect: (events: { message(data: Buffer): void; close(): void }) => WebSocketConnection,
): CommandStreams {
  const { base64, version } = EXEC_WEBSOCKET_PROTOCOLS.get(protocol)!;
  const aborter = new AbortController();
  const stdin = options.stdin ? new PassThrough() : endedStream();
  const resize = new PassThrough();
  const endInputs = (): void => {
    if (!stdin.writableEnded) stdin.end();
    if (!resize.writableEnded) resize.end();
  };
  const ws = connect({
    message(message) {
      if (message.length === 0) return;
      const decoded = decodeChannelMessage(message, base64, version === 5);
      if (decoded.kind === 'invalid') return ws.close();
      if (decoded.kind === 'close') {
        if (decoded.channel === Channel.stdin && !stdin.writableEnded) stdin.end();
        if (decoded.channel === Channel.resize && !resize.writableEnded) resize.end();
        return;
      }
      if (decoded.channel === Channel.stdin && options.stdin && !stdin.writableEnded)
        stdin.write(decoded.data);
      if (decoded.channel === Channel.resize && !resize.writableEnded) resize.write(decoded.data);
    },
    close() {
      endInputs();
      aborter.abort();
    },
  });
  const send = (channel: number, data: Buffer): void => {
    if (ws.open) ws.send(encodeChannelMessage(channel, data, base64));
  };
  send(options.stdout ? Channel.stdout : options.stderr ? Channel.stderr : Channel.error, Buffer.alloc(0));
  return {
    stdin,
    stdout: (data) => options.stdout && data.length > 0 && send(Channel.stdout, data),
    stderr: (data) => options.stderr && data.length > 0 && send(Channel.stderr, data),
    resize,
    signal: aborter.signal,
    finish(exit: ExitStatus) {
      const status = channelStatus(exit, version === 5 ? 'translator' : 'kubelet', attach);
      if (version >= 4) send(Channel.error, Buffer.from(JSON.stringify(status)));
      else if (status.status === 'Failure') send(Channel.error, Buffer.from(status.message ?? ''));
      ws.close();
      endInputs();
    },
  };
}
