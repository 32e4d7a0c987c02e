import { readFile } from 'node:fs/promises';
import { controlRequest, type ControlResponse } from '../control/control-client.js';
import type { FakeApiServerConnection } from './connection.js';

/** A JSON answer of the server. */
export type AdminResponse = ControlResponse;

async function credentials(connection: FakeApiServerConnection) {
  const [ca, cert, key] = await Promise.all([
    readFile(connection.caFile, 'utf8'),
    readFile(connection.adminCertFile, 'utf8'),
    readFile(connection.adminKeyFile, 'utf8'),
  ]);
  return { ca, cert, key };
}

/**
 * Sends one request as the admin (`system:masters` client certificate), verifying the server with its CA;
 * resolves to the status and parsed JSON body, whatever the status.
 */
export async function adminRequest(
  connection: FakeApiServerConnection,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminResponse> {
  return controlRequest(await credentials(connection), new URL(path, connection.url), method, body);
}

/** Throws, with the `Status` message, unless the response is a success (2xx). */
export function assertSuccess(method: string, path: string, response: AdminResponse): void {
  if (response.status >= 200 && response.status <= 299) return;
  const message = (response.body as { message?: unknown } | undefined)?.message ?? response.body;
  throw new Error(`[fake-apiserver] ${method} ${path}: ${response.status} ${String(message)}`);
}

/** Like `adminRequest`, but a status other than 2xx rejects with the `Status` message. */
export async function adminCall(
  connection: FakeApiServerConnection,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await adminRequest(connection, method, path, body);
  assertSuccess(method, path, response);
  return response.body;
}

/**
 * Returns the server to its state after start-up (`POST /fake-apiserver/v1/reset`), from any test worker:
 * `afterEach(() => resetFakeApiServer(inject('fakeApiserver')))`.
 */
export async function resetFakeApiServer(connection: FakeApiServerConnection): Promise<void> {
  await adminCall(connection, 'POST', `${connection.controlUrl}/reset`);
}
