import { isIPv6 } from 'node:net';

/**
 * Origin parsing, shared by the allowlist (at set-up) and every request (hot path), so
 * that the two can never disagree about what an origin is.
 *
 * An `Origin` header is `scheme "://" host [ ":" port ]` (RFC 6454) or the literal
 * `null`. Browsers send it serialised: lower case, no default port, no slash. Anything
 * else (a path, a query, a fragment, user info, spaces, two origins joined by a comma)
 * is not an origin, and a header that is not an origin never matches anything.
 */

/** Longer headers are refused unparsed (the same cap core uses for the context). */
export const MAX_ORIGIN_LENGTH = 2048;

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  ws: '80',
  https: '443',
  wss: '443',
};

/**
 * scheme, then a bracketed IPv6 literal or dot-separated labels, then an optional port
 * and one optional trailing slash. Applied to the lower-cased input. The host classes
 * leave out `@ / \ ? # %` and whitespace, which is what rules out user info, paths,
 * queries, fragments and percent-encoded tricks in one place.
 */
const ORIGIN_SYNTAX =
  /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::([0-9]{1,5}))?\/?$/;

export interface ParsedOrigin {
  /** Canonical form: `scheme://host[:port]`, lower case, default port dropped. */
  readonly origin: string;
  readonly scheme: string;
  /** Lower case; IPv6 literals keep their brackets. */
  readonly host: string;
  /** Decimal port without leading zeros; `''` when absent or the scheme's default. */
  readonly port: string;
}

/** Parses and canonicalises an origin; `undefined` when the input is not one. */
export function parseOrigin(input: string): ParsedOrigin | undefined {
  if (input.length === 0 || input.length > MAX_ORIGIN_LENGTH) return undefined;
  const match = ORIGIN_SYNTAX.exec(input.toLowerCase());
  if (match === null) return undefined;
  const scheme = match[1] as string;
  const host = match[2] as string;
  if (host.startsWith('[') && !isIPv6(host.slice(1, -1))) return undefined;
  let port = '';
  if (match[3] !== undefined) {
    const value = Number(match[3]);
    if (value > 65535) return undefined;
    port = String(value);
    if (DEFAULT_PORTS[scheme] === port) port = '';
  }
  const origin = port === '' ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
  return { origin, scheme, host, port };
}

/**
 * The canonical spelling of an origin (`HTTPS://App.Example.com:443/` becomes
 * `https://app.example.com`), or `undefined` when the input is not an origin.
 */
export function normalizeOrigin(input: unknown): string | undefined {
  return typeof input === 'string' ? parseOrigin(input)?.origin : undefined;
}
