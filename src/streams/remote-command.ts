import { PassThrough, type Readable } from 'node:stream';
import type { ExecHandler, ExecSession, TerminalSize } from './handler-types.js';

/**
 * What an exec or attach session looks like whatever the transport (WebSocket channels or SPDY streams):
 * the client's stdin and resize events in, stdout, stderr and the final status out.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubelet/pkg/cri/streaming/remotecommand/exec.go
 */
export interface CommandStreams {
  /** The client's stdin (already ended when not requested). */
  stdin: Readable;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Resize events (JSON `{"Width":80,"Height":24}` values), when the client opened that stream. */
  resize?: Readable;
  /** Writes the final status (protocol-dependent form) and ends the session. */
  finish(status: ExitStatus): void;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

/** A `metav1.Status` as the error channel carries it (no kind/apiVersion: `json.Marshal(status.Status())`). */
export interface ChannelStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

/** How a session ended. */
export type ExitStatus =
  { kind: 'exit'; code: number; command: readonly string[] } | { kind: 'error'; message: string };

/**
 * The Status for an exit, in the wording of whoever writes it on a 1.33 cluster:
 * - `translator`: the apiserver's WebSocket v5 translator (`streamtranslator.go` `codeExitToStatusError`,
 *   wrapping client-go's `command terminated with exit code N`);
 * - `kubelet`: the CRI runtime's streaming server through the kubelet (WebSocket v4 and older, SPDY):
 *   containerd's `error executing command [argv], exit code N` (`internal/cri/server/streaming.go`).
 * A handler failure is an InternalError, as the kubelet reports a runtime error (`remotecommand/exec.go`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apiserver/pkg/util/proxy/streamtranslator.go
 */
export function channelStatus(
  exit: ExitStatus,
  writer: 'translator' | 'kubelet',
  attach = false,
): ChannelStatus {
  if (exit.kind === 'error') {
    const message = `error ${attach ? 'attaching to container' : 'executing command in container'}: ${exit.message}`;
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ message }] },
      code: 500,
    };
  }
  if (exit.code === 0) return { metadata: {}, status: 'Success' };
  const inner =
    writer === 'translator'
      ? `command terminated with exit code ${exit.code}`
      : `error executing command [${exit.command.join(' ')}], exit code ${exit.code}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${inner}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exit.code) }] },
  };
}

/** Splits a resize stream into terminal sizes (successive JSON values, as `json.Decoder` reads them). */
export function onTerminalSizes(stream: Readable, listener: (size: TerminalSize) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    for (;;) {
      const end = pending.indexOf('}');
      if (end < 0) return;
      const text = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      try {
        const value = JSON.parse(text.trim()) as { Width?: number; Height?: number };
        listener({ width: Number(value.Width ?? 0), height: Number(value.Height ?? 0) });
      } catch {
        // Not a size: the kubelet's decoder would stop reading resizes; ignoring one is kinder.
      }
    }
  });
}

function toBuffer(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The session object a handler sees. */
export function execSession(
  streams: CommandStreams,
  request: { namespace: string; pod: string; container: string; command: string[]; tty: boolean },
): ExecSession {
  const resizeListeners: ((size: TerminalSize) => void)[] = [];
  if (streams.resize) onTerminalSizes(streams.resize, (size) => resizeListeners.forEach((l) => l(size)));
  const stdout = { write: (data: string | Uint8Array) => streams.stdout(toBuffer(data)) };
  return {
    ...request,
    stdin: streams.stdin,
    readStdin: () => readAll(streams.stdin),
    stdout,
    // With a tty the runtime merges stderr into the terminal.
    stderr: request.tty ? stdout : { write: (data) => streams.stderr(toBuffer(data)) },
    onResize: (listener) => void resizeListeners.push(listener),
    signal: streams.signal,
  };
}

/** Runs a handler (function or scripted reply) to its exit code. */
export async function runExecHandler(handler: ExecHandler, session: ExecSession): Promise<number> {
  if (typeof handler === 'function') return (await handler(session)) ?? 0;
  if (handler.stdout) session.stdout.write(handler.stdout);
  if (handler.stderr) session.stderr.write(handler.stderr);
  if (handler.echoStdin) {
    for await (const chunk of session.stdin) session.stdout.write(chunk as Buffer);
  }
  return handler.exitCode ?? 0;
}

/** A readable that is already at its end, for stdin the client did not ask for. */
export function endedStream(): PassThrough {
  const stream = new PassThrough();
  stream.end();
  return stream;
}
