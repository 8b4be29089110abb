/**
 * The payloads of the message checks, built as JSON text so that keys no object
 * literal can hold (`__proto__`) reach the wire as written.
 */

/** `["event",<payload>]`, the argument array of an EVENT packet. */
export function argumentsJson(event: string, payloadJson: string): string {
  return `[${JSON.stringify(event)},${payloadJson}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The payload grown by `extra` characters: the first string field of an object
 * payload (so a schema sees the fields it expects), a string payload itself, or a
 * `padding` field.
 */
export function paddedPayloadJson(payload: unknown, extra: number): string {
  const padding = 'x'.repeat(Math.max(0, extra));
  if (typeof payload === 'string') return JSON.stringify(payload + padding);
  if (isPlainObject(payload)) {
    const field = Object.keys(payload).find((key) => typeof payload[key] === 'string');
    if (field !== undefined) {
      return JSON.stringify({ ...payload, [field]: `${String(payload[field])}${padding}` });
    }
    return JSON.stringify({ ...payload, padding });
  }
  return JSON.stringify({ padding });
}

/** The payload object with one more raw JSON entry first, e.g. `"__proto__":{…}`. */
export function withEntryJson(payload: unknown, entry: string): string {
  const body = isPlainObject(payload) ? JSON.stringify(payload).slice(1, -1) : '';
  return body === '' ? `{${entry}}` : `{${entry},${body}}`;
}
