import { parseArgs } from 'node:util';
import { FakeApiServerError } from '../errors/developer-error.js';
import type { FakeApiServerOptions } from '../types.js';

/** Usage text of the command. */
export const USAGE = `Usage: fake-apiserver [options]

Runs a fake Kubernetes API server over HTTPS until interrupted.

Options:
  --port N                    port to listen on (default 6443; 0 = any free port)
  --host ADDR                 address to listen on (default 127.0.0.1)
  --fixtures PATH             manifests to serve: a file or directory of .yaml/.yml/.json
                              (repeatable; default: the package's own small cluster)
  --sa-dir DIR                write token, ca.crt and namespace there, as the kubelet does
  --service-account NS/NAME   whose token goes into --sa-dir (default default/default)
  --kubeconfig FILE           write an admin (system:masters) kubeconfig there
  -h, --help                  show this help
  -v, --version               show the version

Once listening (and every file written) it prints, on stdout:
  export KUBERNETES_SERVICE_HOST=<host>
  export KUBERNETES_SERVICE_PORT=<port>
`;

/** What the command line asks for. */
export type CliRequest =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'serve'; options: FakeApiServerOptions & { port: number; host: string } };

/** Parses argv (without node and the script); throws `FakeApiServerError` on bad input. */
export function parseCliArguments(argv: readonly string[]): CliRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        'sa-dir': { type: 'string' },
        'service-account': { type: 'string' },
        kubeconfig: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new FakeApiServerError('INVALID_OPTION', (error as Error).message, 'run fake-apiserver --help');
  }
  const { values } = parsed;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  const portText = values.port ?? '6443';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `--port ${portText} is not a port number`,
      'use 0..65535; 0 picks any free port',
    );
  }
  const options: FakeApiServerOptions & { port: number; host: string } = {
    port: Number(portText),
    host: values.host ?? '127.0.0.1',
  };
  if (values.fixtures) options.fixtures = values.fixtures;
  if (values['sa-dir']) options.saDir = values['sa-dir'];
  if (values['service-account']) options.serviceAccount = values['service-account'];
  if (values.kubeconfig) options.kubeconfig = values.kubeconfig;
  return { action: 'serve', options };
}
