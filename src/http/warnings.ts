import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';

const currentResponse = new AsyncLocalStorage<ServerResponse>();

/**
 * Makes `res` the response that `addWarning` writes to, for the rest of this request's handling (the
 * kind hooks that warn, such as `normalizeOnWrite`, do not see the response).
 */
export function collectWarningsFor(res: ServerResponse): void {
  currentResponse.enterWith(res);
}

/**
 * Adds a `Warning: 299 - "message"` header to the response being written, as the apiserver's
 * `warning.AddWarning` does; a no-op outside a request (fixtures at start-up) or once headers are sent.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/filters/warning.go
 */
export function addWarning(message: string): void {
  const res = currentResponse.getStore();
  if (!res || res.headersSent) return;
  const value = `299 - ${JSON.stringify(message)}`;
  const existing = res.getHeader('Warning');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  if (!list.includes(value)) res.setHeader('Warning', [...list, value]);
}
