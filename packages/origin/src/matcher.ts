import { checkOptions, isThenable } from '@portcullis/core';
import { compileAllowlist, type OriginEntry, type OriginPredicate } from './allowlist';
import { parseOrigin } from './normalize';
import { createOriginMatcherOptionsSpec } from './option-specs';

/**
 * The outcome of one check. Everything but `allowed` refuses:
 * - `not_allowed`: a well-formed origin that no entry accepts;
 * - `missing`: no `Origin` header (and no opt-in for that);
 * - `null`: the literal origin `null` (sandboxed iframe, `file://`, some redirects);
 * - `malformed`: a header that is not an origin (path, user info, two values, …);
 * - `check_failed`: a function entry threw or rejected.
 */
export type OriginVerdict =
  'allowed' | 'not_allowed' | 'missing' | 'null' | 'malformed' | 'check_failed';

export interface OriginMatcherOptions {
  /** The allowlist: origins, `https://*.example.com` patterns, RegExps, functions. */
  origins: OriginEntry | readonly OriginEntry[];
  /**
   * Let requests without an `Origin` header through. Browsers always send one on a
   * WebSocket handshake and on cross-origin requests, so only native clients (mobile
   * apps, servers, scripts) go without; they cannot be hijacked by a web page, but they
   * can also send any origin they like. Default `false`.
   */
  allowMissingOrigin?: boolean;
  /**
   * Let the literal origin `null` through. Sandboxed iframes, `file://` pages and some
   * cross-site redirects send it, so any site can produce it. Default `false`.
   */
  allowNullOrigin?: boolean;
  /**
   * Treat a request without `Origin` but with `Sec-Fetch-Site: same-origin` as coming
   * from a page of this server's own origin. Browsers leave `Origin` out of same-origin
   * GET requests (the polling transport opens its session with one), and pages cannot
   * set `Sec-Fetch-*` headers. `false` refuses those requests like any other without
   * `Origin`; same-origin browser clients must then use `transports: ['websocket']`.
   * Default `true`.
   */
  trustFetchMetadata?: boolean;
}

/** Socket.io's `cors.origin` function form (the `cors` package's). */
export type CorsOriginFunction = (
  origin: string | undefined,
  callback: (err: Error | null, allow?: boolean) => void,
) => void;

/** One compiled allowlist; every hook of this package is built on one. */
export interface OriginMatcher {
  /**
   * Checks an `Origin` header (and the request's `Sec-Fetch-Site` header). Synchronous
   * unless a function entry returns a promise. Never throws, whatever the input.
   */
  check(origin: unknown, secFetchSite?: unknown): OriginVerdict | Promise<OriginVerdict>;
  /**
   * For Socket.io's `cors: { origin }`, so the CORS headers and the guard agree:
   * allowed origins are reflected, everything else gets no CORS headers.
   */
  readonly corsOrigin: CorsOriginFunction;
}

function warnPredicateFailed(error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(
    `An origin allowlist function threw or rejected; the request was refused: ${reason}`,
    { code: 'PORTCULLIS_ORIGIN_CHECK_FAILED' },
  );
}

/**
 * Compiles the allowlist once; throws a `PortcullisConfigError` saying how to fix any
 * entry or option that is wrong (its options are checked against
 * `createOriginMatcherOptionsSpec`, unknown keys included). The returned matcher checks
 * the cheapest entries first: a `Set` lookup of the raw header (browsers send canonical
 * origins), then the canonical form against exact origins, patterns and RegExps, and
 * only then the functions.
 */
export function createOriginMatcher(options: Readonly<OriginMatcherOptions>): OriginMatcher {
  checkOptions(createOriginMatcherOptionsSpec, options, 'createOriginMatcher');
  return compileMatcher(options, 'createOriginMatcher');
}

/** The matcher of options a factory has checked; entry problems name that factory. */
export function compileMatcher(
  options: Readonly<OriginMatcherOptions>,
  factory: string,
): OriginMatcher {
  const allowMissingOrigin = options.allowMissingOrigin ?? false;
  const allowNullOrigin = options.allowNullOrigin ?? false;
  const trustFetchMetadata = options.trustFetchMetadata ?? true;
  const list = Array.isArray(options.origins);
  const entries: readonly unknown[] = list
    ? (options.origins as readonly OriginEntry[])
    : [options.origins];
  const { exact, patterns, regexps, predicates } = compileAllowlist(entries, {
    path: 'origins',
    factory,
    list,
  });
  let warned = false;

  const predicateFailed = (error: unknown): OriginVerdict => {
    if (!warned) {
      warned = true;
      warnPredicateFailed(error);
    }
    return 'check_failed';
  };

  const runPredicatesAsync = async (
    origin: string,
    pending: PromiseLike<unknown>,
    index: number,
  ): Promise<OriginVerdict> => {
    try {
      if ((await pending) === true) return 'allowed';
      for (let next = index + 1; next < predicates.length; next++) {
        if ((await (predicates[next] as OriginPredicate)(origin)) === true) return 'allowed';
      }
    } catch (error) {
      return predicateFailed(error);
    }
    return 'not_allowed';
  };

  const runPredicates = (origin: string): OriginVerdict | Promise<OriginVerdict> => {
    for (let index = 0; index < predicates.length; index++) {
      let result: unknown;
      try {
        result = (predicates[index] as OriginPredicate)(origin);
      } catch (error) {
        return predicateFailed(error);
      }
      if (result === true) return 'allowed';
      if (isThenable(result)) return runPredicatesAsync(origin, result, index);
    }
    return 'not_allowed';
  };

  const check = (
    origin: unknown,
    secFetchSite?: unknown,
  ): OriginVerdict | Promise<OriginVerdict> => {
    if (origin === undefined || origin === '') {
      if (allowMissingOrigin) return 'allowed';
      return trustFetchMetadata && secFetchSite === 'same-origin' ? 'allowed' : 'missing';
    }
    if (typeof origin !== 'string') return 'malformed';
    if (origin === 'null') return allowNullOrigin ? 'allowed' : 'null';
    if (exact.has(origin)) return 'allowed';
    const parsed = parseOrigin(origin);
    if (parsed === undefined) return 'malformed';
    if (exact.has(parsed.origin)) return 'allowed';
    const { host } = parsed;
    for (const pattern of patterns) {
      if (
        pattern.scheme === parsed.scheme &&
        pattern.port === parsed.port &&
        host.length > pattern.dotSuffix.length &&
        host.endsWith(pattern.dotSuffix)
      ) {
        return 'allowed';
      }
    }
    for (const regexp of regexps) {
      if (regexp.test(parsed.origin)) return 'allowed';
    }
    return predicates.length === 0 ? 'not_allowed' : runPredicates(parsed.origin);
  };

  const corsOrigin: CorsOriginFunction = (origin, callback) => {
    const verdict = check(origin);
    if (typeof verdict === 'string') {
      callback(null, verdict === 'allowed');
      return;
    }
    verdict.then((result) => callback(null, result === 'allowed'));
  };

  return { check, corsOrigin };
}
