import { controllerWriter } from '../api/write-path.js';
import type { ControlApi } from '../control/control-api.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { badRequest, notFound } from '../errors/status.js';
import { writeJson } from '../http/respond.js';
import { podKind } from '../registry/built-in-kinds.js';
import { nodeKind } from '../registry/kinds/core-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ServerContext } from '../server/server-context.js';
import { readControlBody } from '../state/control-endpoints.js';
import { NODE_SCENARIO_ANNOTATION } from './node-heartbeat.js';
import { parseContainerScenario, SCENARIO_ANNOTATION } from './scenarios.js';

/** Where a scenario goes: a pod (every container, or one), or a node. */
export type ScenarioTarget = { pod: string; container?: string } | { node: string };

/** The scenarios a node knows. */
const NODE_SCENARIOS = ['NotReady', 'Unreachable'];

/**
 * Sets (or, with `null`, clears) a scenario by writing its annotation through the API's write path as the
 * field manager `fake-apiserver`, exactly as `kubectl annotate` would: a pod's
 * `fake-apiserver.dev/scenario[.CONTAINER]` (read when a container next starts), a node's
 * `fake-apiserver.dev/scenario`. Returns the object as stored. Throws `FakeApiServerError`
 * (`INVALID_OPTION`) for an unknown scenario or a malformed target, and a 404 `ApiError` for a missing object.
 */
export function setScenario(
  server: Pick<ServerContext, 'store' | 'clock' | 'onCreated'>,
  target: ScenarioTarget,
  scenario: string | null,
): KubeObject {
  const writer = controllerWriter(server, 'fake-apiserver');
  let kind = podKind;
  let namespace = '';
  let name: string;
  let key = SCENARIO_ANNOTATION;
  if ('node' in target) {
    kind = nodeKind;
    name = target.node;
    key = NODE_SCENARIO_ANNOTATION;
    if (scenario !== null && !NODE_SCENARIOS.includes(scenario)) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `node scenario ${JSON.stringify(scenario)} is not NotReady or Unreachable`,
      );
    }
  } else {
    const match = /^([^/]+)\/([^/]+)$/.exec(target.pod ?? '');
    if (!match) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `pod ${JSON.stringify(target.pod)} is not NAMESPACE/NAME`,
      );
    }
    [namespace, name] = [match[1]!, match[2]!];
    if (target.container) key = `${SCENARIO_ANNOTATION}.${target.container}`;
    if (scenario !== null && scenario !== 'IgnoreSIGTERM') {
      parseContainerScenario(scenario, (message) => {
        throw new FakeApiServerError('INVALID_OPTION', `scenario ${message}`);
      });
    }
  }
  const current = server.store.get(kind, namespace, name);
  if (!current) throw notFound({ group: '', resource: kind.resource }, name);
  const next = structuredClone(current);
  const annotations = { ...next.metadata?.annotations };
  if (scenario === null) delete annotations[key];
  else annotations[key] = scenario;
  next.metadata = { ...next.metadata, annotations };
  return writer.update(kind, next);
}

/**
 * Registers `POST scenarios` under `/fake-apiserver/v1/`: `{"pod": "NS/NAME", "container": "app",
 * "scenario": "CrashLoopBackOff"}` or `{"node": "NAME", "scenario": "NotReady"}` (`null` clears) → 200
 * `{kind, namespace, name, annotations}`; 400 for a bad body or scenario, 404 for a missing object.
 */
export function registerScenarioEndpoint(
  control: ControlApi,
  server: Pick<ServerContext, 'store' | 'clock' | 'onCreated'>,
): void {
  control.register('POST', 'scenarios', async (ctx) => {
    const body = await readControlBody(ctx);
    const scenario = body.scenario;
    if (scenario !== null && typeof scenario !== 'string') {
      throw badRequest(
        'the body must be {"pod": "NS/NAME", "container"?: "NAME", "scenario": "..."} or {"node": "NAME", "scenario": "NotReady"} (scenario null clears it)',
      );
    }
    let target: ScenarioTarget;
    if (typeof body.node === 'string' && body.pod === undefined) target = { node: body.node };
    else if (typeof body.pod === 'string' && body.node === undefined) {
      target = {
        pod: body.pod,
        ...(typeof body.container === 'string' ? { container: body.container } : {}),
      };
    } else throw badRequest('the body names one "pod" ("NS/NAME") or one "node"');
    let updated: KubeObject;
    try {
      updated = setScenario(server, target, scenario);
    } catch (error) {
      if (!(error instanceof FakeApiServerError)) throw error;
      throw badRequest(error.message.replace(/^\[fake-apiserver\] /, ''));
    }
    writeJson(ctx.res, 200, {
      kind: updated.kind,
      ...(updated.metadata?.namespace ? { namespace: updated.metadata.namespace } : {}),
      name: updated.metadata?.name,
      annotations: updated.metadata?.annotations ?? {},
    });
  });
}
