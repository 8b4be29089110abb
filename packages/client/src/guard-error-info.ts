import { RETRYABLE_BY_DEFAULT, isGuardErrorCode, type GuardErrorCode } from './codes';
import { readTransportRefusal } from './transport-refusal';

/** Where a payload was wrong and how (never the value itself). */
export interface GuardErrorDetail {
  readonly path: string;
  readonly type: string;
}

/**
 * A refusal as the client sees it, whatever carried it: `connect_error`, an ack's
 * `{ error }`, `portcullis:error`, `portcullis:disconnect` or `portcullis:expired`.
 */
export interface GuardErrorInfo {
  readonly code: GuardErrorCode;
  /** The server's message: meant for developers; show `describeGuardError` to users. */
  readonly message: string;
  /** Whether reconnecting or resending can ever help. */
  readonly retryable: boolean;
  /** How long to wait before trying again (rate limits). */
  readonly retryAfterMs?: number;
  readonly details?: readonly GuardErrorDetail[];
  /** Public facts, e.g. `{ limit: 'maxBytes', max: 65536, limitBytes: 65536 }`. */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  /** The event that was refused, when a packet was. */
  readonly event?: string;
  /** `true` when this package refused a message before sending it (size pre-check). */
  readonly local?: true;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasGuardCode(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && isGuardErrorCode(value.code);
}

function readDetails(value: unknown): GuardErrorDetail[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const details: GuardErrorDetail[] = [];
  for (const item of value as unknown[]) {
    if (isRecord(item) && typeof item.path === 'string' && typeof item.type === 'string') {
      details.push({ path: item.path, type: item.type });
    }
  }
  return details;
}

function readFacts(value: unknown): Record<string, string | number | boolean> | undefined {
  if (!isRecord(value) || Array.isArray(value)) return undefined;
  // A `__proto__` key is dropped: copied later with Object.assign it would set a prototype.
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string | number | boolean] =>
        entry[0] !== '__proto__' &&
        (typeof entry[1] === 'string' ||
          typeof entry[1] === 'boolean' ||
          (typeof entry[1] === 'number' && Number.isFinite(entry[1]))),
    ),
  );
}

function fromPayload(payload: Record<string, unknown>, code: GuardErrorCode): GuardErrorInfo {
  const info: Mutable<GuardErrorInfo> = {
    code,
    message: typeof payload.message === 'string' ? payload.message : code,
    retryable:
      typeof payload.retryable === 'boolean' ? payload.retryable : RETRYABLE_BY_DEFAULT[code],
  };
  const { retryAfterMs } = payload;
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    info.retryAfterMs = retryAfterMs;
  }
  const details = readDetails(payload.details);
  if (details !== undefined) info.details = details;
  const facts = readFacts(payload.info);
  if (facts !== undefined) info.info = facts;
  if (typeof payload.event === 'string') info.event = payload.event;
  if (payload.local === true) info.local = true;
  return info;
}

/**
 * Reads a Portcullis refusal out of whatever carried it; `undefined` when `value` is not
 * one (a network error, an ordinary ack reply, an unknown code):
 *
 * - the `Error` of `connect_error` (its `data`), or the transport error of an HTTP 403
 *   answered before the handshake (the origin check: `ORIGIN_REJECTED`, read from the
 *   response body when the transport exposes it),
 * - an ack reply `{ error: { code, … } }`,
 * - the payload of `portcullis:error`, `portcullis:disconnect`, `portcullis:expired`,
 * - a `GuardErrorInfo` (returned as a copy).
 *
 * Only the known fields are kept, each checked for its type: the result is safe to
 * switch on (`info.code` is a closed union).
 *
 * @example
 * socket.on('connect_error', (err) => {
 *   const refusal = readGuardError(err);
 *   if (refusal?.code === 'ORIGIN_REJECTED') showFatal(describeGuardError(refusal));
 * });
 */
export function readGuardError(value: unknown): GuardErrorInfo | undefined {
  if (!isRecord(value)) return undefined;
  const carried = [value.data, value.error, value].find(hasGuardCode);
  if (carried !== undefined) return fromPayload(carried, carried.code as GuardErrorCode);
  const refused = readTransportRefusal(value);
  return refused === undefined ? undefined : fromPayload(refused, refused.code);
}

/** Whether `value` carries a Portcullis refusal (see `readGuardError`). */
export function isGuardError(value: unknown): boolean {
  return readGuardError(value) !== undefined;
}
