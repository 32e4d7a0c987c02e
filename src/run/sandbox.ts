/**
 * Runs COMMAND in the sandbox a `RunPlan` describes, from the process that asked for it (the command, a
 * test): unprivileged user, mount, UTS and network namespaces made by `unshare`, the plan's files mounted at
 * their targets, and in the sandbox's network the API answering at its in-cluster address: a socket listening
 * there is handed to this process, which relays each connection to the server's own listener. This
 * process and the server stay outside the namespaces; only loopback addresses are used, inside and out.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect, Server, type Socket } from 'node:net';
import { constants } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import { findSandboxTools, SANDBOX_FALLBACK_HINT, type SandboxTools } from './host-tools.js';
import { parseMountInfo } from './mountinfo.js';
import { planMounts, type HostView, type PathKind } from './sandbox-plan.js';
import { LISTENER_MESSAGE, READY_MARKER, sandboxScript, unshareArguments } from './sandbox-script.js';
import type { RunMount, RunPlan, RunResult } from './types.js';

/** How COMMAND is run. */
export interface SandboxRunOptions {
  /** `'inherit'`: this process's stdin, stdout and stderr are COMMAND's; `'pipe'`: its output is collected. */
  stdio: 'inherit' | 'pipe';
  /** With `'pipe'`: written to COMMAND's stdin, which is then closed. */
  input?: string;
  /** The environment COMMAND starts from (the pod's goes over it). @default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** More variables, over the pod's. */
  env?: Record<string, string>;
  cwd?: string;
  /** Sends SIGTERM to COMMAND when aborted. */
  signal?: AbortSignal;
  /** Passes SIGINT, SIGTERM and SIGHUP this process receives on to COMMAND (the command does). */
  forwardSignals?: boolean;
  /** The sandbox's tools, if already found. */
  tools?: SandboxTools;
  /** Diagnostics of the set-up that did not stop it. */
  log?(message: string): void;
}

/**
 * COMMAND's environment: `base` without the `KUBERNETES_*` variables and `KUBECONFIG` of wherever `run` was
 * started (a pod has neither: kubectl and the clients use their in-cluster configuration) and without Node's
 * IPC variables, then the pod's (or the service account's `KUBERNETES_*`), `HOSTNAME` for a
 * pod as container runtimes set it, then `extra`.
 */
export function commandEnvironment(
  base: NodeJS.ProcessEnv,
  plan: Pick<RunPlan, 'env' | 'hostname'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || name === 'KUBECONFIG') continue;
    if (name.startsWith('KUBERNETES_') || name.startsWith('NODE_CHANNEL_')) continue;
    env[name] = value;
  }
  if (plan.hostname !== undefined) env.HOSTNAME = plan.hostname;
  for (const [name, value] of plan.env) env[name] = value;
  return { ...env, ...extra };
}

/** The host's filesystem, read synchronously for the mount planner. */
const hostView: HostView = {
  kind(path): PathKind {
    try {
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) return 'symlink';
      return stats.isDirectory() ? 'directory' : 'file';
    } catch {
      return 'missing';
    }
  },
  readlink: (path) => readlinkSync(path),
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};

/**
 * An empty, read-only directory over `~/.kube` when there is one: a pod has no kubeconfig of the
 * developer's, so kubectl inside uses its in-cluster configuration, never the developer's cluster.
 */
async function hiddenKubeconfigDir(dir: string, home: string | undefined): Promise<RunMount[]> {
  if (!home || !isAbsolute(home)) return [];
  const kubeDir = join(home, '.kube');
  const real = hostView.realpath(kubeDir);
  if (real === undefined || hostView.kind(real) !== 'directory') return [];
  const empty = join(dir, 'empty');
  await mkdir(empty, { recursive: true, mode: 0o755 });
  return [{ source: empty, target: kubeDir, readOnly: true }];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Pipes a connection made inside the sandbox to the server's listener. */
function relay(socket: Socket, upstream: { host: string; port: number }): void {
  const server = connect({ host: upstream.host, port: upstream.port });
  const end = () => {
    socket.destroy();
    server.destroy();
  };
  socket.on('error', end);
  server.on('error', end);
  socket.pipe(server).pipe(socket);
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

/**
 * Runs COMMAND in the plan's sandbox and resolves once it has exited (with `'pipe'`, once its output is
 * read). Refuses with `SANDBOX_UNAVAILABLE` (naming what is missing, and the fallback) when the sandbox
 * cannot be made: not Linux, a tool missing, user namespaces disabled, a mount refused.
 */
export async function runInSandbox(
  plan: RunPlan,
  command: string,
  args: readonly string[],
  options: SandboxRunOptions,
): Promise<RunResult> {
  if (!isLoopback(plan.upstream.host)) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `fake-apiserver run relays to the server on loopback only, and it listens on ${plan.upstream.host}`,
      'start it on 127.0.0.1 (the default), ::1 or 0.0.0.0',
    );
  }
  const tools =
    options.tools ?? findSandboxTools({ network: plan.network, hostname: plan.hostname !== undefined });
  const cwd = options.cwd ?? process.cwd();
  const baseEnv = options.baseEnv ?? process.env;
  const scratch = join(plan.dir, 'sandbox');
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  const mounts = planMounts({
    mounts: [...plan.mounts, ...(await hiddenKubeconfigDir(plan.dir, baseEnv.HOME))],
    scratch,
    view: hostView,
    mountInfo: parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')),
  });
  const script = sandboxScript({
    tools,
    mounts,
    scratch,
    cwd,
    ...(plan.network === 'sandbox'
      ? { network: { loopbackAddresses: plan.loopbackAddresses, listen: plan.api } }
      : {}),
    ...(plan.hostname !== undefined ? { hostname: plan.hostname } : {}),
  });
  const piped = options.stdio === 'pipe';
  const stdio: StdioOptions = [
    piped ? 'pipe' : 'inherit',
    piped ? 'pipe' : 'inherit',
    'pipe',
    piped ? 'pipe' : 2,
    plan.network === 'sandbox' ? 'ipc' : 'ignore',
  ];
  const child = spawn(
    tools.unshare,
    [
      ...unshareArguments(plan.network, process.getuid!(), process.getgid!()),
      '--',
      '/bin/sh',
      '-c',
      script,
      'fake-apiserver-run',
      command,
      ...args,
    ],
    {
      cwd,
      env: commandEnvironment(baseEnv, plan, options.env),
      stdio,
      // Its own process group would leave it out of the terminal's foreground: Ctrl-C reaches it directly.
      detached: false,
    },
  );

  let listener: Server | undefined;
  child.on('message', (message: unknown, handle: unknown) => {
    if (message !== LISTENER_MESSAGE || !(handle instanceof Server)) return;
    listener = handle;
    listener.on('connection', (socket: Socket) => relay(socket, plan.upstream));
  });
  let stdout = '';
  let stderr = '';
  if (piped) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: string) => (stderr += chunk));
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
  }
  let diagnostics = '';
  const setupDone = new Promise<void>((resolve) => {
    const stream = child.stdio[2]!;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (diagnostics += chunk));
    stream.on('end', resolve);
    stream.on('error', () => resolve());
  });

  // Ctrl-C at a terminal reaches COMMAND itself (it is in the terminal's foreground process group): a second
  // SIGINT from here would look like the user pressing it twice.
  const fromTerminal = !piped && process.stdin.isTTY === true;
  const forward = (signal: NodeJS.Signals) => () => {
    if (signal === 'SIGINT' && fromTerminal) return;
    child.kill(signal);
  };
  const handlers = options.forwardSignals
    ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const)
    : [];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const abort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', abort, { once: true });

  try {
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', (error) =>
          reject(
            new FakeApiServerError(
              'SANDBOX_UNAVAILABLE',
              `cannot start ${tools.unshare}: ${error.message}`,
              SANDBOX_FALLBACK_HINT,
            ),
          ),
        );
        child.once(piped ? 'close' : 'exit', (code: number | null, signal: NodeJS.Signals | null) =>
          resolve({ code, signal }),
        );
      },
    );
    await setupDone;
    const lines = diagnostics.split('\n');
    const ready = lines.includes(READY_MARKER);
    const before = lines
      .slice(0, ready ? lines.indexOf(READY_MARKER) : undefined)
      .join('\n')
      .trim();
    if (!ready && !ended.signal) {
      throw new FakeApiServerError(
        'SANDBOX_UNAVAILABLE',
        `fake-apiserver run could not make its sandbox: ${before || `the set-up exited with ${String(ended.code)}`}`,
        SANDBOX_FALLBACK_HINT,
      );
    }
    if (before) options.log?.(before);
    return { code: exitCodeOf(ended.code, ended.signal), signal: ended.signal ?? undefined, stdout, stderr };
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    options.signal?.removeEventListener('abort', abort);
    listener?.close();
  }
}
