import { CHECK_IDS, type CheckId, type CheckResult } from './report';

/** Groups usable in `only` / `skip` next to single check ids. */
export const CHECK_GROUPS = {
  origin: ['foreign-origin', 'missing-origin', 'null-origin'],
  transport: ['per-message-deflate', 'polling-cors'],
  auth: ['no-token', 'alg-none', 'expired-token', 'wrong-key'],
  messages: [
    'oversized-payload',
    'prototype-pollution',
    'field-types',
    'type-confusion',
    'event-flood',
  ],
  logout: ['logout'],
} as const satisfies Record<string, readonly CheckId[]>;

export type CheckGroup = keyof typeof CHECK_GROUPS;
export type CheckSelector = Exclude<CheckId, 'baseline'> | CheckGroup;

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
  /** Most messages the flood sends. Default 200, at most 10 000. */
  floodCount?: number;
  /** Longest the flood lasts, in seconds. Default 5, at most 60. */
  floodSeconds?: number;
  /** Size of the oversized message in bytes. Default 102 400 (100 KiB), at most 16 MiB. */
  oversizeBytes?: number;
  /** Most mutated payloads the field-types check sends. Default 40, at most 200. */
  mutationCount?: number;
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
  readonly floodCount: number;
  readonly floodMs: number;
  readonly oversizeBytes: number;
  readonly mutationCount: number;
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

/** A bad option: the message says how to fix it. */
export class ProbeOptionsError extends TypeError {
  override readonly name = 'ProbeOptionsError';
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
  'floodCount',
  'floodSeconds',
  'oversizeBytes',
  'mutationCount',
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

function fail(message: string): never {
  throw new ProbeOptionsError(message);
}

function boundedInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be a whole number from ${min} to ${max} (got ${String(value)}).`);
  }
  return value;
}

function parseHttpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} must be an absolute URL such as http://127.0.0.1:3000 (got "${value}").`);
  }
  const protocols: Record<string, string> = {
    'http:': 'http:',
    'https:': 'https:',
    'ws:': 'http:',
    'wss:': 'https:',
  };
  const protocol = protocols[url.protocol];
  if (protocol === undefined)
    fail(`${name} must use http, https, ws or wss (got ${url.protocol}).`);
  if (url.username !== '' || url.password !== '') {
    fail(`${name} must not carry credentials; pass the token with token / --token.`);
  }
  const normalized = new URL(url.href.replace(/^[a-z]+:/i, protocol));
  return normalized;
}

function parseOrigin(name: string, value: string): string {
  if (value === 'null') fail(`${name} must be a real origin; the probe sends "null" itself.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} must be an origin such as https://app.example.com (got "${value}").`);
  }
  if (url.origin === 'null' || `${url.origin}/` !== url.href.replace(/\/?$/, '/')) {
    fail(`${name} must be an origin only: scheme, host and port, no path (got "${value}").`);
  }
  return url.origin;
}

/** A URL or a path on the probed host; another host is refused. */
function sameHostUrl(name: string, value: string | undefined, target: URL): URL | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(`${name} must be a URL or a path.`);
  const url = value.startsWith('/') ? new URL(value, target.origin) : parseHttpUrl(name, value);
  if (url.hostname !== target.hostname) {
    fail(
      `${name} must be on the probed host ${target.hostname} (got ${url.hostname}): the probe talks to that host only.`,
    );
  }
  return url;
}

function selectChecks(options: ProbeOptions): Set<CheckId> {
  const expand = (list: readonly CheckSelector[], name: string): CheckId[] =>
    list.flatMap((selector) => {
      if (Object.prototype.hasOwnProperty.call(CHECK_GROUPS, selector)) {
        return [...CHECK_GROUPS[selector as CheckGroup]];
      }
      if ((CHECK_IDS as readonly string[]).includes(selector) && String(selector) !== 'baseline') {
        return [selector as CheckId];
      }
      return fail(
        `${name}: unknown check "${String(selector)}". Checks: ${CHECK_IDS.slice(1).join(', ')}; groups: ${Object.keys(CHECK_GROUPS).join(', ')}.`,
      );
    });
  const selected = new Set<CheckId>(
    options.only === undefined ? CHECK_IDS : ['baseline', ...expand(options.only, 'only')],
  );
  for (const id of expand(options.skip ?? [], 'skip')) selected.delete(id);
  return selected;
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(`${name} must be a non-empty string.`);
  return value;
}

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
