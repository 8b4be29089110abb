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
   * A refresh did not move the expiry later: the sign-in itself ends at `expiresAt`
   * (the identity provider caps its tokens there). Automatic refreshes stop until a
   * token with a later expiry arrives; the app may ask the user to sign in again.
   * Called once per such expiry.
   */
  onSessionEnding?: (info: SessionEnding) => void;
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
  refreshBeforeMs?: number | false;
  /**
   * The shortest time between two automatic refreshes (own timer, `portcullis:expiring`,
   * `portcullis:expired`); a refresh due sooner waits. Default 5,000. It never lets a
   * token run out: a refresh it would hold past the expiry runs a second before it
   * (and at least a second after the previous one). `guard.refresh()` called by the app
   * is not held back.
   */
  minRefreshIntervalMs?: number;
  /** How long to wait for the server's answer to a refresh. Default 10,000. */
  refreshTimeoutMs?: number;
  /** Backoff and jitter of the reconnections (see `reconnectAdvice`). */
  backoff?: Omit<ReconnectAdviceOptions, 'attempt'>;
  /** Event names, when the server changed them. */
  events?: Partial<GuardEventNames>;
  /**
   * Events guarded by the server's `replayGuard` (`@portcullis/content`):
   * `['vote:cast']`, or `{ 'vote:cast': { idField, timeField } }` when the server
   * renamed the fields (default `messageId`, `sentAt`). For these, `guard.emitWithAck`
   * adds an id and the send time to the first argument (an object) when absent, and
   * retries with the same id when no answer came. Default: none.
   */
  replayEvents?: readonly string[] | Readonly<Record<string, true | ReplayFieldNames>>;
  /**
   * How many times `guard.emitWithAck` resends a replay event whose answer did not come
   * (ack timeout, connection lost). Default 2; `false`: never.
   */
  replayRetries?: number | false;
  /**
   * How long one attempt of a replay event waits for a connection, then for the ack.
   * Default 5,000.
   */
  replayAckTimeoutMs?: number;
  /** The client's clock, epoch ms, for `sentAt` and the refresh timer. Default `Date.now`. */
  now?: () => number;
}

/** Where a replay event carries its id and send time (fields of its first argument). */
export interface ReplayFieldNames {
  /** Default `messageId`. */
  readonly idField?: string;
  /** Default `sentAt`. */
  readonly timeField?: string;
}

/** What `onSessionEnding` receives. */
export interface SessionEnding {
  /** When the session ends (epoch ms): refreshing cannot move it later. */
  readonly expiresAt: number;
}

export interface ResolvedGuardClientOptions {
  readonly getToken: (() => string | Promise<string>) | undefined;
  readonly onRefusal: ((info: GuardErrorInfo, source: RefusalSource) => void) | undefined;
  readonly onDisconnectNotice:
    ((info: GuardErrorInfo, advice: ReconnectAdvice) => void) | undefined;
  readonly onHandshakeRefusal:
    ((info: GuardErrorInfo, advice: ReconnectAdvice) => void) | undefined;
  readonly onRefresh: ((result: RefreshResult) => void) | undefined;
  readonly onSessionEnding: ((info: SessionEnding) => void) | undefined;
  readonly autoReconnect: boolean;
  readonly refreshBeforeMs: number | undefined;
  readonly minRefreshIntervalMs: number;
  readonly refreshTimeoutMs: number;
  readonly backoff: Omit<ReconnectAdviceOptions, 'attempt'>;
  readonly events: Readonly<GuardEventNames>;
  readonly replayEvents: ReadonlyMap<string, Required<ReplayFieldNames>>;
  readonly replayRetries: number;
  readonly replayAckTimeoutMs: number;
  readonly now: () => number;
}

export const DEFAULT_REFRESH_TIMEOUT_MS = 10_000;
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 5_000;
export const DEFAULT_REPLAY_RETRIES = 2;
export const DEFAULT_REPLAY_ACK_TIMEOUT_MS = 5_000;
/** More resends than this only repeat what a lost connection already told. */
const MAX_REPLAY_RETRIES = 10;

const KNOWN = new Set([
  'getToken',
  'onRefusal',
  'onDisconnectNotice',
  'onHandshakeRefusal',
  'onRefresh',
  'onSessionEnding',
  'autoReconnect',
  'refreshBeforeMs',
  'minRefreshIntervalMs',
  'refreshTimeoutMs',
  'backoff',
  'events',
  'replayEvents',
  'replayRetries',
  'replayAckTimeoutMs',
  'now',
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

const FIELD_NAMES = new Set(['idField', 'timeField']);

function fieldName(value: unknown, where: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) fail(`${where} must be a non-empty string.`);
  return value;
}

function resolveReplayEvents(
  value: GuardClientOptions['replayEvents'],
): Map<string, Required<ReplayFieldNames>> {
  const events = new Map<string, Required<ReplayFieldNames>>();
  if (value === undefined) return events;
  const defaults = { idField: 'messageId', timeField: 'sentAt' };
  if (Array.isArray(value)) {
    for (const event of value as unknown[]) {
      if (typeof event !== 'string' || event.length === 0) {
        fail("replayEvents must list event names, e.g. ['vote:cast'].");
      }
      events.set(event, defaults);
    }
    return events;
  }
  if (typeof value !== 'object' || value === null) {
    fail("replayEvents must be a list of event names or { 'vote:cast': { idField, timeField } }.");
  }
  for (const [event, given] of Object.entries(value as Record<string, unknown>)) {
    if (given === undefined) continue;
    if (given === true) {
      events.set(event, defaults);
      continue;
    }
    if (typeof given !== 'object' || given === null) {
      fail(`replayEvents.${event} must be true or { idField, timeField }.`);
    }
    for (const key of Object.keys(given)) {
      if (!FIELD_NAMES.has(key))
        fail(`replayEvents.${event}: unknown key "${key}" (known: idField, timeField).`);
    }
    const fields = given as ReplayFieldNames;
    events.set(event, {
      idField: fieldName(fields.idField, `replayEvents.${event}.idField`, defaults.idField),
      timeField: fieldName(fields.timeField, `replayEvents.${event}.timeField`, defaults.timeField),
    });
  }
  return events;
}

function resolveReplayRetries(value: unknown): number {
  if (value === undefined) return DEFAULT_REPLAY_RETRIES;
  if (value === false) return 0;
  if (value === 0) fail('replayRetries: 0 is spelt false (never resend).');
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_REPLAY_RETRIES
  ) {
    fail(
      `replayRetries must be false or a whole number from 1 to ${MAX_REPLAY_RETRIES} (got ${String(value)}).`,
    );
  }
  return value;
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
    onSessionEnding: optionalFunction(options.onSessionEnding, 'onSessionEnding'),
    autoReconnect,
    refreshBeforeMs:
      options.refreshBeforeMs === false
        ? undefined
        : optionalDuration(options.refreshBeforeMs, 'refreshBeforeMs', true),
    minRefreshIntervalMs:
      optionalDuration(options.minRefreshIntervalMs, 'minRefreshIntervalMs', false) ??
      DEFAULT_MIN_REFRESH_INTERVAL_MS,
    refreshTimeoutMs:
      optionalDuration(options.refreshTimeoutMs, 'refreshTimeoutMs', false) ??
      DEFAULT_REFRESH_TIMEOUT_MS,
    backoff,
    events: resolveEvents(options.events),
    replayEvents: resolveReplayEvents(options.replayEvents),
    replayRetries: resolveReplayRetries(options.replayRetries),
    replayAckTimeoutMs:
      optionalDuration(options.replayAckTimeoutMs, 'replayAckTimeoutMs', false) ??
      DEFAULT_REPLAY_ACK_TIMEOUT_MS,
    now: optionalFunction(options.now, 'now') ?? Date.now,
  };
}
