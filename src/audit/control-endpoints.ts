import { successStatus } from '../errors/status.js';
import type { ControlApi } from '../control/control-api.js';
import { writeJson } from '../http/respond.js';
import { filterFromQuery } from './filter.js';
import type { AuditRecorder } from './recorder.js';
import type { AuditEventList } from './types.js';

/**
 * Serves the recorded requests to test code in any language, under the control API (authorized by RBAC as
 * non-resource URLs, so the admin kubeconfig may call them):
 * - `GET /fake-apiserver/v1/requests[?user=&verb=&resource=&namespace=&name=&group=&code=&stage=]`: an
 *   `audit.k8s.io/v1` `EventList`, oldest first;
 * - `DELETE /fake-apiserver/v1/requests`: forgets them (a `Status` Success).
 *
 * These requests are recorded too, as any other: a list fetched after a DELETE starts with that DELETE.
 */
export function registerAuditEndpoints(control: ControlApi, audit: AuditRecorder): void {
  control.register('GET', 'requests', (ctx) => {
    const list: AuditEventList = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: audit.requests(filterFromQuery(ctx.query)),
    };
    writeJson(ctx.res, 200, list);
  });
  control.register('DELETE', 'requests', (ctx) => {
    audit.clear();
    writeJson(ctx.res, 200, successStatus(undefined, 200));
  });
}
