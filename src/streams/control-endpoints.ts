import type { ControlApi } from '../control/control-api.js';
import { badRequest } from '../errors/status.js';
import { readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { RequestContext } from '../server/server-context.js';
import type { ExecMatcher, ScriptedExecReply } from './handler-types.js';
import type { StreamHandlers } from './stream-handlers.js';

async function readJsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const text = (await readBody(ctx.req)).toString('utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('the body must be a JSON object');
  return value as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

function optionalInteger(body: Record<string, unknown>, field: string, max = 255): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max)
    throw badRequest(`${field} must be an integer from 0 to ${max}`);
  return value;
}

function execMatcher(body: Record<string, unknown>, withCommand: boolean): ExecMatcher {
  const matcher: ExecMatcher = {};
  const namespace = optionalString(body, 'namespace');
  const pod = optionalString(body, 'pod');
  const container = optionalString(body, 'container');
  if (namespace !== undefined) matcher.namespace = namespace;
  if (pod !== undefined) matcher.pod = pod;
  if (container !== undefined) matcher.container = container;
  if (withCommand && body.command !== undefined) {
    const command = body.command;
    if (typeof command === 'string') matcher.command = command;
    else if (Array.isArray(command) && command.every((c) => typeof c === 'string'))
      matcher.command = command as string[];
    else throw badRequest('command must be a string or a list of strings');
  }
  return matcher;
}

function scriptedReply(body: Record<string, unknown>): ScriptedExecReply {
  const reply: ScriptedExecReply = {};
  const stdout = optionalString(body, 'stdout');
  const stderr = optionalString(body, 'stderr');
  const exitCode = optionalInteger(body, 'exitCode');
  if (stdout !== undefined) reply.stdout = stdout;
  if (stderr !== undefined) reply.stderr = stderr;
  if (exitCode !== undefined) reply.exitCode = exitCode;
  if (body.echoStdin !== undefined) {
    if (typeof body.echoStdin !== 'boolean') throw badRequest('echoStdin must be a boolean');
    reply.echoStdin = body.echoStdin;
  }
  return reply;
}

/**
 * Serves scripted stream handlers below `/fake-apiserver/v1/`, for test code in any language:
 * - `POST stream-handlers/exec` `{namespace?, pod?, container?, command?, stdout?, stderr?, exitCode?, echoStdin?}`
 *   (`command`: the exact argv as a list, or a string equal to argv[0] or to the argv joined with spaces);
 * - `POST stream-handlers/attach` the same without `command`;
 * - `POST stream-handlers/portforward` `{namespace?, pod?, port?, targetPort, targetHost?}`: connections are
 *   forwarded to `targetHost:targetPort` (127.0.0.1 by default);
 * - `GET stream-handlers` lists what was registered here, `DELETE stream-handlers` removes it.
 * Later registrations win over earlier ones.
 */
export function registerStreamHandlerEndpoints(control: ControlApi, handlers: StreamHandlers): void {
  control.register('POST', 'stream-handlers/exec', async (ctx) => {
    const body = await readJsonObject(ctx);
    const matcher = execMatcher(body, true);
    const reply = scriptedReply(body);
    handlers.onExec(matcher, reply, true);
    writeJson(ctx.res, 201, { ...matcher, ...reply });
  });
  control.register('POST', 'stream-handlers/attach', async (ctx) => {
    const body = await readJsonObject(ctx);
    const matcher = execMatcher(body, false);
    const reply = scriptedReply(body);
    handlers.onAttach(matcher, reply, true);
    writeJson(ctx.res, 201, { ...matcher, ...reply });
  });
  control.register('POST', 'stream-handlers/portforward', async (ctx) => {
    const body = await readJsonObject(ctx);
    const namespace = optionalString(body, 'namespace');
    const pod = optionalString(body, 'pod');
    const port = optionalInteger(body, 'port', 65535);
    const targetPort = optionalInteger(body, 'targetPort', 65535);
    if (targetPort === undefined)
      throw badRequest('targetPort is required: the local TCP port to forward to');
    const targetHost = optionalString(body, 'targetHost') ?? '127.0.0.1';
    const matcher = {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(pod !== undefined ? { pod } : {}),
      ...(port !== undefined ? { port } : {}),
    };
    handlers.onPortForward(matcher, { host: targetHost, port: targetPort }, true);
    writeJson(ctx.res, 201, { ...matcher, targetHost, targetPort });
  });
  control.register('GET', 'stream-handlers', (ctx) => writeJson(ctx.res, 200, handlers.listControl()));
  control.register('DELETE', 'stream-handlers', (ctx) => {
    handlers.clear(true);
    writeJson(ctx.res, 200, handlers.listControl());
  });
}
