const serialized = new WeakMap<object, Buffer>();

/**
 * The JSON bytes of a value. Stored objects are deeply frozen and replaced, never changed, on every
 * write, so their bytes are computed once per object version and reused by every GET that follows.
 */
export function jsonBytes(value: unknown): Buffer {
  if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) {
    return Buffer.from(JSON.stringify(value));
  }
  let bytes = serialized.get(value);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(value));
    serialized.set(value, bytes);
  }
  return bytes;
}
