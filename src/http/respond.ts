import type { ServerResponse } from 'node:http';
import { noteResponseBody } from '../audit/capture.js';
import { PlainTextError } from '../errors/plain-text-error.js';
import { ApiError, internalError } from '../errors/status.js';
import { goJson, jsonBytes, prettyJsonBytes, wantsPrettyJson } from './serialize.js';

/**
 * Writes a JSON body with the status code as apimachinery's serializer does: compact with a trailing newline,
 * or indented when the request asks for pretty output (`?pretty=true`, curl, Wget, browsers).
 */
export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const payload = wantsPrettyJson(res.req) ? prettyJsonBytes(body) : jsonBytes(body);
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', payload.length);
  noteResponseBody(res, body);
  res.end(payload);
}

/**
 * Writes JSON as handlers that marshal it themselves do, whatever the client: `indent` for `WriteRawJSON`'s
 * `json.MarshalIndent(object, "", "  ")` (`/version`), none for a plain `json.Marshal` (OIDC discovery).
 */
export function writeRawJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  options: { indent?: boolean; contentType?: string } = {},
): void {
  const payload = Buffer.from(goJson(body, options.indent ? '  ' : undefined));
  res.statusCode = code;
  res.setHeader('Content-Type', options.contentType ?? 'application/json');
  res.setHeader('Content-Length', payload.length);
  noteResponseBody(res, body);
  res.end(payload);
}

/** Writes plain text, as health checks and logs answer. */
export function writeText(res: ServerResponse, code: number, text: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * The one place errors become responses: an `ApiError` as its Status (a `PlainTextError` as its text),
 * anything else as a 500 Status.
 */
export function writeError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError ? error : internalError(error instanceof Error ? error.message : String(error));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (apiError instanceof PlainTextError) {
    if (apiError.closeConnection) res.setHeader('Connection', 'close');
    return writeText(res, apiError.code, apiError.text);
  }
  if (apiError.details?.retryAfterSeconds)
    res.setHeader('Retry-After', String(apiError.details.retryAfterSeconds));
  writeJson(res, apiError.code, apiError.toStatus());
}
