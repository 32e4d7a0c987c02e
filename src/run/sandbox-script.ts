/**
 * The sandbox's set-up as a POSIX shell script, run by `unshare` inside the new user, mount, UTS and network
 * namespaces as their owner: a private tmpfs for its own layers, the mounts of the plan, loopback up with the
 * API's address, a socket listening there handed out to the `run` process, the hostname; then COMMAND is
 * exec'd as the invoking user with no capabilities left, so that it has the process `run` started (its pid,
 * its exit status, the signals sent to it).
 */
import type { SandboxTools } from './host-tools.js';
import type { MountPlan, SandboxStep } from './sandbox-plan.js';

/** The line the set-up writes last on its diagnostics channel: what follows is COMMAND's. */
export const READY_MARKER = 'fake-apiserver: sandbox ready';

/**
 * The descriptors the set-up is started with: 0 and 1 are COMMAND's, 2 carries the set-up's diagnostics
 * (then closed), 3 is COMMAND's stderr (moved to 2 before the exec), 4 the IPC channel the listening socket
 * is handed out on.
 */
export const SETUP_FDS = { diagnostics: 2, commandStderr: 3, ipc: 4 } as const;

/** The message the listener sends with its socket. */
export const LISTENER_MESSAGE = 'fake-apiserver-run-listener';

/** Listens at argv's address and port inside the sandbox, hands the socket to the parent, and exits. */
export const LISTENER_SOURCE = `
const net = require('node:net');
const [address, port] = process.argv.slice(1);
const server = net.createServer();
server.once('error', (error) => {
  process.stderr.write('cannot listen on ' + address + ':' + port + ' in the sandbox: ' + error.message + '\\n');
  process.exit(1);
});
server.listen({ host: address, port: Number(port), exclusive: true }, () => {
  process.send(${JSON.stringify(LISTENER_MESSAGE)}, server, () => {
    server.close();
    process.disconnect();
  });
});
`;

/** A word quoted for the shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** What the script is made from. */
export interface SandboxScriptInput {
  tools: SandboxTools;
  mounts: MountPlan;
  /** The private directory the set-up mounts its tmpfs on. */
  scratch: string;
  /** Addresses to add to loopback, and where to listen for the API, in the sandbox's own network. */
  network?: { loopbackAddresses: readonly string[]; listen: { address: string; port: number } };
  hostname?: string;
  /** COMMAND's working directory. */
  cwd: string;
}

// Makes DIR, seen at AT, able to gain entries without touching the host. `overlay`: an overlay over a
// recursive bind of it, new entries in the private tmpfs, the mounts below it bound again (where overlayfs
// cannot be mounted, as `binds`). `binds`: a tmpfs with each entry of DIR bound back (how a new root is
// built: its entries are the host's own, so what COMMAND writes there reaches the host as without run).
const SHADOW_FUNCTION = `shadow() {
  fa_dir=$1 fa_at=$2 fa_layer="$T/$3" fa_mode=$4
  shift 4
  mkdir -p "$fa_at"
  if [ "$fa_dir" = "$fa_at" ]; then
    fa_from="$fa_layer.lower"
    mkdir -p "$fa_from"
    m --rbind "$fa_dir" "$fa_from"
  else
    fa_from=\${fa_dir%/}
  fi
  if [ "$fa_mode" = overlay ]; then
    mkdir -p "$fa_layer.upper" "$fa_layer.work"
    chmod "$(stat -c %a "$fa_from/")" "$fa_layer.upper"
    fa_options="lowerdir=$fa_from,upperdir=$fa_layer.upper,workdir=$fa_layer.work"
    if m -t overlay fake-apiserver-run -o "$fa_options,userxattr" "$fa_at" 2>/dev/null ||
      m -t overlay fake-apiserver-run -o "$fa_options" "$fa_at" 2>/dev/null; then
      for fa_child in "$@"; do m --rbind "$fa_from/$fa_child" "$fa_at/$fa_child"; done
      return
    fi
  fi
  m -t tmpfs -o "mode=$(stat -c %a "$fa_from/")" fake-apiserver-run "$fa_at"
  # Not copied by a recursive bind of a directory above it (the new root holds the host's /tmp).
  m --make-unbindable "$fa_at"
  for fa_entry in "$fa_from"/* "$fa_from"/.[!.]* "$fa_from"/..?*; do
    [ -e "$fa_entry" ] || [ -L "$fa_entry" ] || continue
    fa_name=\${fa_entry##*/}
    if [ -L "$fa_entry" ]; then ln -s "$(readlink "$fa_entry")" "$fa_at/$fa_name"
    elif [ -d "$fa_entry" ]; then mkdir "$fa_at/$fa_name" && m --rbind "$fa_entry" "$fa_at/$fa_name"
    else : > "$fa_at/$fa_name" && m --bind "$fa_entry" "$fa_at/$fa_name"
    fi
  done
}`;

function stepLine(step: SandboxStep): string {
  const q = shellQuote;
  switch (step.op) {
    case 'shadow':
      return ['shadow', q(step.dir), q(step.at), q(step.id), step.layer, ...step.children.map(q)].join(' ');
    case 'mkdir':
      return `mkdir -m 0755 ${q(step.path)}`;
    case 'file':
      return `: > ${q(step.path)}`;
    case 'bind':
      return `m --bind ${q(step.source)} ${q(step.target)}`;
    case 'readonly':
      return `m -o ${q(step.options)} ${q(step.target)}`;
  }
}

/** The set-up script; COMMAND and its arguments are its positional parameters. */
export function sandboxScript({
  tools,
  mounts,
  scratch,
  network,
  hostname,
  cwd,
}: SandboxScriptInput): string {
  const q = shellQuote;
  const lines = [
    'set -eu',
    // The set-up finds its helpers in the system's directories, whatever PATH COMMAND is given.
    'if [ "${PATH+set}" = set ]; then fa_path=$PATH; fa_has_path=1; else fa_has_path=0; fi',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ];
  if (network) {
    const ip = q(tools.ip!);
    lines.push(`${ip} link set lo up`);
    for (const address of network.loopbackAddresses) {
      lines.push(`${ip} addr add ${q(`${address}/${address.includes(':') ? 128 : 32}`)} dev lo`);
    }
    // Node takes longer to start than the mounts take: it listens while they are made (with none of the
    // NODE_OPTIONS COMMAND may be given).
    lines.push(
      `NODE_OPTIONS= ${q(tools.node)} -e ${q(LISTENER_SOURCE)} ${q(network.listen.address)} ${q(String(network.listen.port))} &`,
      'fa_listener=$!',
    );
  }
  lines.push(
    `T=${q(scratch)}`,
    `m() { ${q(tools.mount)} -n "$@"; }`,
    'm -t tmpfs -o mode=0700 fake-apiserver-run "$T"',
    SHADOW_FUNCTION,
    ...mounts.steps.map(stepLine),
  );
  if (network) lines.push('wait "$fa_listener"');
  if (hostname !== undefined) lines.push(`${q(tools.hostname!)} ${q(hostname)}`);
  lines.push(
    'if [ $fa_has_path = 1 ]; then PATH=$fa_path; else unset PATH; fi',
    'unset NODE_CHANNEL_FD NODE_CHANNEL_SERIALIZATION_MODE',
  );
  if (!mounts.root) lines.push(`cd -- ${q(cwd)}`);
  lines.push(
    `printf '%s\\n' ${q(READY_MARKER)} >&${SETUP_FDS.diagnostics}`,
    `exec ${SETUP_FDS.diagnostics}>&${SETUP_FDS.commandStderr} ${SETUP_FDS.commandStderr}>&- ${SETUP_FDS.ipc}>&-`,
  );
  const dropCapabilities = `${q(tools.setpriv)} --inh-caps=-all --ambient-caps=-all --`;
  if (mounts.root) {
    lines.push(
      `exec ${q(tools.unshare)} --root=${q(mounts.root)} --wd=${q(cwd)} -- ${dropCapabilities} "$@"`,
    );
  } else lines.push(`exec ${dropCapabilities} "$@"`);
  return `${lines.join('\n')}\n`;
}

/**
 * `unshare`'s arguments: new user (the invoking uid and gid mapped to themselves, its capabilities kept
 * for the set-up), mount, UTS and, unless on the host's network, network namespaces.
 */
export function unshareArguments(network: 'sandbox' | 'host', uid: number, gid: number): string[] {
  return [
    '--user',
    `--map-user=${uid}`,
    `--map-group=${gid}`,
    '--keep-caps',
    '--mount',
    '--uts',
    ...(network === 'sandbox' ? ['--net'] : []),
  ];
}
