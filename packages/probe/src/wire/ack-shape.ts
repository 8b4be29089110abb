/**
 * Telling a refusal from an acceptance in what a server sends back, whatever its
 * naming: Portcullis answers `{ error: { code } }`, but hand-written servers answer
 * `{ ok: false, error: 'MESSAGE_TOO_LARGE' }`, `{ status: 'error', code: … }`,
 * `ack('VALIDATION_ERROR')`, `ack(false)`, or emit `error` / `exception` / `app:error`.
 */

/** A refusal found in an ack or an error event. */
export interface Refusal {
  /** The code the server named, in its own words, when it named one. */
  readonly code: string | undefined;
  /** When the server says to try again later (a rate limit). */
  readonly retryAfterMs: number | undefined;
}

/** Words that make a string an error rather than a result (`'ok'`, `'saved'`). */
const ERROR_WORDS =
  /error|invalid|denied|forbidden|unauthori[sz]ed|unauthenticated|reject|refus|fail|too[ _-]?(?:large|big|long|many)|limit|not[ _-]?allowed|exceed|expired|revoked|malformed|bad[ _-]?request|slow[ _-]?down|blocked|banned/i;

/** `VALIDATION_ERROR`, `auth/invalid-token`, `E_TOO_BIG`: short and without spaces. */
const CODE_LIKE = /^[A-Za-z][\w:./-]{1,63}$/;

/** Statuses that say "refused". */
const ERROR_STATUS = /^(?:error|fail(?:ed|ure)?|rejected|refused|denied|invalid|forbidden|ko)$/i;

/** Event names that carry a refusal: `error`, `exception` (NestJS), `chat:error`, `app_error`. */
const ERROR_EVENT = /(?:^|[:._-])(?:error|exception)s?$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

/** A code named by `value`: a code-like string, or an object's `code` / `type` / `name`. */
export function codeOf(value: unknown): string | undefined {
  if (typeof value === 'string') return CODE_LIKE.test(value) ? value : undefined;
  if (!isRecord(value)) return undefined;
  for (const key of ['code', 'type', 'name'] as const) {
    const candidate = value[key];
    if (typeof candidate === 'string' && CODE_LIKE.test(candidate)) return candidate;
  }
  return undefined;
}

function retryAfterOf(...values: unknown[]): number | undefined {
  for (const value of values) {
    if (!isRecord(value)) continue;
    const ms = value.retryAfterMs ?? value.retryAfter;
    if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
  }
  return undefined;
}

function refusal(...sources: unknown[]): Refusal {
  const code = sources.map(codeOf).find((found) => found !== undefined);
  return { code, retryAfterMs: retryAfterOf(...sources) };
}

/** Refusal shapes of an object answer, or `undefined` when it reads as a result. */
function objectRefusal(answer: Record<string, unknown>): Refusal | undefined {
  for (const key of ['error', 'err', 'errors'] as const) {
    if (present(answer[key])) {
      const inner = answer[key];
      return refusal(Array.isArray(inner) ? inner[0] : inner, answer);
    }
  }
  if (answer.ok === false || answer.success === false || answer.accepted === false) {
    return refusal(answer, answer.reason, answer.message);
  }
  const status = answer.status ?? answer.statusCode;
  if (
    (typeof status === 'string' && ERROR_STATUS.test(status)) ||
    (typeof status === 'number' && status >= 400)
  ) {
    return refusal(answer, answer.reason, answer.message);
  }
  if (answer.ok !== true && answer.success !== true) {
    const code = answer.code;
    if (typeof code === 'string' && ERROR_WORDS.test(code)) return refusal(answer);
  }
  return undefined;
}

/**
 * The refusal an ack carries, or `undefined` when it reads as an acceptance: an empty
 * ack, `ack(null, result)`, `ack({ ok: true })`, `ack('saved')`, any data.
 */
export function ackRefusal(args: readonly unknown[]): Refusal | undefined {
  const first = args[0];
  if (first === false) return { code: undefined, retryAfterMs: undefined };
  if (typeof first === 'string') {
    return ERROR_WORDS.test(first) ? refusal(first) : undefined;
  }
  return isRecord(first) ? objectRefusal(first) : undefined;
}

/** Whether an event the server emitted is an error event (besides the configured name). */
export function isErrorEventName(name: string, configured: string): boolean {
  return name === configured || ERROR_EVENT.test(name);
}

/** The refusal an error event carries (its first argument, whatever its shape). */
export function eventRefusal(args: readonly unknown[]): Refusal {
  const first = args[0];
  if (isRecord(first) && isRecord(first.error)) return refusal(first.error, first);
  return refusal(first);
}
