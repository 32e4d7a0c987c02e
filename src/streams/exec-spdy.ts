import { PassThrough } from 'node:stream';
import type { StreamOptions } from './exec-websocket.js';
import { channelStatus, endedStream, type CommandStreams, type ExitStatus } from './remote-command.js';
import type { SpdySession, SpdyStream } from './spdy-session.js';

/** The SPDY exec/attach protocols the kubelet serves (`remotecommand.SupportedStreamingProtocols`). */
export const EXEC_SPDY_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;

/** How long the client has to open its streams (the kubelet's `StreamCreationTimeout`, 30 s). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/**
 * Collects the streams a SPDY exec client opens (`streamType` header: error, stdin, stdout, stderr, resize)
 * and, once all expected ones are there, resolves with the session's streams. Rejects when they do not come
 * in time or the connection ends.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubelet/pkg/cri/streaming/remotecommand/httpstream.go
 */
export class SpdyExecStreams {
  private readonly byType = new Map<string, SpdyStream>();
  private readonly expected: Set<string>;
  private resolveReady!: (streams: CommandStreams) => void;
  private rejectReady!: (error: Error) => void;
  private readonly aborter = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** Resolves once every expected stream is open. */
  readonly ready: Promise<CommandStreams>;
  private session!: SpdySession;

  constructor(
    private readonly protocol: string,
    private readonly options: StreamOptions,
    private readonly attach: boolean,
  ) {
    this.expected = new Set(['error']);
    if (options.stdin) this.expected.add('stdin');
    if (options.stdout) this.expected.add('stdout');
    if (options.stderr && !options.tty) this.expected.add('stderr');
    // The resize stream exists from v3 on, with a tty.
    if (options.tty && (protocol === 'v3.channel.k8s.io' || protocol === 'v4.channel.k8s.io'))
      this.expected.add('resize');
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.timer = setTimeout(
      () => this.fail(new Error('timed out waiting for client to create streams')),
      STREAM_CREATION_TIMEOUT_MS,
    );
  }

  /** Binds the session whose streams these are. */
  bind(session: SpdySession): void {
    this.session = session;
  }

  /** The session's stream callback: accepts known stream types. */
  accept(stream: SpdyStream): boolean {
    const type = stream.headers.get('streamtype') ?? '';
    if (!['error', 'stdin', 'stdout', 'stderr', 'resize'].includes(type)) return false;
    this.byType.set(type, stream);
    if ([...this.expected].every((t) => this.byType.has(t))) {
      clearTimeout(this.timer);
      this.resolveReady(this.streams());
    }
    return true;
  }

  /** The connection ended. */
  closed(): void {
    this.aborter.abort();
    this.fail(new Error('connection closed before the client created its streams'));
  }

  private fail(error: Error): void {
    clearTimeout(this.timer);
    this.rejectReady(error);
    this.session?.close();
  }

  private streams(): CommandStreams {
    const get = (type: string): SpdyStream | undefined => this.byType.get(type);
    const writer =
      (type: string) =>
      (data: Buffer): void =>
        void (data.length > 0 && get(type)?.write(data));
    const stdin = get('stdin')?.incoming ?? endedStream();
    return {
      stdin,
      stdout: writer('stdout'),
      stderr: writer('stderr'),
      resize: get('resize')?.incoming ?? new PassThrough(),
      signal: this.aborter.signal,
      finish: (exit: ExitStatus) => {
        get('stdout')?.end();
        get('stderr')?.end();
        const status = channelStatus(exit, 'kubelet', this.attach);
        const error = get('error');
        if (this.protocol === 'v4.channel.k8s.io') error?.write(Buffer.from(JSON.stringify(status)));
        else if (status.status === 'Failure') error?.write(Buffer.from(status.message ?? ''));
        error?.end();
        // Give the client a moment to read the FINs before the connection goes.
        setTimeout(() => this.session.close(), 50).unref();
      },
    };
  }
}
