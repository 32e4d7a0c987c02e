import { describe, expect, it } from 'vitest';
import { FakeApiServerError } from '../errors/developer-error.js';
import { findSandboxTools } from '../run/host-tools.js';
import { parseCliArguments } from './args.js';

function refusal(run: () => unknown): FakeApiServerError {
  try {
    run();
  } catch (error) {
    if (error instanceof FakeApiServerError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('fake-apiserver run arguments', () => {
  it('takes server options, the identity and the network before --, and COMMAND after it', () => {
    expect(
      parseCliArguments([
        'run',
        '--fixtures',
        './k8s',
        '--pod',
        'shop/web',
        '--container',
        'app',
        '--network',
        'host',
        '--',
        'kubectl',
        'get',
        'pods',
        '--',
        '-x',
      ]),
    ).toEqual({
      action: 'run',
      options: { port: 0, host: '127.0.0.1', fixtures: ['./k8s'] },
      identity: { pod: 'shop/web', container: 'app', network: 'host' },
      attach: undefined,
      verbose: false,
      command: 'kubectl',
      args: ['get', 'pods', '--', '-x'],
    });
  });

  it('attaches to a running server with its kubeconfig, and then takes no server option', () => {
    const request = parseCliArguments([
      'run',
      '--attach',
      'kc',
      '--service-account',
      'default/pod-reader',
      '--',
      'id',
    ]);
    expect(request).toMatchObject({
      action: 'run',
      attach: 'kc',
      identity: { serviceAccount: 'default/pod-reader' },
    });
    expect(
      refusal(() => parseCliArguments(['run', '--attach', 'kc', '--fixtures', 'x', '--', 'id'])).message,
    ).toContain('--attach runs against the server already running: --fixtures would start another');
  });

  it.each([
    [['run', 'id'], 'run needs -- and then the COMMAND to run'],
    [['run', '--'], 'run needs -- and then the COMMAND to run'],
    [['run', '--sa-dir', 'sa', '--', 'id'], '--sa-dir and --root are for running code without run'],
    [
      ['run', '--pod', 'a/b', '--service-account', 'a/c', '--', 'id'],
      '--pod and --service-account are alternatives',
    ],
    [['run', '--container', 'app', '--', 'id'], '--container needs --pod'],
    [['run', '--network', 'bridge', '--', 'id'], '--network bridge is not sandbox or host'],
    [['run', '--nope', '--', 'id'], "run: Unknown option '--nope'"],
  ])('refuses %j', (argv, message) => {
    const error = refusal(() => parseCliArguments(argv));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain(`[fake-apiserver] ${message}`);
  });
});

describe("the sandbox's tools", () => {
  it('are refused off Linux, and where unshare is not there, naming the fallback', () => {
    const notLinux = refusal(() => findSandboxTools({ network: 'sandbox', hostname: false }, {}, 'darwin'));
    expect(notLinux.code).toBe('SANDBOX_UNAVAILABLE');
    expect(notLinux.message).toBe(
      '[fake-apiserver] fake-apiserver run needs Linux user, mount, UTS and network namespaces; this is darwin\n' +
        '  hint: without namespaces (macOS, user namespaces disabled, a container without them), start the server ' +
        'with --sa-dir DIR (or --root DIR) and point your code at those paths: see "Without run" in the README',
    );
    const missing = refusal(() =>
      findSandboxTools(
        { network: 'sandbox', hostname: false },
        { FAKE_APISERVER_UNSHARE: '/nonexistent/unshare' },
        'linux',
      ),
    );
    expect(missing.message).toContain(
      'fake-apiserver run needs unshare (util-linux) to make its sandbox, and FAKE_APISERVER_UNSHARE=/nonexistent/unshare is not an executable file',
    );
  });
});
