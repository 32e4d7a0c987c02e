import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { noteRequestBody } from '../audit/capture.js';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../errors/status.js';
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE } from './protobuf.js';

/** kube-apiserver's default `MaxRequestBodyBytes`. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Media types accepted for create and update bodies. */
export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF_CONTENT_TYPE] as const;

/** Reads the request body, refusing it with 413 as soon as it passes the limit. */
export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw requestEntityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw requestEntityTooLarge(limit);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  noteRequestBody(req, body);
  return body;
}

/** The media type of a Content-Type header, lower-cased and without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes an object body by its media type: JSON (also when no type is given), YAML, or the Kubernetes
 * protobuf envelope kubectl 1.32+ sends. Anything else is 415.
 */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const mediaType = mediaTypeOf(contentType) || 'application/json';
  let decoded: unknown;
  switch (mediaType) {
    case 'application/json':
      decoded = parseJson(body);
      break;
    case 'application/yaml':
      try {
        // logLevel 'error': a client's odd tags must not print Node warnings in the host process.
        decoded = parseYaml(body.toString('utf8'), { logLevel: 'error' });
      } catch (error) {
        throw badRequest(`error converting YAML to JSON: ${(error as Error).message}`);
      }
      break;
    case PROTOBUF_CONTENT_TYPE:
      decoded = decodeKubernetesProtobuf(body);
      break;
    default:
      throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw badRequest(`Object 'Kind' is missing in '${body.toString('utf8').slice(0, 200)}'`);
  }
  return decoded as Record<string, unknown>;
}

/** Parses JSON with the decoder's message on failure, as a 400. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${goJsonMessage(error as Error)}`);
  }
}

/** Go's `encoding/json` wording where it is known for sure (a truncated document); V8's otherwise. */
function goJsonMessage(error: Error): string {
  return error.message === 'Unexpected end of JSON input' ? 'unexpected end of JSON input' : error.message;
}
