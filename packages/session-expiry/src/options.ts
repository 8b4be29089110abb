/** The options of `sessionExpiryGuard`: their types, defaults and spec. */
import {
  opt,
  type AnySocket,
  type OptionSpec,
  type PortcullisContext,
  type PortcullisUser,
} from '@portcullis/core';

/** What happens when a session expires while its socket is open. */
export type AtExpiryPolicy = 'disconnect' | 'drop-user';

/**
 * What a throwing or rejecting `revalidate` hook leads to: the values of the one
 * store-failure policy (`onStoreError`). `'deny'` fails closed (the socket is cut with
 * `INTERNAL`, retryable); `'allow'` keeps it (a `warning` event is recorded). The name
 * stays `onRevalidateError`: it is about your hook, not a store of ours.
 */
export type RevalidateErrorPolicy = 'deny' | 'allow';

export interface SessionExpiryGuardOptions {
  /** Time after `user.expiresAt` before the session ends. Default 0. */
  graceMs?: number;
  /**
   * `portcullis:expiring { expiresAt, expiresInMs }` is sent this long before
   * `user.expiresAt` (at once when less is left). Default 60,000. `false`: no warning.
   */
  warnBeforeMs?: number | false;
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
   * (`createTokenVerifier` of `@portcullis/auth`): it is given the socket, so it checks
   * on the socket's server clock and its `validate` hook sees the socket. Without it
   * refreshes are refused.
   */
  verifyToken?: (token: string, socket: AnySocket) => Promise<PortcullisUser>;
  /**
   * A refreshed token must carry the same `sessionId` as the one it replaces (when that
   * one had a session). Default `true`: a refresh continues a session, it does not
   * switch to another one (a session the revocation index does not hold it under).
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
  /** Default 1,800,000 (30 min). Only with `revalidate`. */
  revalidateIntervalMs?: number;
  /**
   * Required with `revalidate`: what a hook that throws, rejects or answers something
   * other than a boolean leads to. `'deny'`: the socket is closed with `INTERNAL`
   * (retryable); `'allow'`: it stays (a `warning` event is recorded).
   */
  onRevalidateError?: RevalidateErrorPolicy;
  /** Default `portcullis:expiring`. */
  expiringEvent?: string;
  /** Sent when the user is dropped (`atExpiry: 'drop-user'`). Default `portcullis:expired`. */
  expiredEvent?: string;
  /** The event a client refreshes its token with. Default `portcullis:refresh`. */
  refreshEvent?: string;
}

export interface ResolvedSessionExpiryOptions {
  readonly graceMs: number;
  /** `undefined` when there is no warning (`warnBeforeMs: false`). */
  readonly warnBeforeMs: number | undefined;
  readonly atExpiry: AtExpiryPolicy;
  readonly publicEvents: ReadonlySet<string>;
  readonly verifyToken: SessionExpiryGuardOptions['verifyToken'];
  readonly requireSameSession: boolean;
  readonly onUserChange: ((socket: AnySocket) => void) | undefined;
  readonly revalidate: SessionExpiryGuardOptions['revalidate'];
  readonly revalidateIntervalMs: number;
  readonly onRevalidateError: RevalidateErrorPolicy;
  readonly expiringEvent: string;
  readonly expiredEvent: string;
  readonly refreshEvent: string;
}

export const DEFAULT_WARN_BEFORE_MS = 60_000;
export const DEFAULT_REVALIDATE_INTERVAL_MS = 30 * 60 * 1000;

const CLOCK = "sessionExpiryGuard reads core's clock: configurePortcullis(io, { now })";

type Raw = Readonly<Record<string, unknown>>;

/** Every option `sessionExpiryGuard` takes. */
export const sessionExpiryGuardOptionsSpec: OptionSpec = opt.object(
  {
    graceMs: opt.duration(),
    warnBeforeMs: opt.oldSpelling(
      opt.off(opt.duration({ min: 1 })),
      0,
      'is 0: use false for no warning.',
    ),
    atExpiry: opt.oneOf<AtExpiryPolicy>(['disconnect', 'drop-user']),
    publicEvents: opt.array(opt.string()),
    verifyToken: opt.func(),
    requireSameSession: opt.boolean(),
    onUserChange: opt.func(),
    revalidate: opt.func(),
    revalidateIntervalMs: opt.duration({ min: 1 }),
    onRevalidateError: opt.oldSpelling(
      opt.oldSpelling(
        opt.oneOf<RevalidateErrorPolicy>(['deny', 'allow']),
        'keep',
        "'keep' is now 'allow'.",
      ),
      'disconnect',
      "'disconnect' is now 'deny'.",
    ),
    expiringEvent: opt.string(),
    expiredEvent: opt.string(),
    refreshEvent: opt.string(),
    now: opt.removed(CLOCK),
  },
  [
    (value: Raw) =>
      value.revalidate !== undefined && value.onRevalidateError === undefined
        ? "with revalidate, choose what a failing hook leads to: onRevalidateError: 'allow' " +
          "(the socket stays) or 'deny' (closed with INTERNAL)."
        : undefined,
    (value: Raw) =>
      value.revalidate === undefined &&
      (value.onRevalidateError !== undefined || value.revalidateIntervalMs !== undefined)
        ? 'onRevalidateError and revalidateIntervalMs only apply with revalidate.'
        : undefined,
    (value: Raw) =>
      value.atExpiry !== 'drop-user' &&
      Array.isArray(value.publicEvents) &&
      value.publicEvents.length > 0
        ? "publicEvents only applies with atExpiry: 'drop-user' (an expired socket is " +
          'disconnected otherwise).'
        : undefined,
  ],
);

/** The options with their defaults (the spec has checked them). */
export function resolveSessionExpiryOptions(
  options: Readonly<SessionExpiryGuardOptions>,
): ResolvedSessionExpiryOptions {
  const warnBeforeMs = options.warnBeforeMs ?? DEFAULT_WARN_BEFORE_MS;
  return {
    graceMs: options.graceMs ?? 0,
    warnBeforeMs: warnBeforeMs === false ? undefined : warnBeforeMs,
    atExpiry: options.atExpiry ?? 'disconnect',
    publicEvents: new Set(options.publicEvents ?? []),
    verifyToken: options.verifyToken,
    requireSameSession: options.requireSameSession ?? true,
    onUserChange: options.onUserChange,
    revalidate: options.revalidate,
    revalidateIntervalMs: options.revalidateIntervalMs ?? DEFAULT_REVALIDATE_INTERVAL_MS,
    onRevalidateError: options.onRevalidateError ?? 'deny',
    expiringEvent: options.expiringEvent ?? 'portcullis:expiring',
    expiredEvent: options.expiredEvent ?? 'portcullis:expired',
    refreshEvent: options.refreshEvent ?? 'portcullis:refresh',
  };
}
