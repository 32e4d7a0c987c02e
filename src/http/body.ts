import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { GO_YAML } from '../json/go-yaml.js';
import { noteRequestBody } from '../audit/capture.js';
import { ApiError, badRequest, requestEntityTooLarge, unsupportedMediaType } from '../errors/status.js';
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
        decoded = yamlAsJson(parseYaml(body.toString('utf8'), GO_YAML));
      } catch (error) {
        if (error instanceof ApiError) throw error;
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

/** `encoding/json`'s `maxNestingDepth`: its scanner refuses deeper documents. */
const GO_MAX_NESTING_DEPTH = 10000;

/**
 * The deepest nesting served here. Go's decoders take up to 10000 levels; the recursive walks of this server
 * (patches, field sets, pruning) would exhaust Node's stack well before that, so deeper bodies are refused
 * with a 400 that says so rather than failing half-way. No Kubernetes object comes near it.
 */
export const MAX_SERVED_NESTING_DEPTH = 512;

/** The 400 for a body nested deeper than {@link MAX_SERVED_NESTING_DEPTH}. */
function tooDeeplyNested(): Error {
  return badRequest(
    `the request body nests objects and arrays more than ${MAX_SERVED_NESTING_DEPTH} levels deep, which fake-apiserver does not serve (kube-apiserver takes up to ${GO_MAX_NESTING_DEPTH})`,
  );
}

/** Parses JSON with the decoder's message on failure, as a 400. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('the body of the request was empty');
  if (body.length > 2 * MAX_SERVED_NESTING_DEPTH) {
    const depth = nestingDepth(body, GO_MAX_NESTING_DEPTH);
    if (depth > GO_MAX_NESTING_DEPTH)
      throw badRequest("couldn't get version/kind; json parse error: exceeded max depth");
    if (depth > MAX_SERVED_NESTING_DEPTH) throw tooDeeplyNested();
  }
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

/** How deep a JSON text nests arrays and objects (strings skipped, escapes honoured), counted up to past `limit`. */
function nestingDepth(body: Buffer, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length && deepest <= limit; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c /* \\ */) i++;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return deepest;
}

/**
 * A parsed YAML document as `sigs.k8s.io/yaml`'s YAMLToJSON gives it to the JSON decoder: `!!binary` becomes the
 * string of its bytes, timestamps RFC 3339 strings, map keys strings; `.inf` and `.nan` cannot be written as
 * JSON (`json: unsupported value: +Inf`). Iterative, so that a deeply nested document cannot exhaust the stack.
 * @see https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go
 */
function yamlAsJson(document: unknown): unknown {
  const root = { value: document };
  const pending: [Record<string, unknown> | unknown[], string | number, number][] = [[root, 'value', 0]];
  while (pending.length > 0) {
    const [holder, key, depth] = pending.pop()!;
    let value = (holder as Record<string | number, unknown>)[key];
    if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
    else if (value instanceof Date) value = value.toISOString().replace('.000Z', 'Z');
    else if (value instanceof Map) value = Object.fromEntries([...value].map(([k, v]) => [String(k), v]));
    else if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(
        `json: unsupported value: ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'}`,
      );
    }
    (holder as Record<string | number, unknown>)[key] = value;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_SERVED_NESTING_DEPTH) throw tooDeeplyNested();
    if (Array.isArray(value)) value.forEach((_, i) => pending.push([value as unknown[], i, depth + 1]));
    else for (const k of Object.keys(value)) pending.push([value as Record<string, unknown>, k, depth + 1]);
  }
  return root.value;
}
