import { developerErrorAsStatus } from '../errors/developer-error-status.js';
import { badRequest, notFoundMessage } from '../errors/status.js';
import { readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import { podKind } from '../registry/built-in-kinds.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { podFilesHandle, type PodFilesDeps } from './pod-files-handle.js';
import type { PodFileInfo, PodFiles } from './types.js';

/** `namespaces/NS/pods/POD[/PATH]`, the part of the URL after `pod-files/`. */
const TARGET = /^namespaces\/([^/]+)\/pods\/([^/]+)(\/.*)?$/;

function parseMode(ctx: RequestContext): number | undefined {
  const mode = ctx.query.get('mode');
  if (mode === null) return undefined;
  if (!/^0?[0-7]{1,4}$/.test(mode))
    throw badRequest(`mode must be octal permission bits such as 0644, not "${mode}"`);
  return parseInt(mode, 8);
}

function asJson(info: PodFileInfo): Record<string, unknown> {
  return {
    ...info,
    mode: `0${info.mode.toString(8).padStart(3, '0')}`,
    modified: info.modified.toISOString(),
  };
}

/**
 * Serves the in-memory files of pod containers below `/fake-apiserver/v1/pod-files/`, for test code in any
 * language (non-resource URLs: RBAC decides, as for every control endpoint):
 * - `PUT namespaces/NS/pods/POD/PATH?container=C&mode=0644`: the body becomes the file (directories above
 *   it are made) → 201 and its description; `?type=directory` makes a directory instead;
 * - `GET …/PATH`: a file's bytes (`application/octet-stream`), a directory's entries as JSON
 *   (`{"path", "items": [{path, name, type, mode, size, modified, target?}]}`); 404 when missing;
 * - `DELETE …/PATH`: removes it and what is below it → 200 `{"removed": true|false}`.
 * Without `container`, the pod's default container (the pod must exist).
 */
export function registerPodFileEndpoints(server: ServerContext): void {
  const { control, podFiles } = server;
  if (!control || !podFiles) return;
  const deps: PodFilesDeps = {
    podFiles,
    findPod: (namespace, name) => server.store.get(podKind, namespace, name),
    now: () => server.clock.now(),
  };
  const target = (ctx: RequestContext, rest: string): { files: PodFiles; path: string } => {
    const match = TARGET.exec(rest);
    if (!match)
      throw notFoundMessage(`expected pod-files/namespaces/NAMESPACE/pods/POD/PATH, not pod-files/${rest}`);
    const container = ctx.query.get('container');
    const files = podFilesHandle(deps, {
      namespace: match[1]!,
      pod: match[2]!,
      ...(container ? { container } : {}),
    });
    return { files, path: match[3] ?? '/' };
  };
  const serve =
    (handler: (ctx: RequestContext, rest: string) => Promise<void> | void) =>
    async (ctx: RequestContext, rest: string): Promise<void> => {
      try {
        await handler(ctx, rest);
      } catch (error) {
        throw developerErrorAsStatus(error);
      }
    };

  control.registerPrefix(
    'PUT',
    'pod-files',
    serve(async (ctx, rest) => {
      const { files, path } = target(ctx, rest);
      const mode = parseMode(ctx);
      const options = mode === undefined ? {} : { mode };
      const type = ctx.query.get('type') ?? 'file';
      if (type !== 'file' && type !== 'directory')
        throw badRequest(`type must be file or directory, not "${type}"`);
      const body = await readBody(ctx.req);
      const info = type === 'directory' ? files.mkdir(path, options) : files.write(path, body, options);
      writeJson(ctx.res, 201, asJson(info));
    }),
  );
  control.registerPrefix(
    'GET',
    'pod-files',
    serve((ctx, rest) => {
      const { files, path } = target(ctx, rest);
      const info = files.stat(path);
      if (info?.type === 'directory') {
        writeJson(ctx.res, 200, { path: info.path, items: files.list(path).map(asJson) });
        return;
      }
      const content = files.read(path);
      ctx.res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(content.length),
      });
      ctx.res.end(content);
    }),
  );
  control.registerPrefix(
    'DELETE',
    'pod-files',
    serve((ctx, rest) => {
      const { files, path } = target(ctx, rest);
      writeJson(ctx.res, 200, { removed: files.remove(path) });
    }),
  );
}
