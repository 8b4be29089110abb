import type { ReconnectAdvice, ReconnectAdviceOptions } from './advice';
import type { GuardErrorInfo } from './guard-error-info';
import type { RefreshResult } from './refresh-result';

/** Where a refusal reported to `onRefusal` came from. */
export type RefusalSource =
  /** `portcullis:error`: a message sent without an ack was refused. */
  | 'event'
  /** the `{ error }` reply of `guard.emitWithAck`. */
  | 'ack'
  /** the size pre-check of `guard.emit` / `guard.emitWithAck`: nothing was sent. */
  | 'local'
  /** the server refused a token refresh. */
  | 'refresh';

/** Event names, when the server renamed them (core's and the guards' options). */
export interface GuardEventNames {
  /** Default `portcullis:error`. */
  error: string;
  /** Default `portcullis:disconnect`. */
  disconnect: string;
  /** Default `portcullis:expiring`. */
  expiring: string;
  /** Default `portcullis:expired` (session-expiry's `atExpiry: 'drop-user'`). */
  expired: string;
  /** Default `portcullis:refresh`. */
  refresh: string;
  /** Default `portcullis:limits`. */
  limits: string;
}

export const DEFAULT_EVENT_NAMES: Readonly<GuardEventNames> = Object.freeze({
  error: 'portcullis:error',
  disconnect: 'portcullis:disconnect',
  expiring: 'portcullis:expiring',
  expired: 'portcullis:expired',
  refresh: 'portcullis:refresh',
  limits: 'portcullis:limits',
});

export interface GuardClientOptions {
  /**
   * Returns a fresh token (from your identity provider, a refresh endpoint…). Called to
   * answer `portcullis:expiring`, and before reconnecting after `AUTH_EXPIRED` or
   * `SESSION_EXPIRED`. Without it, expired sessions are not renewed.
   */
  getToken?: () => string | Promise<string>;
  /** A message or a refresh was refused (see `RefusalSource`). */
  onRefusal?: (info: GuardErrorInfo, source: RefusalSource) => void;
  /**
   * The server is closing the connection and says why (`SESSION_REVOKED`,
   * `SESSION_EXPIRED`, `IDLE_TIMEOUT`, …), with what the client will do about it.
   */
  onDisconnectNotice?: (info: GuardErrorInfo, advice: ReconnectAdvice) => void;
  /** A guard refused the handshake (`connect_error`), with what the client will do. */
  onHandshakeRefusal?: (info: GuardErrorInfo, advice: ReconnectAdvice) => void;
  /** Each refresh, automatic or not, and how it went. */
  onRefresh?: (result: RefreshResult) => void;
  /**
   * Follow the advice after a refused handshake or a server-initiated disconnect:
   * reconnect after the wait, or with a fresh token. Default `true`. Socket.io does not
   * reconnect by itself after either, so with `false` the socket stays closed and the
   * app decides (the callbacks still receive the advice).
   */
  autoReconnect?: boolean;
  /**
   * Also refresh this long before the token expires, by the client's own timer (the
   * expiry is read from the refresh reply, or from the `exp` claim of a JWT in
   * `socket.auth.token`). Default: off; the server's `portcullis:expiring` warning
   * (60 s before by default) triggers the refresh.
   */
  refreshBeforeMs?: number;
  /** How long to wait for the server's answer to a refresh. Default 10,000. */
  refreshTimeoutMs?: number;
  /** Backoff and jitter of the reconnections (see `reconnectAdvice`). */
  backoff?: Omit<ReconnectAdviceOptions, 'attempt'>;
  /** Event names, when the server changed them. */
  events?: Partial<GuardEventNames>;
}

export interface ResolvedGuardClientOptions {
  readonly getToken: (() => string | Promise<string>) | undefined;
  readonly onRefusal: ((info: GuardErrorInfo, source: RefusalSource) => void) | undefined;
  readonly onDisconnectNotice:
    ((info: GuardErrorInfo, advice: ReconnectAdvice) => void) | undefined;
  readonly onHandshakeRefusal:
    ((info: GuardErrorInfo, advice: ReconnectAdvice) => void) | undefined;
  readonly onRefresh: ((result: RefreshResult) => void) | undefined;
  readonly autoReconnect: boolean;
  readonly refreshBeforeMs: number | undefined;
  readonly refreshTimeoutMs: number;
  readonly backoff: Omit<ReconnectAdviceOptions, 'attempt'>;
  readonly events: Readonly<GuardEventNames>;
}

export const DEFAULT_REFRESH_TIMEOUT_MS = 10_000;

const KNOWN = new Set([
  'getToken',
  'onRefusal',
  'onDisconnectNotice',
  'onHandshakeRefusal',
  'onRefresh',
  'autoReconnect',
  'refreshBeforeMs',
  'refreshTimeoutMs',
  'backoff',
  'events',
]);

function fail(message: string): never {
  throw new TypeError(`guardClient: ${message}`);
}

function optionalFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(`${name} must be a function.`);
  return value;
}

function optionalDuration(value: unknown, name: string, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0)
  ) {
    fail(
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds (got ${String(value)}).`,
    );
  }
  return value;
}

function resolveEvents(events: Partial<GuardEventNames> | undefined): GuardEventNames {
  if (events === undefined) return DEFAULT_EVENT_NAMES;
  if (typeof events !== 'object' || events === null)
    fail('events must be an object of event names.');
  const resolved = { ...DEFAULT_EVENT_NAMES };
  for (const [key, name] of Object.entries(events)) {
    if (!(key in DEFAULT_EVENT_NAMES)) {
      fail(`unknown event key "${key}" (known: ${Object.keys(DEFAULT_EVENT_NAMES).join(', ')}).`);
    }
    if (name === undefined) continue;
    if (typeof name !== 'string' || name.length === 0)
      fail(`events.${key} must be a non-empty string.`);
    resolved[key as keyof GuardEventNames] = name;
  }
  return resolved;
}

/** Checks the options once, with messages that say how to fix them. */
export function resolveGuardClientOptions(
  options: Readonly<GuardClientOptions>,
): ResolvedGuardClientOptions {
  if (typeof options !== 'object' || options === null) {
    fail('options must be an object, e.g. { getToken: () => fetchToken() }.');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}" (known: ${[...KNOWN].join(', ')}).`);
  }
  const autoReconnect = options.autoReconnect ?? true;
  if (typeof autoReconnect !== 'boolean') fail('autoReconnect must be true or false.');
  const backoff = options.backoff ?? {};
  if (typeof backoff !== 'object' || backoff === null) {
    fail('backoff must be an object, e.g. { baseDelayMs: 1000, maxDelayMs: 30000 }.');
  }
  optionalDuration(backoff.baseDelayMs, 'backoff.baseDelayMs', false);
  optionalDuration(backoff.maxDelayMs, 'backoff.maxDelayMs', false);
  optionalDuration(backoff.maxRetryAfterMs, 'backoff.maxRetryAfterMs', true);
  optionalFunction(backoff.random, 'backoff.random');
  return {
    getToken: optionalFunction(options.getToken, 'getToken'),
    onRefusal: optionalFunction(options.onRefusal, 'onRefusal'),
    onDisconnectNotice: optionalFunction(options.onDisconnectNotice, 'onDisconnectNotice'),
    onHandshakeRefusal: optionalFunction(options.onHandshakeRefusal, 'onHandshakeRefusal'),
    onRefresh: optionalFunction(options.onRefresh, 'onRefresh'),
    autoReconnect,
    refreshBeforeMs: optionalDuration(options.refreshBeforeMs, 'refreshBeforeMs', true),
    refreshTimeoutMs:
      optionalDuration(options.refreshTimeoutMs, 'refreshTimeoutMs', false) ??
      DEFAULT_REFRESH_TIMEOUT_MS,
    backoff,
    events: resolveEvents(options.events),
  };
}
