import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeApiServerError } from '../errors/developer-error.js';
import { parseRequestInfo } from '../http/request-info.js';
import { noteRequestBody, noteResponseBody } from './capture.js';
import { AuditLogFile } from './log-file.js';
import { parseAuditLevel, parseAuditMaxEvents } from './options.js';
import { AuditRecorder } from './recorder.js';
import type { AuditEvent } from './types.js';

const clock = { now: () => new Date('2025-05-01T10:00:00.000Z') };
const ADMIN = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

/** Runs one request through a recorder, as the pipeline and the handlers drive it. */
function serve(
  recorder: AuditRecorder,
  method: string,
  path: string,
  options: { code?: number; body?: unknown; response?: unknown } = {},
): void {
  const url = new URL(path, 'https://x.invalid');
  const req = {
    url: path,
    headers: { 'content-type': 'application/json' },
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
  const res = Object.assign(new EventEmitter(), { headersSent: false, statusCode: 200 });
  const recording = recorder.begin(
    req,
    res as unknown as ServerResponse,
    `id-${path}`,
    parseRequestInfo(method, url.pathname, url.searchParams),
  );
  recording.noteUser(ADMIN);
  recording.noteAuthorization({ allowed: true, reason: '' });
  if (options.body !== undefined) noteRequestBody(req, Buffer.from(JSON.stringify(options.body)));
  if (options.response !== undefined) noteResponseBody(res as unknown as ServerResponse, options.response);
  res.statusCode = options.code ?? 200;
  res.headersSent = true;
  res.emit('close');
}

function recorder(options: Partial<ConstructorParameters<typeof AuditRecorder>[0]> = {}): AuditRecorder {
  return new AuditRecorder({ level: 'Metadata', clock, maxEvents: 100, log: () => {}, ...options });
}

describe('AuditRecorder', () => {
  it('keeps the last maxEvents, oldest first, and forgets them on clear', () => {
    const audit = recorder({ maxEvents: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      serve(audit, 'GET', `/api/v1/namespaces/default/pods/${name}`);
    expect(audit.requests().map((e) => e.objectRef?.name)).toEqual(['c', 'd', 'e']);
    audit.clear();
    expect(audit.requests()).toEqual([]);
    serve(audit, 'GET', '/api/v1/namespaces/default/pods/f');
    expect(audit.requests().map((e) => e.objectRef?.name)).toEqual(['f']);
  });

  it('hands frozen events to subscribers until they unsubscribe; a failing one is logged, not fatal', () => {
    const logged: string[] = [];
    const audit = recorder({ maxEvents: 0, log: (message) => logged.push(message) });
    const seen: AuditEvent[] = [];
    const stop = audit.subscribe((event) => seen.push(event));
    audit.subscribe(() => {
      throw new Error('boom');
    });
    serve(audit, 'POST', '/api/v1/namespaces/default/configmaps', {
      code: 201,
      body: { metadata: { name: 'cm' }, data: { big: 'x' } },
    });
    stop();
    serve(audit, 'GET', '/version');
    expect(seen.map((e) => [e.verb, e.objectRef?.name, e.responseStatus?.code])).toEqual([
      ['create', 'cm', 201],
    ]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(Object.isFrozen(seen[0]!.objectRef)).toBe(true);
    expect(logged).toEqual(['audit listener failed: Error: boom', 'audit listener failed: Error: boom']);
    expect(audit.requests()).toEqual([]);
  });

  it('records bodies by level: none at Metadata, the request at Request, both at RequestResponse', () => {
    const bodies = (level: 'Metadata' | 'Request' | 'RequestResponse') => {
      const audit = recorder({ level });
      serve(audit, 'PUT', '/api/v1/namespaces/default/configmaps/cm', {
        body: { metadata: { name: 'cm', resourceVersion: '7' }, data: { k: 'v' } },
        response: { metadata: { name: 'cm', resourceVersion: '8' }, data: { k: 'v' } },
      });
      const [event] = audit.requests();
      return [event!.objectRef?.resourceVersion, event!.requestObject, event!.responseObject];
    };
    expect(bodies('Metadata')).toEqual(['7', undefined, undefined]);
    expect(bodies('Request')).toEqual([
      '7',
      { metadata: { name: 'cm', resourceVersion: '7' }, data: { k: 'v' } },
      undefined,
    ]);
    expect(bodies('RequestResponse')[2]).toEqual({
      metadata: { name: 'cm', resourceVersion: '8' },
      data: { k: 'v' },
    });
  });

  it('lists writes as short lines, failed ones included', () => {
    const audit = recorder();
    serve(audit, 'GET', '/api/v1/namespaces/default/configmaps');
    serve(audit, 'POST', '/api/v1/namespaces/default/configmaps', {
      code: 201,
      body: { metadata: { name: 'a' } },
    });
    serve(audit, 'DELETE', '/api/v1/namespaces/default/configmaps/b', { code: 404 });
    serve(audit, 'DELETE', '/api/v1/namespaces/default/configmaps', { code: 200 });
    expect(audit.writes()).toEqual([
      { verb: 'create', resource: 'configmaps', namespace: 'default', name: 'a', code: 201 },
      { verb: 'delete', resource: 'configmaps', namespace: 'default', name: 'b', code: 404 },
      { verb: 'deletecollection', resource: 'configmaps', namespace: 'default', name: '', code: 200 },
    ]);
  });
});

describe('AuditLogFile', () => {
  it('appends to an existing file, keeps events that came before it opened, and flushes on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-audit-file-'));
    const path = join(dir, 'audit.log');
    await writeFile(path, '{"earlier":true}\n', { mode: 0o640 });
    const file = new AuditLogFile(path, () => {});
    const audit = recorder({ file });
    serve(audit, 'GET', '/version');
    await file.open();
    serve(audit, 'GET', '/healthz');
    await audit.close();
    serve(audit, 'GET', '/livez');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('{"earlier":true}');
    expect(lines.slice(1).map((line) => (JSON.parse(line) as AuditEvent).requestURI)).toEqual([
      '/version',
      '/healthz',
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('refuses a file it cannot open, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-audit-file-'));
    const file = new AuditLogFile(dir, () => {});
    await expect(file.open()).rejects.toThrow(
      new FakeApiServerError(
        'INVALID_OPTION',
        `cannot open the audit log ${dir}: EISDIR`,
        'give --audit-log (auditLog) a file in a writable directory',
      ),
    );
  });
});

describe('options', () => {
  it('accepts the three levels and whole numbers of events, and nothing else', () => {
    expect(parseAuditLevel('RequestResponse', '--audit-level')).toBe('RequestResponse');
    expect(() => parseAuditLevel('metadata', 'auditLevel')).toThrow(
      '[fake-apiserver] auditLevel "metadata" is not an audit level\n  hint: use one of Metadata, Request, RequestResponse',
    );
    expect(parseAuditMaxEvents(undefined)).toBe(10_000);
    expect(parseAuditMaxEvents(0)).toBe(0);
    expect(() => parseAuditMaxEvents(1.5)).toThrow('auditMaxEvents 1.5 is not a whole number of events');
  });
});
