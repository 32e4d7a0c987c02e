/**
 * How many objects' bytes are kept. Bounded, and holding only recent ones: a WeakMap would keep the bytes
 * of every object the watch history still holds (10,000 events, tens of MiB outside V8's heap).
 */
const CACHED_OBJECTS = 1024;
const serialized = new Map<object, Buffer>();

/**
 * The JSON bytes of a value. Stored objects are deeply frozen and replaced, never changed, on every
 * write, so the bytes of a recently served object version are reused by the GETs that follow.
 */
export function jsonBytes(value: unknown): Buffer {
  if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) {
    return Buffer.from(JSON.stringify(value));
  }
  let bytes = serialized.get(value);
  if (!bytes) {
    // A buffer of its own: a small one cut from Node's shared 8 KiB pool would keep the whole slab alive.
    const text = JSON.stringify(value);
    bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    if (serialized.size >= CACHED_OBJECTS) serialized.delete(serialized.keys().next().value!);
    serialized.set(value, bytes);
  }
  return bytes;
}
