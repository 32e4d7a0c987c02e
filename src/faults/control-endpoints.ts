import { parse as parseYaml } from 'yaml';
import type { ControlApi } from '../control/control-api.js';
import {
  alreadyExistsMessage,
  ApiError,
  badRequest,
  notFoundMessage,
  unsupportedMediaType,
} from '../errors/status.js';
import { mediaTypeOf, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { RequestContext } from '../server/server-context.js';
import { DuplicateFaultRuleError, type FaultInjector } from './fault-injector.js';
import { FaultRuleError, parseFaultRules } from './parse-fault-rule.js';

const BODY_MEDIA_TYPES = ['application/json', 'application/yaml'];

function ruleNotFound(id: string): ApiError {
  return notFoundMessage(`fault rule "${id}" not found`, { name: id, kind: 'faults' });
}

async function readRules(ctx: RequestContext): Promise<unknown> {
  const mediaType = mediaTypeOf(ctx.req.headers['content-type']) || 'application/json';
  if (!BODY_MEDIA_TYPES.includes(mediaType)) throw unsupportedMediaType(BODY_MEDIA_TYPES);
  const text = (await readBody(ctx.req)).toString('utf8');
  if (text.trim() === '')
    throw badRequest('the body of the request was empty: send a rule or a list of rules');
  try {
    return mediaType === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body is not ${mediaType}: ${(error as Error).message}`);
  }
}

async function createRules(injector: FaultInjector, ctx: RequestContext): Promise<void> {
  const body = await readRules(ctx);
  try {
    const added = injector.add(parseFaultRules(body, true));
    writeJson(ctx.res, 201, { items: added.map((rule) => rule.snapshot()) });
  } catch (error) {
    if (error instanceof DuplicateFaultRuleError) {
      throw alreadyExistsMessage(error.message, { kind: 'faults' });
    }
    if (error instanceof FaultRuleError) throw badRequest(error.message);
    throw error;
  }
}

/**
 * Serves the fault rules over HTTPS below `/fake-apiserver/v1/`, for test code in any language:
 * `GET faults` lists them with their counters, `POST faults` adds one rule or a list (JSON or YAML; all or
 * none; 201 with the created rules and their ids), `DELETE faults` removes all, `GET`/`DELETE faults/<id>`
 * one. Bad rules are 400 with the reason, a taken id 409, an unknown id 404.
 */
export function registerFaultEndpoints(control: ControlApi, injector: FaultInjector): void {
  control.register('GET', 'faults', (ctx) => writeJson(ctx.res, 200, { items: injector.list() }));
  control.register('POST', 'faults', (ctx) => createRules(injector, ctx));
  control.register('DELETE', 'faults', (ctx) => writeJson(ctx.res, 200, { items: injector.clear() }));
  control.registerPrefix('GET', 'faults', (ctx, id) => {
    const rule = injector.get(id);
    if (!rule) throw ruleNotFound(id);
    writeJson(ctx.res, 200, rule);
  });
  control.registerPrefix('DELETE', 'faults', (ctx, id) => {
    const rule = injector.remove(id);
    if (!rule) throw ruleNotFound(id);
    writeJson(ctx.res, 200, rule);
  });
}
