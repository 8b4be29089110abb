import type { GuardErrorInfo } from './guard-error-info';
import type { ReplayFieldNames } from './options';

/** The arguments of one replay message, with what this helper added to them. */
export interface Stamped {
  readonly args: unknown[];
  /** `true` when the send time is ours (the app's own `sentAt` is never corrected). */
  readonly ownTime: boolean;
  readonly fields: Required<ReplayFieldNames>;
}

const HEX = '0123456789abcdef';

/**
 * A message id the server accepts (8–128 of `A-Z a-z 0-9 _ -`): a UUID where the page is
 * a secure context, else 32 hex digits from `getRandomValues` (which http pages have).
 */
export function newMessageId(): string {
  const crypto = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let index = 0; index < bytes.length; index++) bytes[index] = Math.random() * 256;
  let id = '';
  for (const byte of bytes) id += HEX[byte >> 4]! + HEX[byte & 15]!;
  return id;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Adds the id and the send time to a copy of the first argument where they are absent
 * (the app's own values are kept, and its object is not changed). A first argument
 * that is not a plain object is left as it is: the server answers VALIDATION_FAILED.
 */
export function stamp(
  args: readonly unknown[],
  fields: Required<ReplayFieldNames>,
  sentAt: number,
): Stamped {
  const first = args[0];
  if (!isPlainRecord(first)) return { args: [...args], ownTime: false, fields };
  const payload: Record<string, unknown> = { ...first };
  if (payload[fields.idField] === undefined) payload[fields.idField] = newMessageId();
  const ownTime = payload[fields.timeField] === undefined;
  if (ownTime) payload[fields.timeField] = sentAt;
  return { args: [payload, ...args.slice(1)], ownTime, fields };
}

/** The same message with another send time (same id: a skew refusal did not claim it). */
export function restamp(stamped: Stamped, sentAt: number): Stamped {
  const [first, ...rest] = stamped.args;
  return {
    ...stamped,
    args: [{ ...(first as Record<string, unknown>), [stamped.fields.timeField]: sentAt }, ...rest],
  };
}

/** `REPLAYED` with `duplicate: true`: the id was seen, so an earlier attempt arrived. */
export function isDuplicate(refusal: GuardErrorInfo | undefined): boolean {
  return refusal?.code === 'REPLAYED' && refusal.info?.duplicate === true;
}

/** The server's clock from a `REPLAYED` clock-skew refusal, when it gave one. */
export function serverTimeOf(refusal: GuardErrorInfo | undefined): number | undefined {
  if (refusal?.code !== 'REPLAYED' || refusal.info?.reason !== 'clock-skew') return undefined;
  const serverTime = refusal.info.serverTime;
  return typeof serverTime === 'number' && Number.isFinite(serverTime) ? serverTime : undefined;
}
