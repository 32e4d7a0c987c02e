import {
  absolutePath,
  ERRNO_MESSAGES,
  FileSystemError,
  type ContainerFileSystem,
} from './container-filesystem.js';
import { tarCreate, tarExtract, type CommandOutput } from './tar-command.js';

/**
 * The commands a pod container answers by itself when no exec handler matches: exactly what `kubectl cp`
 * runs (kubectl 1.27 to 1.33, `staging/src/k8s.io/kubectl/pkg/cmd/cp/cp.go`), and `cat`, `ls` and `test`
 * over the same files. Anything else is not a built-in (`containerCommand` returns undefined).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/kubectl/pkg/cmd/cp/cp.go
 */

/** What a built-in command runs against. */
export interface ContainerCommandContext {
  files: ContainerFileSystem;
  /** The container's working directory (`workingDir`, `/` by default). */
  cwd: string;
  now(): Date;
  readStdin(): Promise<Buffer>;
}

/** A built-in command, ready to run. */
export type ContainerCommand = (context: ContainerCommandContext) => Promise<CommandOutput>;

const output = (stdout: Buffer | string, stderr = '', exitCode = 0): CommandOutput => ({
  stdout: typeof stdout === 'string' ? Buffer.from(stdout) : stdout,
  stderr,
  exitCode,
});

function errnoText(error: unknown): string {
  if (error instanceof FileSystemError) return ERRNO_MESSAGES[error.errno];
  throw error;
}

/** `tar [--no-same-permissions] [--no-same-owner] -xmf - [-C DIR]`, as copy-to-pod runs it. */
function tarExtractCommand(args: readonly string[]): ContainerCommand | undefined {
  let samePermissions = true;
  let rest = [...args];
  while (rest[0] === '--no-same-permissions' || rest[0] === '--no-same-owner') {
    if (rest[0] === '--no-same-permissions') samePermissions = false;
    rest = rest.slice(1);
  }
  if (rest[0] !== '-xmf' || rest[1] !== '-') return undefined;
  rest = rest.slice(2);
  let directory: string | undefined;
  if (rest.length === 2 && rest[0] === '-C') directory = rest[1];
  else if (rest.length !== 0) return undefined;
  return async (context) =>
    tarExtract(context.files, context.cwd, await context.readStdin(), {
      samePermissions,
      now: context.now(),
      ...(directory !== undefined ? { directory } : {}),
    });
}

/**
 * `sh -c 'tar cf - SRC | tail -c+N'`, what copy-from-pod runs with `--retries`: the archive from its Nth byte
 * (`tail -c+0` is the whole of it, as `+1`). The pipeline's status is tail's, so a missing file exits 0.
 * SRC is split into words as the shell would; one with shell syntax in it is not a built-in.
 */
function tarTailCommand(script: string): ContainerCommand | undefined {
  const match = /^tar cf - (.+) \| tail -c\+(\d+)$/.exec(script);
  if (!match) return undefined;
  const paths = match[1]!.split(/[ \t\n]+/).filter(Boolean);
  if (paths.some((path) => /['"\\$`*?[\]{}~;&|<>()#=%]/.test(path))) return undefined;
  const from = Math.max(Number(match[2]) - 1, 0);
  return (context) => {
    const result = tarCreate(context.files, context.cwd, paths);
    return Promise.resolve({ ...result, stdout: result.stdout.subarray(from), exitCode: 0 });
  };
}

function catCommand(paths: readonly string[]): ContainerCommand {
  return async (context) => {
    if (paths.length === 0) return output(await context.readStdin());
    const chunks: Buffer[] = [];
    let stderr = '';
    for (const path of paths) {
      try {
        chunks.push(context.files.readFile(absolutePath(path, context.cwd)));
      } catch (error) {
        stderr += `cat: ${path}: ${errnoText(error)}\n`;
      }
    }
    return output(Buffer.concat(chunks), stderr, stderr === '' ? 0 : 1);
  };
}

/** `ls [PATH...]` without options, its output to a pipe (one name a line, dot files hidden). */
function lsCommand(paths: readonly string[]): ContainerCommand {
  return (context) => {
    const operands = paths.length === 0 ? ['.'] : [...paths];
    let stderr = '';
    const fileLines: string[] = [];
    const directories: [string, string[]][] = [];
    for (const path of operands) {
      try {
        const node = context.files.lookup(absolutePath(path, context.cwd));
        if (node.type === 'directory') {
          const names = context.files.list(absolutePath(path, context.cwd)).map(([name]) => name);
          directories.push([path, names.filter((name) => !name.startsWith('.'))]);
        } else fileLines.push(path);
      } catch (error) {
        stderr += `ls: cannot access '${path}': ${errnoText(error)}\n`;
      }
    }
    const blocks: string[] = [];
    if (fileLines.length > 0)
      blocks.push(
        fileLines
          .sort()
          .map((line) => `${line}\n`)
          .join(''),
      );
    for (const [path, names] of directories.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const listing = names.map((name) => `${name}\n`).join('');
      blocks.push(operands.length > 1 ? `${path}:\n${listing}` : listing);
    }
    return Promise.resolve(output(blocks.join('\n'), stderr, stderr === '' ? 0 : 2));
  };
}

/** `test -d|-f|-e PATH`: exit 0 or 1, nothing printed. */
function testCommand(flag: string, path: string): ContainerCommand {
  return (context) => {
    const node = context.files.find(absolutePath(path, context.cwd));
    const yes =
      node !== undefined &&
      (flag === '-e' || (flag === '-d' ? node.type === 'directory' : node.type === 'file'));
    return Promise.resolve(output('', '', yes ? 0 : 1));
  };
}

/** The built-in command for an argv, or undefined when it is not one. */
export function containerCommand(argv: readonly string[]): ContainerCommand | undefined {
  const [program, ...args] = argv;
  switch (program) {
    case 'tar':
      if (args.length >= 3 && args[0] === 'cf' && args[1] === '-') {
        const paths = args.slice(2);
        return (context) => Promise.resolve(tarCreate(context.files, context.cwd, paths));
      }
      return tarExtractCommand(args);
    case 'sh':
      return args.length === 2 && args[0] === '-c' ? tarTailCommand(args[1]!) : undefined;
    case 'test':
      return args.length === 2 && ['-d', '-f', '-e'].includes(args[0]!)
        ? testCommand(args[0]!, args[1]!)
        : undefined;
    case 'cat':
      return args.some((arg) => arg.startsWith('-')) ? undefined : catCommand(args);
    case 'ls':
      return args.some((arg) => arg.startsWith('-')) ? undefined : lsCommand(args);
    default:
      return undefined;
  }
}
