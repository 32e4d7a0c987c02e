/**
 * The server's side of a run done by a server already running on this machine (the command's `--attach`,
 * `runInPod` in vitest workers), through its control API as the admin.
 */
import { CONTROL_PREFIX } from '../control/control-api.js';
import { controlRequest, type ClientCredentials, type ControlResponse } from '../control/control-client.js';
import { FakeApiServerError, type DeveloperErrorCode } from '../errors/developer-error.js';
import type { RunPreparer } from './run-command.js';
import type { RunPlan } from './types.js';

/** Sends one control request: `POST <server>/fake-apiserver/v1/<path>`. */
export type ControlCall = (path: string, body: unknown) => Promise<ControlResponse>;

/** A `ControlCall` with a client certificate, to the server at `url`. */
export function controlCallWith(url: string, credentials: ClientCredentials): ControlCall {
  return (path, body) => controlRequest(credentials, new URL(`${CONTROL_PREFIX}/${path}`, url), 'POST', body);
}

function refusal(response: ControlResponse): FakeApiServerError {
  const message = String(
    (response.body as { message?: unknown } | undefined)?.message ?? JSON.stringify(response.body),
  );
  let code: DeveloperErrorCode = 'POD_NOT_RUNNABLE';
  if (response.status === 404)
    code = message.startsWith('pod ') ? 'POD_NOT_FOUND' : 'SERVICE_ACCOUNT_NOT_FOUND';
  if (response.status === 401 || response.status === 403) {
    return new FakeApiServerError(
      'INVALID_OPTION',
      `the server refused to prepare the run (${response.status}): ${message}`,
      'attach with the admin kubeconfig the server wrote (--kubeconfig FILE)',
    );
  }
  return new FakeApiServerError(code, message);
}

/** Prepares runs on the server `call` reaches (`POST runs`, `POST runs/stop`). */
export function attachedPreparer(call: ControlCall): RunPreparer {
  return {
    async prepare(request) {
      const response = await call('runs', request);
      if (response.status !== 201) throw refusal(response);
      return response.body as RunPlan;
    },
    async finish(dir) {
      await call('runs/stop', { dir });
    },
  };
}
