import type { SecurityEvent, SecurityEventDetail } from '@portcullis/core';

/**
 * Redaction is enforced here, not hoped for: guards already keep secrets out of
 * events, and every sink still passes each event through this function, so a guard
 * written tomorrow cannot leak a token into a log by mistake.
 */

const SECRET_KEY =
  /token|cookie|secret|passw|authoriz|session|jwt|body|payload|credential|api[-_]?key/i;
// A JWS/JWE compact serialisation: base64url header starting with `{"` (eyJ…).
const JWT_LIKE = /eyJ[\w-]{5,}\.[\w-]*\.?[\w-]*/g;
const BEARER = /bearer\s+\S+/gi;
const MAX_TEXT = 256;
const MAX_DETAIL_KEYS = 32;

export const REDACTED = '[redacted]';

/** Cuts a string to a bounded length and masks anything that looks like a credential. */
export function redactText(value: string, max = MAX_TEXT): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return cut.replace(JWT_LIKE, REDACTED).replace(BEARER, `Bearer ${REDACTED}`);
}

function redactDetail(detail: SecurityEventDetail): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  let kept = 0;
  for (const key of Object.keys(detail)) {
    if (kept++ >= MAX_DETAIL_KEYS) break;
    const value = detail[key];
    const safeKey = redactText(key, 64);
    if (SECRET_KEY.test(key)) out[safeKey] = REDACTED;
    else if (typeof value === 'string') out[safeKey] = redactText(value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[safeKey] = value;
  }
  return out;
}

/** A plain, bounded copy of an event: known fields only, credentials masked. */
export type RedactedEvent = {
  -readonly [K in keyof SecurityEvent]: K extends 'detail'
    ? Record<string, string | number | boolean>
    : SecurityEvent[K];
};

export function redactEvent(event: SecurityEvent): RedactedEvent {
  const out: RedactedEvent = {
    type: event.type,
    at: event.at,
    ip: redactText(String(event.ip), 64),
  };
  if (event.code !== undefined) out.code = event.code;
  if (event.origin !== undefined) out.origin = redactText(event.origin);
  if (event.userId !== undefined) out.userId = redactText(event.userId, 128);
  if (event.socketId !== undefined) out.socketId = redactText(event.socketId, 64);
  if (event.event !== undefined) out.event = redactText(event.event, 128);
  if (event.guard !== undefined) out.guard = redactText(event.guard, 64);
  if (event.refusalWeight !== undefined) {
    const { total, added, windowMs } = event.refusalWeight;
    out.refusalWeight = { total: Number(total), added: Number(added), windowMs: Number(windowMs) };
  }
  if (event.detail !== undefined) out.detail = redactDetail(event.detail);
  return out;
}
