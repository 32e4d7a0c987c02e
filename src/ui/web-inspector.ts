import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { badRequest, methodNotAllowed, notFound, pathNotFound } from '../errors/status.js';
import { writeJson } from '../http/respond.js';
import { endStalledStream, queueBound } from '../http/slow-client.js';
import type { ServerContext } from '../server/server-context.js';
import { admitToInspector, isInspectorPath, UI_PREFIX, type InspectorCredentials } from './access.js';
import { InspectorCapability, TOKEN_PARAMETER } from './capability.js';
import type { ListenAddress } from './host-check.js';
import { inspectorDecision } from './decision-view.js';
import {
  inspectorKindByKey,
  inspectorKinds,
  inspectorObjects,
  inspectorStoreChange,
  renderObject,
} from './store-view.js';

/**
 * The page, script and stylesheet, shipped as they are (no build step) in the package's `src/ui/assets`,
 * found from the compiled modules and the bundled command alike.
 */
export const INSPECTOR_ASSETS_DIR = join(PACKAGE_ROOT, 'src/ui/assets');

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Decisions replayed to a page when it connects; the server keeps more (`authorizationDecisions`). */
const DECISION_BACKLOG = 500;
const HEARTBEAT_MS = 15_000;

// Object content is user input: the page builds its DOM with textContent only, and this policy forbids
// any script but our own file should that ever slip.
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The web inspector (`ui: true`, `--ui`): a page at `/fake-apiserver/ui/` showing the requests the server
 * authorized, live, with the RBAC decision and its reason, and the objects in the store. Its paths are
 * answered before RBAC, under their own access rule (`admitToInspector`): the `Host` must name this server,
 * and the client must hold the token of the URL printed at start (`entryPath`) or a credential of a user RBAC
 * allows to list every resource.
 */
export class WebInspector {
  readonly #server: ServerContext;
  readonly #capability = new InspectorCapability();
  readonly #listenAddress: () => ListenAddress;

  /** `listenAddress` is where the server listens once it does: the `Host` a request must name. */
  constructor(server: ServerContext, listenAddress: () => ListenAddress) {
    this.#server = server;
    this.#listenAddress = listenAddress;
  }

  /** The page's path with the token (`/fake-apiserver/ui/?token=…`): the one link to print or hand out. */
  get entryPath(): string {
    return `${UI_PREFIX}/?${TOKEN_PARAMETER}=${this.#capability.token}`;
  }

  /** Whether the path is the inspector's. */
  owns(path: string): boolean {
    return isInspectorPath(path);
  }

  /** Answers one request under `/fake-apiserver/ui`. Throws `ApiError`. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    credentials: InspectorCredentials,
  ): Promise<void> {
    const access = { capability: this.#capability, listenAddress: this.#listenAddress };
    if (!admitToInspector(req, res, url, access, credentials)) return;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
    const subpath = url.pathname.slice(UI_PREFIX.length);
    if (subpath === '') {
      res.statusCode = 301;
      res.setHeader('Location', `${UI_PREFIX}/`);
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const asset = ASSETS[subpath];
    if (asset) return this.#serveAsset(res, asset.file, asset.type);
    if (subpath === '/events') return this.#serveEvents(req, res);
    if (subpath === '/api/kinds') {
      return writeJson(res, 200, inspectorKinds(this.#server.registry, this.#server.store));
    }
    if (subpath === '/api/objects') {
      const kind = this.#kind(url.searchParams);
      const namespace = url.searchParams.get('namespace') || undefined;
      return writeJson(res, 200, inspectorObjects(this.#server.store, kind, namespace));
    }
    if (subpath === '/api/object') return this.#serveObject(res, url.searchParams);
    throw pathNotFound();
  }

  #kind(query: URLSearchParams) {
    const key = query.get('kind') ?? '';
    const kind = inspectorKindByKey(this.#server.registry, key);
    if (!kind) throw badRequest(`unknown kind ${JSON.stringify(key)}: use a key from ${UI_PREFIX}/api/kinds`);
    return kind;
  }

  #serveObject(res: ServerResponse, query: URLSearchParams): void {
    const kind = this.#kind(query);
    const name = query.get('name') ?? '';
    const format = query.get('format') ?? 'yaml';
    if (format !== 'yaml' && format !== 'json') {
      throw badRequest(`format ${JSON.stringify(format)} is not yaml or json`);
    }
    const obj = this.#server.store.get(kind, kind.namespaced ? (query.get('namespace') ?? '') : '', name);
    if (!obj) throw notFound(kind, name);
    const text = renderObject(obj, format);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }

  async #serveAsset(res: ServerResponse, file: string, type: string): Promise<void> {
    const body = await readFile(resolve(INSPECTOR_ASSETS_DIR, file));
    res.statusCode = 200;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', body.length);
    res.end(body);
  }

  /**
   * Server-Sent Events: `decision` (id = its `seq`, so a reconnecting page resumes after the last one it
   * saw) for every authorization decision, after the recent ones; `store` for every change to an object.
   * A client that lets more than `watchBufferBytes` queue up is cut off as a stalled watch is (the page
   * reconnects and resumes); the connection closes with the feed.
   */
  #serveEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const server = this.#server;
    const queue = queueBound(res, server.watches?.bufferBytes ?? Infinity);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Accel-Buffering': 'no',
      Connection: 'close',
    });
    res.write('retry: 1000\n\n');

    return new Promise<void>((done) => {
      let unsubscribeDecisions: (() => void) | undefined;
      let unsubscribeStore = (): void => {};
      let untrack = (): void => {};
      const finish = (): void => {
        unsubscribeDecisions?.();
        unsubscribeStore();
        clearInterval(heartbeat);
        untrack();
        if (!res.writableEnded) res.end();
        done();
      };
      const write = (text: string): void => {
        if (res.writableEnded) return;
        res.write(text);
        if (!queue.exceeded()) return;
        server.log(
          `Forcing web inspector feed close due to unresponsiveness: ${res.writableLength} bytes queued for ${req.socket.remoteAddress ?? 'a client'}`,
        );
        endStalledStream(res, finish);
      };
      const send = (event: string, data: unknown, id?: number): void =>
        write(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`);
      const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      untrack = server.trackStream(finish);
      res.on('close', finish);

      const lastSeen = Number(req.headers['last-event-id']);
      const backlog = server.authorizations?.decisions(
        Number.isSafeInteger(lastSeen) ? { after: lastSeen } : {},
      );
      for (const record of backlog?.slice(-DECISION_BACKLOG) ?? []) {
        send('decision', inspectorDecision(record), record.seq);
      }
      send('ready', {});
      // The backlog was sent at once: it is allowed on top of the bound.
      queue.arm();
      unsubscribeDecisions = server.authorizations?.subscribe((record) =>
        send('decision', inspectorDecision(record), record.seq),
      );
      unsubscribeStore = server.store.subscribe((event) => send('store', inspectorStoreChange(event)));
    });
  }
}
