/**
 * The channel protocols of the streaming WebSockets (`channel.k8s.io` and friends): every message is a
 * channel number and a payload, raw in binary messages or as an ASCII digit and base64 in text messages.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go
 */

/** The remotecommand channel numbers. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

/** `v5.channel.k8s.io`'s close signal: `[255, channel]` half-closes a channel. */
export const STREAM_CLOSE = 255;

/** The exec/attach subprotocols a 1.33 cluster accepts over WebSocket, and who serves them. */
export const EXEC_WEBSOCKET_PROTOCOLS: ReadonlyMap<string, { base64: boolean; version: number }> = new Map([
  // The apiserver's StreamTranslatorHandler (translatinghandler.go) takes v5 requests.
  ['v5.channel.k8s.io', { base64: false, version: 5 }],
  // Anything else is proxied to the kubelet, whose remotecommand/websocket.go offers these.
  ['v4.channel.k8s.io', { base64: false, version: 4 }],
  ['v4.base64.channel.k8s.io', { base64: true, version: 4 }],
  ['channel.k8s.io', { base64: false, version: 1 }],
  ['base64.channel.k8s.io', { base64: true, version: 1 }],
  ['', { base64: false, version: 1 }],
]);

/** The port-forward subprotocols of the kubelet's portforward/websocket.go. */
export const PORT_FORWARD_WEBSOCKET_PROTOCOLS: ReadonlyMap<string, { base64: boolean; version: number }> =
  new Map([
    ['v4.channel.k8s.io', { base64: false, version: 4 }],
    ['v4.base64.channel.k8s.io', { base64: true, version: 4 }],
    ['channel.k8s.io', { base64: false, version: 1 }],
    ['base64.channel.k8s.io', { base64: true, version: 1 }],
    ['', { base64: false, version: 1 }],
  ]);

/**
 * The first protocol the client offers that the server supports (`wsstream.handshake`: the client's order;
 * no offer counts as `""`), or undefined.
 */
export function negotiateProtocol(
  offered: readonly string[],
  supported: ReadonlyMap<string, unknown>,
): string | undefined {
  const candidates = offered.length === 0 ? [''] : offered;
  return candidates.find((p) => supported.has(p));
}

/** Encodes one channel message: binary `[channel, ...data]` or text `'0'+channel` then base64. */
export function encodeChannelMessage(channel: number, data: Buffer, base64: boolean): Buffer | string {
  if (base64) return String.fromCharCode(48 + channel) + data.toString('base64');
  const frame = Buffer.alloc(data.length + 1);
  frame[0] = channel;
  data.copy(frame, 1);
  return frame;
}

/** A decoded client message. */
export type ChannelMessage =
  { kind: 'data'; channel: number; data: Buffer } | { kind: 'close'; channel: number } | { kind: 'invalid' };

/** Decodes a client message (`wsstream.Conn.handle`); empty messages are skipped by the caller. */
export function decodeChannelMessage(message: Buffer, base64: boolean, streamClose: boolean): ChannelMessage {
  if (streamClose && message[0] === STREAM_CLOSE) {
    if (message.length !== 2) return { kind: 'invalid' };
    return { kind: 'close', channel: message[1]! };
  }
  const channel = base64 ? message[0]! - 48 : message[0]!;
  const payload = message.subarray(1);
  return {
    kind: 'data',
    channel,
    data: base64 ? Buffer.from(payload.toString('latin1'), 'base64') : payload,
  };
}
