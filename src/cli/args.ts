import { parseArgs } from 'node:util';
import { FakeApiServerError } from '../errors/developer-error.js';
import { parseTokenTtl } from '../sa-dir/token-ttl.js';
import { parseAuditLevel } from '../audit/options.js';
import { expandBareFakeClockFlag, fakeClockFromFlag } from './fake-clock-flag.js';
import { parseCountFlag, parseDurationFlag } from '../server/limits.js';
import type { FakeApiServerOptions } from '../types.js';
import type { RunIdentityOptions } from '../run/types.js';
import { SERVICE_ACCOUNT_PATH } from '../sa-dir/paths.js';

/** Usage text of the command. */
export const USAGE = `Usage: fake-apiserver [options]
       fake-apiserver run [options] [--pod NS/NAME | --service-account NS/NAME] -- COMMAND [ARGS...]

Runs a fake Kubernetes API server over HTTPS until interrupted; with run, runs COMMAND against it as a
container of a pod sees the world (Linux, without root), then stops it.

Options:
  --port N                    port to listen on (default 6443; 0 = any free port)
  --host ADDR                 address to listen on (default 127.0.0.1)
  --fixtures PATH             manifests to serve: a file or directory of .yaml/.yml/.json
                              (repeatable; default: the package's own small cluster)
  --sa-dir DIR                write token, ca.crt and namespace there, as the kubelet does
  --root DIR                  like --sa-dir, at DIR/var/run/secrets/kubernetes.io/serviceaccount
                              (what KubeConfig.loadFromCluster(DIR) reads)
  --service-account NS/NAME   whose token goes into --sa-dir (default default/default)
  --pod NS/NAME               write --sa-dir as the kubelet does for that pod: its service account,
                              namespace, and a token bound to the pod
  --token-ttl DURATION        lifetime of that token, e.g. 90s, 10m, 1h (default 3607s, as the
                              kubelet); rewritten once older than 80% of it
  --kubeconfig FILE           write an admin (system:masters) kubeconfig there
  --fake-clock [START]        a clock that stands still at START (RFC 3339; default now) until moved
                              with POST /fake-apiserver/v1/clock {"advance":"2h"} or {"set":TIME}
  --key-cache DIR             keep the CA, signing key and certificates in DIR between runs: faster
                              starts, and ca.crt files of earlier runs stay valid
  --data-dir DIR              keep the objects in DIR across restarts (every write on disk before it
                              is answered); fixtures seed it only while empty; implies
                              --key-cache DIR/keys
  --token-signing-alg ALG     sign service-account tokens with RS256 (RSA-2048, the default, as
                              kubeadm) or ES256 (P-256: its key is generated in a millisecond)
  --rbac-report FILE          on exit, write there the least-privilege Roles/ClusterRole and bindings
                              (YAML) for every service account that made a request
  --audit-log FILE            append every request to FILE as kube-apiserver's audit log does: one
                              audit.k8s.io/v1 Event per line (JSON), tokens redacted
  --audit-level LEVEL         Metadata (default), Request (with request bodies) or RequestResponse
                              (with response bodies too)
  --token-auth-file FILE      static users, as kube-apiserver: token,user,uid[,"group1,group2"]
  --faults FILE               fault rules in force from the start: a YAML or JSON list (latency, status
                              codes, connection resets, broken watches); see "Injecting faults"
  --anonymous-auth BOOL       treat requests without credentials as system:anonymous (default true)
  --rbac-bootstrap BOOL       load a real cluster's default roles and bindings (default true)
  --max-connections N         open connections served at once; past it, 429 (default 10000)
  --max-watches N             open watches at once; past it, 429 (default 10000)
  --headers-timeout DURATION  time a client has for the TLS handshake and for each request's
                              headers before it is cut off (default 32s, as kube-apiserver)
  --watch-buffer BYTES        bytes a watch may queue for a client that does not read before
                              the watch is ended (default 16777216)
  --shutdown-timeout DURATION
                              on SIGTERM, how long in-flight requests may take to complete
                              (default 5s)
  --controllers LIST          kube-controller-manager's controllers that run, in its --controllers
                              syntax: '*' (default), '*,-deployment', 'job,endpointslice'
  --no-scheduler              no scheduler: pods stay Pending without a node
  --no-kubelet                no kubelet: bound pods stay as written, deleted pods go at once
  --static                    the static API: no controllers, scheduler nor kubelet (nothing moves
                              unless a client writes it)
  --ui                        serve the web inspector at /fake-apiserver/ui/ (requests with their
                              RBAC decisions, live; the stored objects); open the URL with its
                              token printed on stderr
  -h, --help                  show this help
  -v, --version               show the version

Once listening (and every file written) it prints, on stdout:
  export KUBERNETES_SERVICE_HOST=<host>
  export KUBERNETES_SERVICE_PORT=<port>

fake-apiserver run: the server options above (--port defaults to 0; not --sa-dir or --root), and
  --service-account NS/NAME   COMMAND has that service account's directory at
                              /var/run/secrets/kubernetes.io/serviceaccount (default default/default)
  --pod NS/NAME               instead: COMMAND is that pod's container: its service account's token, its
                              volumes (configMap, secret, projected, downwardAPI, emptyDir) at its
                              volumeMounts kept up to date, its env and envFrom, its hostname
  --container NAME            which container of the pod (default: the first)
  --token-ttl DURATION        with --service-account: the token's lifetime (default 3607s)
  --network sandbox|host      sandbox (default): a network of its own, loopback only, where
                              https://kubernetes.default.svc (10.96.0.1:443) is the API; host: the
                              host's network, the in-cluster names resolve to 127.0.0.1 and the API is
                              on the server's port
  --attach KUBECONFIG         use the server already running that wrote this admin kubeconfig
                              (--kubeconfig FILE) instead of starting one
  --verbose                   the server's diagnostics on stderr (otherwise stderr is COMMAND's)
  COMMAND sees the same files and uid as you, in new user, mount, UTS and network namespaces (made
  with util-linux's unshare, mount and setpriv, iproute2's ip). Exit code: COMMAND's (128+N when
  killed by signal N); SIGINT, SIGTERM and SIGHUP are passed on to it; 2 when run is misused or no
  sandbox can be made here (then: --sa-dir DIR and the paths, see the README).
`;

/** The options of the command that starts a server, as `parseArgs` reads them. */
const SERVER_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  fixtures: { type: 'string', multiple: true },
  'sa-dir': { type: 'string' },
  'service-account': { type: 'string' },
  root: { type: 'string' },
  pod: { type: 'string' },
  'token-ttl': { type: 'string' },
  kubeconfig: { type: 'string' },
  'fake-clock': { type: 'string' },
  'key-cache': { type: 'string' },
  'data-dir': { type: 'string' },
  'token-signing-alg': { type: 'string' },
  'rbac-report': { type: 'string' },
  'audit-log': { type: 'string' },
  'audit-level': { type: 'string' },
  'anonymous-auth': { type: 'string' },
  'rbac-bootstrap': { type: 'string' },
  'token-auth-file': { type: 'string' },
  faults: { type: 'string' },
  'max-connections': { type: 'string' },
  'max-watches': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'watch-buffer': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  controllers: { type: 'string' },
  'no-scheduler': { type: 'boolean' },
  'no-kubelet': { type: 'boolean' },
  static: { type: 'boolean' },
  ui: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** The server's options as the command takes them: files it reads itself besides the programmatic ones. */
export type ServeOptions = FakeApiServerOptions & {
  port: number;
  host: string;
  tokenAuthFile?: string;
  faultsFile?: string;
};

/** What the command line asks for. */
export type CliRequest =
  { action: 'help' } | { action: 'version' } | { action: 'serve'; options: ServeOptions } | RunRequest;

/** Parses argv (without node and the script); throws `FakeApiServerError` on bad input. */
export function parseCliArguments(argv: readonly string[]): CliRequest {
  if (argv[0] === 'run') return parseRunArguments(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: expandBareFakeClockFlag(argv),
      strict: true,
      allowPositionals: false,
      options: SERVER_OPTIONS,
    });
  } catch (error) {
    throw new FakeApiServerError('INVALID_OPTION', (error as Error).message, 'run fake-apiserver --help');
  }
  const { values } = parsed;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  return { action: 'serve', options: serverOptionsFrom(values, '6443') };
}

type ServerValues = ReturnType<typeof parseArgs<{ options: typeof SERVER_OPTIONS }>>['values'];

/** The server's options from the parsed flags; `defaultPort` when `--port` is absent. */
function serverOptionsFrom(values: ServerValues, defaultPort: string): ServeOptions {
  const portText = values.port ?? defaultPort;
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `--port ${portText} is not a port number`,
      'use 0..65535; 0 picks any free port',
    );
  }
  const options: ServeOptions = {
    port: Number(portText),
    host: values.host ?? '127.0.0.1',
  };
  if (values.fixtures) options.fixtures = values.fixtures;
  if (values['sa-dir']) options.saDir = values['sa-dir'];
  if (values['service-account']) options.serviceAccount = values['service-account'];
  if (values.root !== undefined) options.root = values.root;
  if (values.pod !== undefined) options.pod = values.pod;
  if (values['token-ttl'] !== undefined) options.tokenTtlSeconds = parseTokenTtl(values['token-ttl']);
  if (values.kubeconfig) options.kubeconfig = values.kubeconfig;
  if (values['fake-clock'] !== undefined) options.clock = fakeClockFromFlag(values['fake-clock']);
  if (values['key-cache']) options.keyCacheDir = values['key-cache'];
  if (values['data-dir']) options.dataDir = values['data-dir'];
  const signingAlgorithm = values['token-signing-alg'];
  if (signingAlgorithm !== undefined) {
    if (signingAlgorithm !== 'RS256' && signingAlgorithm !== 'ES256') {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `--token-signing-alg ${signingAlgorithm} is not RS256 or ES256`,
      );
    }
    options.tokenSigningAlgorithm = signingAlgorithm;
  }
  if (values['rbac-report']) options.rbacReportFile = values['rbac-report'];
  if (values['audit-log']) options.auditLog = values['audit-log'];
  if (values['audit-level'] !== undefined)
    options.auditLevel = parseAuditLevel(values['audit-level'], '--audit-level');
  if (values['token-auth-file']) options.tokenAuthFile = values['token-auth-file'];
  if (values.faults) options.faultsFile = values.faults;
  if (values.ui) options.ui = true;
  if (values.controllers !== undefined) {
    options.controllers = values.controllers
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
  }
  if (values['no-scheduler']) options.scheduler = false;
  if (values['no-kubelet']) options.kubelet = false;
  if (values.static) options.cluster = false;
  const maxConnections = values['max-connections'];
  if (maxConnections !== undefined)
    options.maxConnections = parseCountFlag('--max-connections', maxConnections);
  const maxWatches = values['max-watches'];
  if (maxWatches !== undefined) options.maxWatches = parseCountFlag('--max-watches', maxWatches);
  const watchBuffer = values['watch-buffer'];
  if (watchBuffer !== undefined) options.watchBufferBytes = parseCountFlag('--watch-buffer', watchBuffer);
  const headersTimeout = values['headers-timeout'];
  if (headersTimeout !== undefined)
    options.headersTimeoutSeconds = parseDurationFlag('--headers-timeout', headersTimeout);
  const shutdownTimeout = values['shutdown-timeout'];
  if (shutdownTimeout !== undefined)
    options.shutdownTimeoutSeconds = parseDurationFlag('--shutdown-timeout', shutdownTimeout);
  const anonymous = values['anonymous-auth'];
  if (anonymous !== undefined) {
    if (anonymous !== 'true' && anonymous !== 'false') {
      throw new FakeApiServerError('INVALID_OPTION', `--anonymous-auth ${anonymous} is not true or false`);
    }
    options.anonymous = anonymous === 'true';
  }
  const bootstrap = values['rbac-bootstrap'];
  if (bootstrap !== undefined) {
    if (bootstrap !== 'true' && bootstrap !== 'false') {
      throw new FakeApiServerError('INVALID_OPTION', `--rbac-bootstrap ${bootstrap} is not true or false`);
    }
    options.rbacBootstrap = bootstrap === 'true';
  }
  return options;
}

/** The options `run` takes besides the server's. */
const RUN_OPTIONS = {
  ...SERVER_OPTIONS,
  container: { type: 'string' },
  network: { type: 'string' },
  attach: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

/** What `run` may be given with `--attach`: the run's own options (the server is the running one). */
const ATTACH_OPTIONS = new Set([
  'pod',
  'service-account',
  'container',
  'network',
  'token-ttl',
  'attach',
  'verbose',
]);

/** `fake-apiserver run [options] -- COMMAND [ARGS...]`. */
export interface RunRequest {
  action: 'run';
  /** The server to start, unless `attach` is given. */
  options: ServeOptions;
  identity: RunIdentityOptions;
  /** The admin kubeconfig of a server already running, to prepare the run through its control API. */
  attach: string | undefined;
  /** The server's diagnostics on stderr (otherwise COMMAND's stderr is COMMAND's alone). */
  verbose: boolean;
  command: string;
  args: string[];
}

function runUsageError(message: string): FakeApiServerError {
  return new FakeApiServerError(
    'INVALID_OPTION',
    message,
    "e.g. fake-apiserver run --pod default/helloworld -- sh -c 'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace'",
  );
}

/** Parses `run`'s arguments (after the word `run`); throws `FakeApiServerError` on bad input. */
export function parseRunArguments(argv: readonly string[]): RunRequest | { action: 'help' } {
  const separator = argv.indexOf('--');
  const before = separator === -1 ? argv : argv.slice(0, separator);
  let parsed;
  try {
    parsed = parseArgs({
      args: expandBareFakeClockFlag(before),
      strict: true,
      allowPositionals: true,
      options: RUN_OPTIONS,
    });
  } catch (error) {
    throw runUsageError(`run: ${(error as Error).message}`);
  }
  const values = { ...parsed.values };
  if (values.help) return { action: 'help' };
  if (separator === -1 || separator === argv.length - 1 || parsed.positionals.length > 0) {
    throw runUsageError('run needs -- and then the COMMAND to run (with its arguments)');
  }
  if (values['sa-dir'] !== undefined || values.root !== undefined) {
    throw runUsageError(
      `--sa-dir and --root are for running code without run: run shows the serviceaccount directory at ${SERVICE_ACCOUNT_PATH}`,
    );
  }
  const network = values.network;
  if (network !== undefined && network !== 'sandbox' && network !== 'host') {
    throw runUsageError(`--network ${network} is not sandbox or host`);
  }
  const identity: RunIdentityOptions = {
    ...(values.pod !== undefined ? { pod: values.pod } : {}),
    ...(values['service-account'] !== undefined ? { serviceAccount: values['service-account'] } : {}),
    ...(values.container !== undefined ? { container: values.container } : {}),
    ...(network !== undefined ? { network } : {}),
    ...(values['token-ttl'] !== undefined ? { tokenTtlSeconds: parseTokenTtl(values['token-ttl']) } : {}),
  };
  if (identity.pod !== undefined && identity.serviceAccount !== undefined) {
    throw runUsageError(
      "--pod and --service-account are alternatives: a pod's token is for its spec.serviceAccountName",
    );
  }
  if (identity.container !== undefined && identity.pod === undefined)
    throw runUsageError('--container needs --pod');
  if (values.attach !== undefined) {
    const serverFlags = Object.keys(values).filter((name) => !ATTACH_OPTIONS.has(name));
    if (serverFlags.length > 0) {
      throw runUsageError(
        `--attach runs against the server already running: ${serverFlags.map((name) => `--${name}`).join(', ')} would start another`,
      );
    }
  }
  delete values.pod;
  delete values['service-account'];
  delete values['token-ttl'];
  return {
    action: 'run',
    options: serverOptionsFrom(values, '0'),
    identity,
    attach: values.attach,
    verbose: values.verbose === true,
    command: argv[separator + 1]!,
    args: argv.slice(separator + 2),
  };
}
