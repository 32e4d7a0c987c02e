import { badRequest, notFound } from '../errors/status.js';
import type { ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import type { LogLine } from '../store/pod-logs.js';
import { booleanParameter } from '../http/query-parameters.js';

function containerNames(spec: Record<string, unknown> | undefined, field: string): string[] {
  const list = (spec?.[field] as { name?: string }[] | undefined) ?? [];
  return list.map((c) => c.name ?? '');
}

function nonNegativeInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw))
    throw badRequest(`${name}: Invalid value: "${raw}": must be a non-negative integer`);
  return Number(raw);
}

/** RFC 3339 with nanoseconds, as the kubelet prefixes lines when `timestamps=true`. */
function nanoTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * `GET pods/{name}/log`: the log text fixtures (or the programmatic handle) gave the container, as
 * `text/plain`, honouring `container`, `tailLines`, `limitBytes`, `timestamps`, `sinceSeconds` and
 * `follow` (the stream stays open and carries lines appended later).
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/pod/strategy.go
 */
export async function servePodLog(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
): Promise<void> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') {
    throw badRequest('the server does not allow this method on the requested resource');
  }
  const { namespace, pathName: name } = ctx.info;
  const pod = server.store.get(kind, namespace, name);
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const spec = pod.spec as Record<string, unknown> | undefined;
  const containers = containerNames(spec, 'containers');
  const initContainers = containerNames(spec, 'initContainers');
  let container = ctx.query.get('container') ?? '';
  if (!container) {
    if (containers.length === 1) container = containers[0]!;
    else {
      const init =
        initContainers.length > 0 ? ` or one of the init containers: [${initContainers.join(' ')}]` : '';
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${init}`,
      );
    }
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (booleanParameter(ctx.query.get('previous'))) {
    throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  }
  const tailLines = nonNegativeInteger(ctx.query, 'tailLines');
  const limitBytes = nonNegativeInteger(ctx.query, 'limitBytes');
  const sinceSeconds = nonNegativeInteger(ctx.query, 'sinceSeconds');
  const timestamps = booleanParameter(ctx.query.get('timestamps'));
  const follow = booleanParameter(ctx.query.get('follow'));

  let lines = [...server.logs.lines(namespace, name, container)];
  if (sinceSeconds !== undefined) {
    const cutoff = Date.now() - sinceSeconds * 1000;
    lines = lines.filter((line) => line.time.getTime() >= cutoff);
  }
  if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);
  const render = (line: LogLine): string =>
    `${timestamps ? `${nanoTimestamp(line.time)} ` : ''}${line.text}\n`;
  let text = lines.map(render).join('');
  let budget = limitBytes ?? Infinity;
  if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString('utf8');
  budget -= Buffer.byteLength(text);

  ctx.res.statusCode = 200;
  ctx.res.setHeader('Content-Type', 'text/plain');
  if (!follow || budget <= 0) {
    ctx.res.setHeader('Content-Length', Buffer.byteLength(text));
    ctx.res.end(text);
    return;
  }
  ctx.res.setHeader('Transfer-Encoding', 'chunked');
  ctx.res.write(text);
  await new Promise<void>((resolve) => {
    let unfollow = (): void => {};
    let untrack = (): void => {};
    const finish = (): void => {
      unfollow();
      untrack();
      if (!ctx.res.writableEnded) ctx.res.end();
      resolve();
    };
    untrack = server.trackStream(finish);
    ctx.res.on('close', finish);
    unfollow = server.logs.follow(namespace, name, container, (line) => {
      let chunk = render(line);
      if (Buffer.byteLength(chunk) > budget) chunk = Buffer.from(chunk).subarray(0, budget).toString('utf8');
      budget -= Buffer.byteLength(chunk);
      ctx.res.write(chunk);
      if (budget <= 0) finish();
    });
  });
}
