import type { Duplex, Readable } from 'node:stream';

/**
 * The public types of the pod stream handlers: what a test registers to answer `exec`, `attach` and
 * `port-forward`, since fake-apiserver runs no containers.
 */

/** Which exec (or attach) requests a handler answers; an absent field matches anything. */
export interface ExecMatcher {
  namespace?: string;
  pod?: string;
  container?: string;
  /**
   * The command: an exact argv (`['ls', '-l']`), a string equal to argv[0] or to the argv joined with spaces,
   * a RegExp tested against the argv joined with spaces, or a predicate. Ignored for attach.
   */
  command?: string | readonly string[] | RegExp | ((argv: readonly string[]) => boolean);
}

/** A terminal size, as the resize channel carries it (`remotecommand.TerminalSize`). */
export interface TerminalSize {
  width: number;
  height: number;
}

/** The session a handler runs: the streams the client asked for, and what was asked. */
export interface ExecSession {
  namespace: string;
  pod: string;
  container: string;
  /** The argv (empty for attach). */
  command: string[];
  tty: boolean;
  /** What the client sends; ends when it closes stdin (at once when stdin was not requested). */
  stdin: Readable;
  /** Reads stdin to its end. */
  readStdin(): Promise<Buffer>;
  /** Writes to the client's stdout (dropped when stdout was not requested). */
  stdout: { write(data: string | Uint8Array): void };
  /** Writes to the client's stderr (with a tty, stderr is stdout, as in a real container). */
  stderr: { write(data: string | Uint8Array): void };
  /** Called with each terminal size the client sends (tty sessions). */
  onResize(listener: (size: TerminalSize) => void): void;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** A reply written out as it is: stdout, then stderr, then the exit code. */
export interface ScriptedExecReply {
  stdout?: string;
  stderr?: string;
  /** @default 0 */
  exitCode?: number;
  /** Copies stdin to stdout (after `stdout`), until the client closes stdin. */
  echoStdin?: boolean;
}

/**
 * Answers an exec or attach: resolve with the exit code (`undefined` is 0). A rejection is reported as the
 * kubelet reports a runtime failure (an InternalError Status). Attach ignores the exit code, as upstream does.
 */
export type ExecHandlerFunction = (session: ExecSession) => number | void | Promise<number | void>;

/** A function, or a scripted reply. */
export type ExecHandler = ExecHandlerFunction | ScriptedExecReply;

/** Which forwarded connections a port-forward handler answers; an absent field matches anything. */
export interface PortForwardMatcher {
  namespace?: string;
  pod?: string;
  /** The pod's port the client forwards to. */
  port?: number;
}

/** What a forwarded connection is connected to. */
export type PortForwardTarget =
  /** A local TCP port on 127.0.0.1. */
  | number
  /** A TCP address. */
  | { host?: string; port: number }
  /** Code that serves the connection: read and write the duplex, end it when done. */
  | ((connection: Duplex, info: { namespace: string; pod: string; port: number }) => void);

/** A registered handler: `remove()` unregisters it. */
export interface StreamHandlerRegistration {
  remove(): void;
}
