/**
 * Finding the probe's markup in what the server sends back (the ack, or an event the
 * sending socket receives, such as a broadcast of the stored message): intact, cleaned,
 * or not there at all. The probe cannot see the handler; an echo is all it can read.
 */

/** A word no sanitizer removes, to find the markup's remains in an echo. */
export const MARK_WORD = 'portcullisprobe';

/** The markup the sanitize checks send: an image whose error handler runs script. */
export const MARKUP = `<img src=x onerror=alert(1)>${MARK_WORD}`;

/** A live `<img … onerror=…>` tag: markup that was not escaped or stripped. */
const LIVE_MARKUP = /<img\b[^>]*\bonerror\s*=/i;

export type Echo = 'intact' | 'cleaned' | 'absent';

/** Every string inside `value`, at most `limit` of them, depth-first. */
function strings(value: unknown, found: string[], limit: number, depth = 0): void {
  if (found.length >= limit || depth > 32) return;
  if (typeof value === 'string') found.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, found, limit, depth + 1);
  else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) strings(item, found, limit, depth + 1);
  }
}

/**
 * How the markup came back in `values`: `intact` when a string holding the mark word
 * still holds a live `<img onerror>`, `cleaned` when the mark word came back without
 * one, `absent` when it did not come back.
 */
export function findEcho(values: readonly unknown[]): Echo {
  const found: string[] = [];
  strings(values, found, 10_000);
  const echoed = found.filter((text) => text.includes(MARK_WORD));
  if (echoed.length === 0) return 'absent';
  return echoed.some((text) => LIVE_MARKUP.test(text)) ? 'intact' : 'cleaned';
}
