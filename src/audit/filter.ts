import { badRequest } from '../errors/status.js';
import type { AuditEvent, AuditStage, RecordedRequestFilter, RecordedWrite } from './types.js';

/** The verbs that change something, as `writes()` selects them. */
export const MUTATING_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

const STAGES: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

function qualifiedResource(event: AuditEvent): string {
  const ref = event.objectRef;
  if (!ref?.resource) return '';
  return ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
}

/** Whether an event matches every field the filter gives. */
export function matchesFilter(event: AuditEvent, filter: RecordedRequestFilter): boolean {
  if (filter.user !== undefined) {
    if (event.user.username !== filter.user && event.impersonatedUser?.username !== filter.user) return false;
  }
  if (filter.verb !== undefined) {
    if (typeof filter.verb === 'string' ? event.verb !== filter.verb : !filter.verb.includes(event.verb))
      return false;
  }
  const ref = event.objectRef;
  if (filter.resource !== undefined) {
    const wanted = filter.resource;
    if ((wanted.includes('/') ? qualifiedResource(event) : (ref?.resource ?? '')) !== wanted) return false;
  }
  if (filter.subresource !== undefined && (ref?.subresource ?? '') !== filter.subresource) return false;
  if (filter.namespace !== undefined && (ref?.namespace ?? '') !== filter.namespace) return false;
  if (filter.name !== undefined && (ref?.name ?? '') !== filter.name) return false;
  if (filter.group !== undefined && (!ref || (ref.apiGroup ?? '') !== filter.group)) return false;
  if (filter.code !== undefined && event.responseStatus?.code !== filter.code) return false;
  if (filter.stage !== undefined && event.stage !== filter.stage) return false;
  return true;
}

/** Whether an event is a completed write (`create`, `update`, `patch`, `delete`, `deletecollection`). */
export function isCompletedWrite(event: AuditEvent): boolean {
  return event.stage === 'ResponseComplete' && MUTATING_VERBS.includes(event.verb);
}

/** The compact line of a write event. */
export function toRecordedWrite(event: AuditEvent): RecordedWrite {
  return {
    verb: event.verb,
    resource: qualifiedResource(event),
    namespace: event.objectRef?.namespace ?? '',
    name: event.objectRef?.name ?? '',
    code: event.responseStatus?.code ?? 0,
  };
}

const QUERY_FIELDS = [
  'user',
  'verb',
  'resource',
  'subresource',
  'namespace',
  'name',
  'group',
  'code',
  'stage',
];

/**
 * A filter from the query of `GET /fake-apiserver/v1/requests`: the fields of `RecordedRequestFilter`, with
 * `verb` repeatable or comma-separated. An unknown parameter or a bad value is a 400, never ignored.
 */
export function filterFromQuery(query: URLSearchParams): RecordedRequestFilter {
  for (const key of new Set(query.keys())) {
    if (!QUERY_FIELDS.includes(key)) {
      throw badRequest(
        `unknown query parameter ${JSON.stringify(key)}; the requests endpoint takes ${QUERY_FIELDS.join(', ')}`,
      );
    }
  }
  const filter: RecordedRequestFilter = {};
  const single = (key: string): string | undefined => {
    const values = query.getAll(key);
    if (values.length > 1) throw badRequest(`query parameter ${JSON.stringify(key)} is given more than once`);
    return values[0];
  };
  const verbs = query
    .getAll('verb')
    .flatMap((v) => v.split(','))
    .filter(Boolean);
  if (verbs.length > 0) filter.verb = verbs;
  for (const key of ['user', 'resource', 'subresource', 'namespace', 'name', 'group'] as const) {
    const value = single(key);
    if (value !== undefined) filter[key] = value;
  }
  const code = single('code');
  if (code !== undefined) {
    if (!/^\d{3}$/.test(code)) throw badRequest(`code ${JSON.stringify(code)} is not an HTTP status code`);
    filter.code = Number(code);
  }
  const stage = single('stage');
  if (stage !== undefined) {
    if (!(STAGES as readonly string[]).includes(stage)) {
      throw badRequest(`stage ${JSON.stringify(stage)} is not one of ${STAGES.join(', ')}`);
    }
    filter.stage = stage as AuditStage;
  }
  return filter;
}
