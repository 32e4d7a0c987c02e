import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';

/** A document served with an entity tag: its bytes, the tag and when it last changed. */
export interface ServedDocument {
  bytes: Buffer;
  /** kube-openapi's `computeETag`: the SHA-512 of the bytes in upper-case hex. */
  etag: string;
  lastModified: Date;
}

/** Wraps bytes as a {@link ServedDocument}, tagged as kube-openapi tags them. */
export function servedDocument(bytes: Buffer, lastModified = new Date()): ServedDocument {
  return { bytes, etag: createHash('sha512').update(bytes).digest('hex').toUpperCase(), lastModified };
}

/** HTTP dates have whole seconds (`http.TimeFormat`). */
const httpDate = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000).toUTCString();

/**
 * Writes a document as Go's `http.ServeContent` does after the handler set `ETag` and `Content-Type`: 304 for a
 * matching `If-None-Match` (or, without one, an `If-Modified-Since` not before the last change), else 200 with
 * `Last-Modified`, `Accept-Ranges` and the length; HEAD gets no body. Byte ranges are not served.
 * @see https://pkg.go.dev/net/http#ServeContent
 */
export function serveContent(req: IncomingMessage, res: ServerResponse, document: ServedDocument): void {
  res.setHeader('Etag', `"${document.etag}"`);
  res.setHeader('Last-Modified', httpDate(document.lastModified));
  const ifNoneMatch = req.headers['if-none-match'];
  const ifModifiedSince = req.headers['if-modified-since'];
  const notModified =
    ifNoneMatch !== undefined
      ? ifNoneMatch
          .split(',')
          .map((tag) => tag.trim().replace(/^W\//, ''))
          .some((tag) => tag === '*' || tag === `"${document.etag}"`)
      : ifModifiedSince !== undefined &&
        !Number.isNaN(Date.parse(ifModifiedSince)) &&
        Math.floor(document.lastModified.getTime() / 1000) * 1000 <= Date.parse(ifModifiedSince);
  if (notModified) {
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Length', document.bytes.length);
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : document.bytes);
}
