import { fail } from './values';

/** Names the probe tries besides the ones it is given: rarely meant to be public. */
export const GUESSED_NAMESPACES: readonly string[] = ['/admin', '/internal'];

const MAX_NAMESPACES = 10;
const MAX_SANITIZED_FIELDS = 5;

/**
 * The namespaces the unguarded-namespace check connects to without a token: the ones
 * given, then the guesses, without the main namespace (the no-token check's).
 */
export function resolveNamespaces(
  given: readonly string[] | undefined,
  main: string,
): { readonly given: readonly string[]; readonly guessed: readonly string[] } {
  if (given !== undefined && !Array.isArray(given)) {
    fail('namespaces must be a list such as ["/admin", "/chat"].');
  }
  const list = given ?? [];
  if (list.length > MAX_NAMESPACES) {
    fail(`namespaces: at most ${MAX_NAMESPACES} (got ${list.length}).`);
  }
  for (const name of list) {
    if (typeof name !== 'string' || !/^\/[^\s,]*$/.test(name) || name === '/') {
      fail(`namespaces: "${String(name)}" must be a namespace such as /admin (not "/").`);
    }
  }
  const own = [...new Set(list)].filter((name) => name !== main);
  const guessed = GUESSED_NAMESPACES.filter((name) => name !== main && !own.includes(name));
  return { given: own, guessed };
}

/** Where the sanitize checks put their markup: an event, a payload it accepts, fields of it. */
export interface SanitizedTarget {
  readonly event: string;
  readonly payload: unknown;
  /** Paths into `payload`, as segments: `meta.bio` is `['meta', 'bio']`. */
  readonly fields: readonly (readonly string[])[];
}

/**
 * The sanitized event, its sample payload and fields. `undefined` without fields: the
 * sanitize checks are then not applicable. The event defaults to `event`, and the
 * payload to `payload` when the events are the same.
 */
export function resolveSanitized(
  fields: readonly string[] | undefined,
  sanitizedEvent: string | undefined,
  sanitizedPayload: unknown,
  event: string | undefined,
  payload: unknown,
): SanitizedTarget | undefined {
  if (fields === undefined) {
    if (sanitizedEvent !== undefined || sanitizedPayload !== undefined) {
      fail(
        'sanitizedEvent / sanitizedPayload need sanitizedFields: the fields your server sanitizes.',
      );
    }
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > MAX_SANITIZED_FIELDS) {
    fail(`sanitizedFields must list 1 to ${MAX_SANITIZED_FIELDS} fields, e.g. ["text"].`);
  }
  const paths = fields.map((field) => {
    const segments = typeof field === 'string' ? field.split('.') : [];
    if (segments.length === 0 || segments.some((segment) => !/^[\w$-]+$/.test(segment))) {
      fail(`sanitizedFields: "${String(field)}" must be a field path such as text or meta.bio.`);
    }
    return segments;
  });
  const target = sanitizedEvent ?? event;
  if (target === undefined) {
    fail('sanitizedFields need an event: give sanitizedEvent (or event).');
  }
  if (sanitizedPayload !== undefined && JSON.stringify(sanitizedPayload) === undefined) {
    fail('sanitizedPayload must be JSON data, e.g. { "bio": "hello" }.');
  }
  const sample = sanitizedPayload ?? (target === event ? payload : {});
  if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) {
    fail('the sanitized payload must be an object, e.g. { "bio": "hello" }.');
  }
  return { event: target, payload: sample, fields: paths };
}
