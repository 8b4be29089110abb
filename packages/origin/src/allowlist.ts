import { PortcullisConfigError, opt, type OptionSpec } from '@portcullis/core';
import { parseOrigin, type ParsedOrigin } from './normalize';

/**
 * Decides for origins the lists cannot express (a tenant table, a feature flag). It
 * receives the canonical origin (`https://app.example.com`) and allows it only by
 * returning or resolving to `true`; anything else refuses. A throw or a rejection
 * refuses too (fail closed), with the code `INTERNAL`.
 */
export type OriginPredicate = (origin: string) => boolean | Promise<boolean>;

/**
 * One allowlist entry:
 * - an exact origin: `'https://app.example.com'`, `'http://localhost:5173'`;
 * - a subdomain pattern: `'https://*.example.com'` (any depth of subdomain, never
 *   `https://example.com` itself, never another scheme or port);
 * - a RegExp, matched against the whole canonical origin and required to be anchored:
 *   `/^https:\/\/pr-\d+\.preview\.example\.com$/`;
 * - a function (sync or async), see `OriginPredicate`.
 */
export type OriginEntry = string | RegExp | OriginPredicate;

/** A `*.suffix` pattern, split once at set-up so matching is a few string compares. */
export interface SubdomainPattern {
  readonly scheme: string;
  /** `.example.com`: the host must end with it and have at least one label before. */
  readonly dotSuffix: string;
  readonly port: string;
}

/** The allowlist, compiled into the shapes the matcher checks cheapest first. */
export interface CompiledAllowlist {
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly SubdomainPattern[];
  readonly regexps: readonly RegExp[];
  readonly predicates: readonly OriginPredicate[];
}

const EXAMPLE = `'https://app.example.com'`;

/** Where an entry's problem is reported: its path and the factory the user called. */
interface EntryPlace {
  readonly path: string;
  readonly factory: string;
}

function fail(place: EntryPlace, detail: string): never {
  throw new PortcullisConfigError('PORTCULLIS_CONFIG_INVALID_TYPE', place.path, detail, {
    factory: place.factory,
  });
}

const ENTRY_EXPECTED = "an origin string, a '*.' pattern, a RegExp or a function";

function isEntry(value: unknown): boolean {
  return (
    (typeof value === 'string' && value.length > 0) ||
    value instanceof RegExp ||
    typeof value === 'function'
  );
}

/**
 * `origins`: one entry or a list of them. The spec checks the kind of each entry; what
 * an entry says (an origin, an anchored RegExp) is checked when the allowlist compiles.
 */
export const originsSpec: OptionSpec = opt.union(
  opt.custom(ENTRY_EXPECTED, isEntry),
  opt.array(opt.custom(ENTRY_EXPECTED, isEntry)),
);

function show(entry: string): string {
  return JSON.stringify(entry.length > 100 ? `${entry.slice(0, 100)}…` : entry);
}

/** Best guess at what the user meant, for the error message. */
function suggestOrigin(entry: string): string {
  try {
    const url = new URL(entry);
    // With user info the URL's origin is the part after '@': never suggest that.
    if (url.origin !== 'null' && url.username === '' && url.password === '') {
      return `: use '${url.origin}'`;
    }
  } catch {
    // Not a URL at all; the generic hint follows.
  }
  return `, like ${EXAMPLE}`;
}

function compileExact(entry: string, place: EntryPlace): string {
  if (entry === 'null') {
    fail(place, `'null' is not an allowlist entry; set allowNullOrigin: true to accept it.`);
  }
  // eslint-disable-next-line no-control-regex -- looking for any non-ASCII character
  if (/[^\x00-\x7f]/.test(entry)) {
    fail(
      place,
      `${show(entry)} has non-ASCII characters. Write the host in punycode, as browsers ` +
        `send it (node:url's domainToASCII gives it).`,
    );
  }
  const parsed = parseOrigin(entry);
  if (parsed === undefined) {
    fail(
      place,
      `${show(entry)} is not an origin. An origin is scheme://host[:port], without path, ` +
        `query, fragment or user info${suggestOrigin(entry)}.`,
    );
  }
  return parsed.origin;
}

function compilePattern(entry: string, place: EntryPlace): SubdomainPattern {
  const separator = entry.indexOf('://');
  const wildcardAt = separator + 3;
  if (
    separator === -1 ||
    entry.slice(wildcardAt, wildcardAt + 2) !== '*.' ||
    entry.indexOf('*', wildcardAt + 1) !== -1
  ) {
    fail(
      place,
      `${show(entry)}: a pattern has one '*', as the whole first label: ` +
        `'https://*.example.com'. Use a RegExp for anything else.`,
    );
  }
  const parsed: ParsedOrigin | undefined = parseOrigin(
    entry.slice(0, wildcardAt) + entry.slice(wildcardAt + 2),
  );
  if (parsed === undefined || parsed.host.startsWith('[')) {
    fail(
      place,
      `${show(entry)} is not a valid pattern. Write scheme://*.domain[:port], without path, ` +
        `like 'https://*.example.com'.`,
    );
  }
  // `*.com` would allow every .com site; `localhost` is the one single-label parent that
  // belongs to one machine.
  if (!parsed.host.includes('.') && parsed.host !== 'localhost') {
    fail(
      place,
      `${show(entry)} would allow every site under '.${parsed.host}'. Name your own ` +
        `domain: 'https://*.example.com'.`,
    );
  }
  return { scheme: parsed.scheme, dotSuffix: `.${parsed.host}`, port: parsed.port };
}

/**
 * Index of an unescaped `.` between two letters or digits outside a character class
 * (`app.example.com`), which matches any character: `appxexample.com` too. -1 if none.
 */
export function findUnescapedDot(source: string): number {
  let inClass = false;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      index++;
    } else if (char === '[') {
      inClass = true;
    } else if (char === ']') {
      inClass = false;
    } else if (
      char === '.' &&
      !inClass &&
      /[a-z0-9]/i.test(source[index - 1] ?? '') &&
      /[a-z0-9]/i.test(source[index + 1] ?? '')
    ) {
      return index;
    }
  }
  return -1;
}

function endsWithUnescapedDollar(source: string): boolean {
  if (!source.endsWith('$')) return false;
  let backslashes = 0;
  for (let index = source.length - 2; index >= 0 && source[index] === '\\'; index--) {
    backslashes++;
  }
  return backslashes % 2 === 0;
}

/**
 * An unanchored RegExp is the classic origin-check hole: `/example\.com/` accepts
 * `https://example.com.evil.test`. We refuse one at set-up rather than guess, and
 * still wrap every RegExp in `^(?:…)$` so an alternation like `/^a|b$/` cannot escape
 * its anchors. `g` and `y` are dropped (they make `test` stateful), and so is `m`.
 */
function compileRegExp(entry: RegExp, place: EntryPlace): RegExp {
  const { source } = entry;
  if (!source.startsWith('^') || !endsWithUnescapedDollar(source)) {
    fail(
      place,
      `the RegExp /${source}/ is not anchored, so it matches look-alikes such as ` +
        `'https://example.com.evil.test'. Anchor it: /^https:\\/\\/app\\.example\\.com$/.`,
    );
  }
  const dot = findUnescapedDot(source);
  if (dot !== -1) {
    fail(
      place,
      `the RegExp /${source}/ has an unescaped '.' at index ${dot}, which matches any ` +
        `character ('appxexample.com' for 'app.example.com'). Escape it: '\\.'.`,
    );
  }
  return new RegExp(`^(?:${source})$`, entry.flags.replace(/[gym]/g, ''));
}

/** Validates every entry once and sorts them by how cheap they are to check. */
export function compileAllowlist(
  entries: readonly unknown[],
  place: { readonly path: string; readonly factory: string; readonly list: boolean },
): CompiledAllowlist {
  const exact = new Set<string>();
  const patterns: SubdomainPattern[] = [];
  const regexps: RegExp[] = [];
  const predicates: OriginPredicate[] = [];
  entries.forEach((entry, index) => {
    const at: EntryPlace = {
      path: place.list ? `${place.path}[${index}]` : place.path,
      factory: place.factory,
    };
    if (typeof entry === 'string') {
      if (entry === '*') {
        fail(
          at,
          `'*' would allow every site, which defeats the guard. List your sites' origins, ` +
            `or leave the guard out if any site may connect.`,
        );
      }
      if (entry.includes('*')) patterns.push(compilePattern(entry, at));
      else exact.add(compileExact(entry, at));
    } else if (entry instanceof RegExp) {
      regexps.push(compileRegExp(entry, at));
    } else if (typeof entry === 'function') {
      predicates.push(entry as OriginPredicate);
    } else {
      fail(at, `must be ${ENTRY_EXPECTED}; got ${entry === null ? 'null' : typeof entry}.`);
    }
  });
  return { exact, patterns, regexps, predicates };
}
