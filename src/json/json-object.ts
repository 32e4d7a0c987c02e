/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether a decoded JSON value is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
