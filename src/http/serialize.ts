import type { IncomingMessage } from 'node:http';

/**
 * How many objects' bytes are kept. Bounded, and holding only recent ones: a WeakMap would keep the bytes
 * of every object the watch history still holds (10,000 events, tens of MiB outside V8's heap).
 */
const CACHED_OBJECTS = 1024;
const serialized = new Map<object, Buffer>();

const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text as Go's encoding/json writes it: `<`, `>` and `&` (HTML escaping, on by default) and U+2028/U+2029
 * escaped. They can only occur inside strings, so replacing them everywhere is safe.
 * @see https://pkg.go.dev/encoding/json#Marshal
 */
export function goJson(value: unknown, indent?: string): string {
  const text = JSON.stringify(value, null, indent);
  return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED, (c) => GO_ESCAPES[c]!) : text;
}

/**
 * The JSON bytes of a value as apimachinery's JSON serializer writes a response (`json.NewEncoder(w).Encode`):
 * compact, Go-escaped, ending with a newline. Stored objects are deeply frozen and replaced, never changed, on
 * every write, so the bytes of a recently served object version are reused by the GETs that follow.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go
 */
export function jsonBytes(value: unknown): Buffer {
  if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) {
    return Buffer.from(`${goJson(value)}\n`);
  }
  let bytes = serialized.get(value);
  if (!bytes) {
    // A buffer of its own: a small one cut from Node's shared 8 KiB pool would keep the whole slab alive.
    const text = `${goJson(value)}\n`;
    bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    if (serialized.size >= CACHED_OBJECTS) serialized.delete(serialized.keys().next().value!);
    serialized.set(value, bytes);
  }
  return bytes;
}

/**
 * The pretty form (`json.MarshalIndent(obj, "", "  ")`, no trailing newline), which the serializer writes when
 * {@link wantsPrettyJson}.
 */
export function prettyJsonBytes(value: unknown): Buffer {
  return Buffer.from(goJson(value, '  '));
}

/** `strconv.ParseBool`'s true spellings (anything it cannot parse is false). */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * Whether kube-apiserver pretty-prints the response: `?pretty=` when given non-empty (true as ParseBool reads
 * it), else for a user agent starting with `curl`, `Wget` or `Mozilla/5.0`.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/negotiation/negotiate.go
 */
export function wantsPrettyJson(req: IncomingMessage | undefined): boolean {
  if (!req) return false;
  const url = req.url ?? '';
  const queryStart = url.indexOf('?');
  if (queryStart >= 0 && url.includes('pretty', queryStart)) {
    const pretty = new URLSearchParams(url.slice(queryStart + 1)).get('pretty');
    if (pretty) return TRUE.has(pretty);
  }
  const agent = req.headers['user-agent'] ?? '';
  return agent.startsWith('curl') || agent.startsWith('Wget') || agent.startsWith('Mozilla/5.0');
}
