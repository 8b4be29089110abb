import type { CheckId, CheckResult } from './report';
import { selectChecks, type CheckSelector } from './parse/selection';
import { resolveNamespaces, resolveSanitized, type SanitizedTarget } from './parse/targets';
import {
  resolveReplayTarget,
  resolveRoomTarget,
  type ReplayTarget,
  type RoomTarget,
} from './parse/message-targets';
import {
  ProbeOptionsError,
  boundedInteger,
  fail,
  optionalString,
  parseHttpUrl,
  parseOrigin,
  sameHostUrl,
} from './parse/values';

export { CHECK_GROUPS, type CheckGroup, type CheckSelector } from './parse/selection';
export type { SanitizedTarget } from './parse/targets';
export type { ReplayTarget, RoomTarget } from './parse/message-targets';
export { ProbeOptionsError };

/** Called with the token of one of the sessions; resolves once the app logged it out. */
export type LogoutHook = (token: string) => Promise<void> | void;

export interface ProbeOptions {
  /** The Socket.io endpoint, e.g. `http://127.0.0.1:3000` (a path other than `/` is the namespace, as in socket.io-client). */
  url: string;
  /** An Origin the server allows; the honest connections send it. Default: the URL's own origin. */
  origin?: string;
  /** The Origin a foreign page would send. Default `https://portcullis-probe.invalid`. */
  foreignOrigin?: string;
  /** A valid token for an honest connection, sent as `auth.token`. */
  token?: string;
  /**
   * Your login endpoint (URL or path, same host): POSTed `loginBody` as JSON; the token in
   * its answer (`token`, `accessToken` or `access_token`) becomes the honest token, and
   * the cookies it sets go with the logout. Instead of `token`.
   */
  loginUrl?: string;
  /** The JSON body of the login, e.g. `{ name: 'probe' }`. Default `{}`. */
  loginBody?: unknown;
  /** An expired token signed with the real key, when the probe cannot make one. */
  expiredToken?: string;
  /** A test HS256 key: the probe makes valid and expired tokens with it (and wrong-key ones with another). */
  hs256Secret?: string;
  /** Claims of the tokens the probe makes. Default `{ sub: 'portcullis-probe' }`; `iat`, `exp`, `jti`, `sid` are set by the probe. */
  claims?: Record<string, unknown>;
  /** An event the server handles, used by the message checks. Without it they are not applicable. */
  event?: string;
  /** A payload the server accepts for `event`. Default `{}`. */
  payload?: unknown;
  /**
   * The field of `payload` naming the room `event` writes into, e.g. `roomId`. The
   * foreign-room check then names rooms this client never joined (another client's
   * own room among them). Without it that check is not applicable.
   */
  roomField?: string;
  /**
   * An event your server protects against replays (each message carries a unique id
   * and its send time). Without it the replay check is not applicable.
   */
  replayEvent?: string;
  /** A payload the server accepts for `replayEvent`, without the id and time. Default `{}`. */
  replayPayload?: unknown;
  /** The field carrying the message id. Default `messageId`. */
  replayIdField?: string;
  /** The field carrying the send time (epoch ms). Default `sentAt`. */
  replayTimeField?: string;
  /** Most messages the flood sends. Default 200, at most 10 000. */
  floodCount?: number;
  /** Longest the flood lasts, in seconds. Default 5, at most 60. */
  floodSeconds?: number;
  /** Size of the oversized message in bytes. Default 102 400 (100 KiB), at most 16 MiB. */
  oversizeBytes?: number;
  /** Most mutated payloads the field-types check sends. Default 40, at most 200. */
  mutationCount?: number;
  /**
   * Namespaces besides the main one that must refuse a socket without a token, e.g.
   * `['/admin', '/chat']`; the probe also tries `/admin` and `/internal`. At most 10.
   */
  namespaces?: readonly string[];
  /**
   * Fields your server sanitizes (HTML), as paths into the sanitized payload: `['text']`,
   * `['meta.bio']`. At most 5. Without them the sanitize checks are not applicable.
   */
  sanitizedFields?: readonly string[];
  /** The event whose fields are sanitized. Default: `event`. */
  sanitizedEvent?: string;
  /** A payload the server accepts for `sanitizedEvent`. Default: `payload` when the events are the same, else `{}`. */
  sanitizedPayload?: unknown;
  /** Size of the markup-bomb message in bytes: just under your size limit. Default 61 440 (60 KiB), at most 1 MiB. */
  markupBytes?: number;
  /** How much longer other clients may wait while a markup bomb is handled. Default 50 ms, 10 to 10 000. */
  markupDelayMs?: number;
  /** Longest wait for any one answer. Default 3000 ms, at most 60 000. */
  timeoutMs?: number;
  /** Logs a session out; the check then expects every session of the user to be cut. */
  logout?: LogoutHook;
  /** Same, over HTTP: POST with `Authorization: Bearer <token>` and `{"token":"…"}`. Same host only. */
  logoutUrl?: string;
  /** Sessions the logout must cut. Default 2, at most 10. */
  sessions?: number;
  /** Most handshakes and HTTP requests the whole run may make. Default 40, at most 200. */
  maxConnections?: number;
  /** Engine.IO path. Default `/socket.io/`. */
  path?: string;
  /** Namespace. Default: the URL's path, else `/`. */
  namespace?: string;
  /** Run only these checks or groups (the baseline always runs). */
  only?: readonly CheckSelector[];
  /** Leave these checks or groups out. */
  skip?: readonly CheckSelector[];
  /** Event names of a server configured with other names. */
  errorEvent?: string;
  disconnectEvent?: string;
  /** Allow a host that resolves to a public address. Only for servers you own. */
  iOwnThisHost?: boolean;
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult) => void;
}

export interface ResolvedProbeOptions {
  readonly url: URL;
  readonly namespace: string;
  readonly path: string;
  readonly origin: string;
  readonly foreignOrigin: string;
  readonly token: string | undefined;
  readonly expiredToken: string | undefined;
  readonly hs256Secret: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly event: string | undefined;
  readonly payload: unknown;
  readonly room: RoomTarget | undefined;
  readonly replay: ReplayTarget | undefined;
  readonly floodCount: number;
  readonly floodMs: number;
  readonly oversizeBytes: number;
  readonly mutationCount: number;
  /** The unguarded-namespace check's namespaces: given ones, then guesses. */
  readonly namespaces: { readonly given: readonly string[]; readonly guessed: readonly string[] };
  readonly sanitized: SanitizedTarget | undefined;
  readonly markupBytes: number;
  readonly markupDelayMs: number;
  readonly timeoutMs: number;
  readonly logout: LogoutHook | undefined;
  readonly logoutUrl: URL | undefined;
  readonly loginUrl: URL | undefined;
  readonly loginBody: unknown;
  readonly sessions: number;
  readonly maxConnections: number;
  readonly checks: ReadonlySet<CheckId>;
  readonly errorEvent: string;
  readonly disconnectEvent: string;
  readonly iOwnThisHost: boolean;
  readonly onResult: ((result: CheckResult) => void) | undefined;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'url',
  'origin',
  'foreignOrigin',
  'token',
  'expiredToken',
  'hs256Secret',
  'claims',
  'event',
  'payload',
  'roomField',
  'replayEvent',
  'replayPayload',
  'replayIdField',
  'replayTimeField',
  'floodCount',
  'floodSeconds',
  'oversizeBytes',
  'mutationCount',
  'namespaces',
  'sanitizedFields',
  'sanitizedEvent',
  'sanitizedPayload',
  'markupBytes',
  'markupDelayMs',
  'timeoutMs',
  'logout',
  'logoutUrl',
  'loginUrl',
  'loginBody',
  'sessions',
  'maxConnections',
  'path',
  'namespace',
  'only',
  'skip',
  'errorEvent',
  'disconnectEvent',
  'iOwnThisHost',
  'onResult',
]);

/** Checks the options once, fills in the defaults and the bounds. */
export function resolveProbeOptions(options: ProbeOptions): ResolvedProbeOptions {
  if (typeof options !== 'object' || options === null) {
    fail(
      "runProbe(options): options are required, e.g. runProbe({ url: 'http://127.0.0.1:3000' }).",
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      fail(`unknown option "${key}". Known options: ${[...KNOWN_KEYS].join(', ')}.`);
    }
  }
  if (typeof options.url !== 'string') fail('url is required, e.g. http://127.0.0.1:3000.');
  const url = parseHttpUrl('url', options.url);
  const namespace =
    options.namespace ?? (url.pathname === '/' ? '/' : url.pathname.replace(/\/$/, ''));
  if (!namespace.startsWith('/')) fail(`namespace must start with "/" (got "${namespace}").`);
  const path = options.path ?? '/socket.io/';
  if (!path.startsWith('/')) fail(`path must start with "/" (got "${path}").`);
  const origin = options.origin === undefined ? url.origin : parseOrigin('origin', options.origin);
  const foreignOrigin =
    options.foreignOrigin === undefined
      ? 'https://portcullis-probe.invalid'
      : parseOrigin('foreignOrigin', options.foreignOrigin);
  if (foreignOrigin === origin) fail('foreignOrigin must differ from origin.');
  const hs256Secret = optionalString('hs256Secret', options.hs256Secret);
  if (hs256Secret !== undefined && Buffer.byteLength(hs256Secret) < 32) {
    fail(
      'hs256Secret must be at least 32 bytes, as HS256 keys should be (the one your test server uses).',
    );
  }
  const claims = options.claims ?? {};
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    fail('claims must be an object such as { "sub": "probe-user", "roles": ["member"] }.');
  }
  const event = optionalString('event', options.event);
  if (options.logout !== undefined && typeof options.logout !== 'function') {
    fail('logout must be a function (token) => Promise<void>.');
  }
  const logoutUrl = sameHostUrl('logoutUrl', options.logoutUrl, url);
  const loginUrl = sameHostUrl('loginUrl', options.loginUrl, url);
  if (loginUrl !== undefined && options.token !== undefined) {
    fail('give either token or loginUrl: the login answers the token.');
  }
  const loginBody = options.loginBody === undefined ? {} : options.loginBody;
  if (JSON.stringify(loginBody) === undefined) fail('loginBody must be JSON data.');
  if (options.payload !== undefined && JSON.stringify(options.payload) === undefined) {
    fail('payload must be JSON data, e.g. { "text": "hi" }.');
  }
  if (options.logout !== undefined && logoutUrl !== undefined) {
    fail('give either logout or logoutUrl, not both.');
  }
  return {
    url,
    namespace,
    path: path.endsWith('/') ? path : `${path}/`,
    origin,
    foreignOrigin,
    token: optionalString('token', options.token),
    expiredToken: optionalString('expiredToken', options.expiredToken),
    hs256Secret,
    claims,
    event,
    payload: options.payload === undefined ? {} : options.payload,
    room: resolveRoomTarget(
      optionalString('roomField', options.roomField),
      options.payload === undefined ? {} : options.payload,
    ),
    replay: resolveReplayTarget(options),
    floodCount: boundedInteger('floodCount', options.floodCount, 200, 1, 10_000),
    floodMs: boundedInteger('floodSeconds', options.floodSeconds, 5, 1, 60) * 1000,
    oversizeBytes: boundedInteger(
      'oversizeBytes',
      options.oversizeBytes,
      102_400,
      1024,
      16 * 1024 * 1024,
    ),
    mutationCount: boundedInteger('mutationCount', options.mutationCount, 40, 1, 200),
    namespaces: resolveNamespaces(options.namespaces, namespace),
    sanitized: resolveSanitized(
      options.sanitizedFields,
      optionalString('sanitizedEvent', options.sanitizedEvent),
      options.sanitizedPayload,
      event,
      options.payload === undefined ? {} : options.payload,
    ),
    markupBytes: boundedInteger('markupBytes', options.markupBytes, 61_440, 1024, 1024 * 1024),
    markupDelayMs: boundedInteger('markupDelayMs', options.markupDelayMs, 50, 10, 10_000),
    timeoutMs: boundedInteger('timeoutMs', options.timeoutMs, 3000, 100, 60_000),
    logout: options.logout,
    logoutUrl,
    loginUrl,
    loginBody,
    sessions: boundedInteger('sessions', options.sessions, 2, 1, 10),
    maxConnections: boundedInteger('maxConnections', options.maxConnections, 40, 1, 200),
    checks: selectChecks(options),
    errorEvent: optionalString('errorEvent', options.errorEvent) ?? 'portcullis:error',
    disconnectEvent:
      optionalString('disconnectEvent', options.disconnectEvent) ?? 'portcullis:disconnect',
    iOwnThisHost: options.iOwnThisHost === true,
    onResult: options.onResult,
  };
}
