import type { AnySocket, PortcullisContext, PortcullisUser } from '@portcullis/core';

/** What happens when a session expires while its socket is open. */
export type AtExpiryPolicy = 'disconnect' | 'drop-user';

/** What a throwing or rejecting `revalidate` hook leads to. */
export type RevalidateErrorPolicy = 'keep' | 'disconnect';

export interface SessionExpiryGuardOptions {
  /** Time after `user.expiresAt` before the session ends. Default 0. */
  graceMs?: number;
  /**
   * `portcullis:expiring { expiresAt, expiresInMs }` is sent this long before
   * `user.expiresAt` (at once when less is left). Default 60,000. `0`: no warning.
   */
  warnBeforeMs?: number;
  /**
   * `'disconnect'` (default): `portcullis:disconnect { code: 'SESSION_EXPIRED' }`, then
   * the socket is closed. `'drop-user'`: the socket stays open without a user; only
   * `publicEvents` get through, others are refused with `AUTH_REQUIRED`.
   */
  atExpiry?: AtExpiryPolicy;
  /** Events a socket whose user was dropped may still send (`atExpiry: 'drop-user'`). */
  publicEvents?: readonly string[];
  /**
   * Verifies the token of a `portcullis:refresh` and returns its user; rejects with a
   * `GuardError` (`AUTH_INVALID`, `AUTH_EXPIRED`). Use the handshake's verifier
   * (`createTokenVerifier` of `@portcullis/auth`). Without it refreshes are refused.
   */
  verifyToken?: (token: string) => Promise<PortcullisUser>;
  /**
   * A refreshed token must carry the same `sessionId` as the one it replaces (when that
   * one had a session). Default `true`: a refresh continues a session, it does not
   * switch to another one (whose revocation rooms the socket is not in).
   */
  requireSameSession?: boolean;
  /** Called after the context's user changed (refreshed, or dropped at expiry). */
  onUserChange?: (socket: AnySocket) => void;
  /**
   * Periodic check (e.g. "is this account still active?"): `true` keeps the socket,
   * `false` disconnects it with `SESSION_REVOKED`. Runs every `revalidateIntervalMs`,
   * and at once for a socket restored by connection state recovery.
   */
  revalidate?: (context: Readonly<PortcullisContext>) => boolean | Promise<boolean>;
  /** Default 1,800,000 (30 min). */
  revalidateIntervalMs?: number;
  /**
   * Required with `revalidate`: what a hook that throws, rejects or answers something
   * other than a boolean leads to. `'keep'`: the socket stays (a `warning` event is
   * recorded); `'disconnect'`: it is closed with `INTERNAL` (retryable).
   */
  onRevalidateError?: RevalidateErrorPolicy;
  /** Default `portcullis:expiring`. */
  expiringEvent?: string;
  /** Sent when the user is dropped (`atExpiry: 'drop-user'`). Default `portcullis:expired`. */
  expiredEvent?: string;
  /** The event a client refreshes its token with. Default `portcullis:refresh`. */
  refreshEvent?: string;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedSessionExpiryOptions {
  readonly graceMs: number;
  readonly warnBeforeMs: number;
  readonly atExpiry: AtExpiryPolicy;
  readonly publicEvents: ReadonlySet<string>;
  readonly verifyToken: ((token: string) => Promise<PortcullisUser>) | undefined;
  readonly requireSameSession: boolean;
  readonly onUserChange: ((socket: AnySocket) => void) | undefined;
  readonly revalidate:
    ((context: Readonly<PortcullisContext>) => boolean | Promise<boolean>) | undefined;
  readonly revalidateIntervalMs: number;
  readonly onRevalidateError: RevalidateErrorPolicy;
  readonly expiringEvent: string;
  readonly expiredEvent: string;
  readonly refreshEvent: string;
  readonly now: () => number;
}

export const DEFAULT_WARN_BEFORE_MS = 60_000;
export const DEFAULT_REVALIDATE_INTERVAL_MS = 30 * 60 * 1000;

const PREFIX = 'sessionExpiryGuard';

function duration(value: unknown, option: string, allowZero: boolean): number {
  const valid =
    typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!valid) {
    throw new TypeError(
      `${PREFIX}: ${option} must be a ${allowZero ? 'non-negative' : 'positive'} number of ` +
        `milliseconds (got ${String(value)}).`,
    );
  }
  return value;
}

function optionalFunction<T>(value: T | undefined, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${PREFIX}: ${option} must be a function.`);
  }
  return value;
}

function eventName(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${PREFIX}: ${option} must be a non-empty string.`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, option: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new TypeError(
      `${PREFIX}: ${option} must be ${allowed.map((item) => `'${item}'`).join(' or ')} ` +
        `(got ${JSON.stringify(value)}).`,
    );
  }
  return value as T;
}

/** Validates the options once, when the guard is created. */
export function resolveSessionExpiryOptions(
  options: Readonly<SessionExpiryGuardOptions>,
): ResolvedSessionExpiryOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PREFIX}: options must be an object, e.g. { verifyToken }.`);
  }
  const revalidate = optionalFunction(options.revalidate, 'revalidate');
  if (revalidate !== undefined && options.onRevalidateError === undefined) {
    throw new TypeError(
      `${PREFIX}: with revalidate, choose what a failing hook leads to: ` +
        `onRevalidateError: 'keep' (the socket stays) or 'disconnect' (closed with INTERNAL).`,
    );
  }
  const publicEvents = options.publicEvents ?? [];
  if (!Array.isArray(publicEvents) || publicEvents.some((event) => typeof event !== 'string')) {
    throw new TypeError(`${PREFIX}: publicEvents must be an array of event names.`);
  }
  const atExpiry = oneOf(options.atExpiry ?? 'disconnect', 'atExpiry', [
    'disconnect',
    'drop-user',
  ] as const);
  if (atExpiry === 'disconnect' && publicEvents.length > 0) {
    throw new TypeError(
      `${PREFIX}: publicEvents only applies with atExpiry: 'drop-user' (an expired socket ` +
        `is disconnected otherwise).`,
    );
  }
  const requireSameSession = options.requireSameSession ?? true;
  if (typeof requireSameSession !== 'boolean') {
    throw new TypeError(`${PREFIX}: requireSameSession must be true or false.`);
  }
  return {
    graceMs: duration(options.graceMs ?? 0, 'graceMs', true),
    warnBeforeMs: duration(options.warnBeforeMs ?? DEFAULT_WARN_BEFORE_MS, 'warnBeforeMs', true),
    atExpiry,
    publicEvents: new Set(publicEvents),
    verifyToken: optionalFunction(options.verifyToken, 'verifyToken'),
    requireSameSession,
    onUserChange: optionalFunction(options.onUserChange, 'onUserChange'),
    revalidate,
    revalidateIntervalMs: duration(
      options.revalidateIntervalMs ?? DEFAULT_REVALIDATE_INTERVAL_MS,
      'revalidateIntervalMs',
      false,
    ),
    onRevalidateError: oneOf(options.onRevalidateError ?? 'keep', 'onRevalidateError', [
      'keep',
      'disconnect',
    ] as const),
    expiringEvent: eventName(options.expiringEvent ?? 'portcullis:expiring', 'expiringEvent'),
    expiredEvent: eventName(options.expiredEvent ?? 'portcullis:expired', 'expiredEvent'),
    refreshEvent: eventName(options.refreshEvent ?? 'portcullis:refresh', 'refreshEvent'),
    now: optionalFunction(options.now, 'now') ?? Date.now,
  };
}
