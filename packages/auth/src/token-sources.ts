import type { AnySocket } from '@portcullis/core';

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

export function resolveTokenSources(options: {
  sources?: readonly TokenSource[] | undefined;
  cookieName?: string | undefined;
  queryParam?: string | undefined;
}): TokenSourceSettings {
  const sources = options.sources ?? DEFAULT_TOKEN_SOURCES;
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new TypeError(
      `authGuard: \`sources\` must list where tokens come from, in order: ${TOKEN_SOURCES.join(', ')}.`,
    );
  }
  for (const source of sources) {
    if (!TOKEN_SOURCES.includes(source)) {
      throw new TypeError(
        `authGuard: unknown token source ${JSON.stringify(source)}; use ${TOKEN_SOURCES.join(', ')}.`,
      );
    }
  }
  if (new Set(sources).size !== sources.length) {
    throw new TypeError('authGuard: `sources` lists a source twice.');
  }
  const cookieName = options.cookieName;
  if (sources.includes('cookie') !== (cookieName !== undefined)) {
    throw new TypeError(
      "authGuard: the cookie source needs both `sources` including 'cookie' and `cookieName`.",
    );
  }
  if (cookieName !== undefined && (typeof cookieName !== 'string' || !NAME.test(cookieName))) {
    throw new TypeError('authGuard: `cookieName` must be a valid cookie name.');
  }
  const queryParam = options.queryParam ?? DEFAULT_QUERY_PARAM;
  if (options.queryParam !== undefined && !sources.includes('query')) {
    throw new TypeError(
      "authGuard: `queryParam` is set but `sources` does not include 'query' (off by default).",
    );
  }
  if (typeof queryParam !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(queryParam)) {
    throw new TypeError('authGuard: `queryParam` must be a plain parameter name.');
  }
  return { sources: [...sources], cookieName, queryParam };
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
