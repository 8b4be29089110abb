import { opt, type AnySocket, type ObjectRule, type OptionSpec } from '@portcullis/core';

/**
 * Where a token may come from:
 * - `auth`: `io({ auth: { token } })`, the Socket.io way; never in a URL or a log.
 * - `header`: `Authorization: Bearer <token>`, for native clients (`extraHeaders`).
 * - `cookie`: a named cookie. Browsers send cookies from any site that opens a socket:
 *   pair it with `@portcullis/origin`.
 * - `query`: `?token=` in the URL. URLs end up in proxy and access logs: off unless
 *   listed, and redacted from the handshake once read.
 */
export type TokenSource = 'auth' | 'header' | 'cookie' | 'query';

export const TOKEN_SOURCES: readonly TokenSource[] = ['auth', 'header', 'cookie', 'query'];
export const DEFAULT_TOKEN_SOURCES: readonly TokenSource[] = ['auth', 'header'];
export const DEFAULT_QUERY_PARAM = 'token';
export const REDACTED = '[redacted]';

export interface TokenSourceSettings {
  readonly sources: readonly TokenSource[];
  readonly cookieName: string | undefined;
  readonly queryParam: string;
}

export type FoundToken =
  | { readonly kind: 'absent' }
  /** Something was sent where a token goes, but it cannot be one (a number, two values). */
  | { readonly kind: 'malformed'; readonly source: TokenSource }
  | { readonly kind: 'found'; readonly source: TokenSource; readonly token: string };

const ABSENT: FoundToken = { kind: 'absent' };
const NAME = /^[A-Za-z0-9_.!#$%&'*+^`|~-]+$/;

/** The options of `authGuard` that say where its token comes from. */
export const tokenSourceFields: Readonly<Record<string, OptionSpec>> = {
  sources: opt.array(opt.oneOf(TOKEN_SOURCES), { minLength: 1 }),
  cookieName: opt.custom('a cookie name (RFC 6265 token characters)', (value) => {
    return typeof value === 'string' && NAME.test(value);
  }),
  queryParam: opt.custom('a plain parameter name (letters, digits, _ . -)', (value) => {
    return typeof value === 'string' && /^[A-Za-z0-9_.-]+$/.test(value);
  }),
};

type Raw = Readonly<Record<string, unknown>>;

function sourcesOf(value: Raw): readonly unknown[] {
  return Array.isArray(value.sources) ? value.sources : DEFAULT_TOKEN_SOURCES;
}

/** Rules between the source options: each named once, and each setting with its source. */
export const tokenSourceRules: readonly ObjectRule[] = [
  (value) => {
    const sources = sourcesOf(value);
    return new Set(sources).size === sources.length ? undefined : '`sources` lists a source twice.';
  },
  (value) =>
    sourcesOf(value).includes('cookie') === (value.cookieName !== undefined)
      ? undefined
      : "the cookie source needs both `sources` including 'cookie' and `cookieName`.",
  (value) =>
    value.queryParam !== undefined && !sourcesOf(value).includes('query')
      ? "`queryParam` is set but `sources` does not include 'query' (off by default)."
      : undefined,
];

/** The sources with their defaults (the spec has checked them). */
export function resolveTokenSources(options: {
  readonly sources?: readonly TokenSource[] | undefined;
  readonly cookieName?: string | undefined;
  readonly queryParam?: string | undefined;
}): TokenSourceSettings {
  return {
    sources: [...(options.sources ?? DEFAULT_TOKEN_SOURCES)],
    cookieName: options.cookieName,
    queryParam: options.queryParam ?? DEFAULT_QUERY_PARAM,
  };
}

function fromValue(value: unknown, source: TokenSource): FoundToken {
  if (value === undefined || value === null || value === '') return ABSENT;
  if (typeof value !== 'string') return { kind: 'malformed', source };
  return { kind: 'found', source, token: value };
}

function fromAuthorization(header: unknown): FoundToken {
  if (typeof header !== 'string') return ABSENT;
  const value = header.trim();
  // Another scheme (Basic, …) is not ours to judge.
  if (value.length < 7 || value.slice(0, 7).toLowerCase() !== 'bearer ') return ABSENT;
  const token = value.slice(7).trim();
  if (token.length === 0) return ABSENT;
  if (/\s/.test(token)) return { kind: 'malformed', source: 'header' };
  return { kind: 'found', source: 'header', token };
}

function fromCookie(header: unknown, name: string): FoundToken {
  if (typeof header !== 'string') return ABSENT;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      return { kind: 'malformed', source: 'cookie' };
    }
    return fromValue(value, 'cookie');
  }
  return ABSENT;
}

/** The first token found, in the configured order. */
export function findToken(socket: AnySocket, settings: TokenSourceSettings): FoundToken {
  const handshake = socket.handshake;
  for (const source of settings.sources) {
    let found: FoundToken;
    switch (source) {
      case 'auth':
        found = fromValue((handshake.auth as { token?: unknown } | undefined)?.token, 'auth');
        break;
      case 'header':
        found = fromAuthorization(handshake.headers.authorization);
        break;
      case 'cookie':
        found = fromCookie(handshake.headers.cookie, settings.cookieName as string);
        break;
      case 'query':
        found = fromValue(handshake.query[settings.queryParam], 'query');
        break;
    }
    if (found.kind !== 'absent') return found;
  }
  return ABSENT;
}

function redactUrl(url: string, param: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const params = new URLSearchParams(url.slice(mark + 1));
  if (!params.has(param)) return url;
  params.set(param, REDACTED);
  return `${url.slice(0, mark)}?${params.toString()}`;
}

/**
 * Replaces the query token in this socket's `handshake.query` and `handshake.url`, so
 * application code that logs the handshake does not log the token. The engine's own
 * `socket.request.url` is shared by every namespace and left untouched.
 */
export function redactQueryToken(socket: AnySocket, param: string): void {
  const handshake = socket.handshake;
  if (handshake.query[param] === undefined) return;
  handshake.query = { ...handshake.query, [param]: REDACTED };
  if (typeof handshake.url === 'string') handshake.url = redactUrl(handshake.url, param);
}
