import {
  PortcullisConfigError,
  checkOptions,
  isPlainObject,
  opt,
  type CoreOptions,
  type OptionSpec,
} from '@portcullis/core';
import type { AuthGuardOptions, AuthorizeOptions, AuthorizeRules } from '@portcullis/auth';
import type { ConnectionLimitGuardOptions } from '@portcullis/connection-limit';
import type { IdleTimeoutGuardOptions } from '@portcullis/idle-timeout';
import type { LogoutRevokeGuardOptions } from '@portcullis/logout-revoke';
import type { OriginEntry, OriginGuardOptions } from '@portcullis/origin';
import type { RateLimitGuardOptions } from '@portcullis/rate-limit';
import type { SanitizeGuardOptions } from '@portcullis/sanitize';
import type { SessionExpiryGuardOptions } from '@portcullis/session-expiry';
import type { SizeLimitGuardOptions } from '@portcullis/size-limit';
import type { ValidateGuardOptions, ValidateSchemas } from '@portcullis/validate';
import type { ContentGuardOptions, ReplayGuardOptions } from '@portcullis/content';
import type { PresetRoomsOptions } from './rooms-options';
import type { SecurityHeadersOptions } from './security-headers';

/** Origin options other than the allowlist, which is the top-level `origins`. */
export type OriginOptions = Omit<OriginGuardOptions, 'origins'>;

export interface AuthorizeSettings extends AuthorizeOptions {
  rules: AuthorizeRules;
}

export interface ValidateSettings extends ValidateGuardOptions {
  schemas: ValidateSchemas;
}

/**
 * One key per guard, the way helmet does it: absent uses the guard's secure defaults
 * (where it has any), an object configures it, `false` leaves it out.
 */
export interface PortcullisOptions extends Omit<CoreOptions, 'now'> {
  /**
   * Origins allowed to open a socket: exact origins, `https://*.example.com`, anchored
   * RegExps, or a function. Required unless `origin: false`.
   */
  origins?: OriginEntry | readonly OriginEntry[];
  origin?: OriginOptions | false;
  /** JWT authentication. Required (with `secret`/`publicKeys`/`jwks` and `algorithms`) unless `false`. */
  auth?: AuthGuardOptions | false;
  /** Per-event authorization. Off unless given. */
  authorize?: AuthorizeSettings | false;
  /** Connection and message rate limits. On by default. */
  rateLimit?: RateLimitGuardOptions | false;
  /** Connection caps. On by default. */
  connectionLimit?: ConnectionLimitGuardOptions | false;
  /** Message size and structure limits. On by default (64 KiB, depth 32). */
  sizeLimit?: SizeLimitGuardOptions | false;
  /** Joi schemas per event. Off unless given (it refuses events without a schema). */
  validate?: ValidateSettings | false;
  /**
   * HTML sanitising of payload strings. Off unless given: it rewrites data (`a & b`
   * becomes `a &amp; b`), which only apps that render HTML want. `true` uses the
   * `basic` preset on every string.
   */
  sanitize?: SanitizeGuardOptions | boolean;
  /** Disconnect at token expiry, warn before, refresh in band. On with auth. */
  sessionExpiry?: Omit<SessionExpiryGuardOptions, 'verifyToken' | 'onUserChange'> | false;
  /**
   * Who may join and publish in which room (`@portcullis/rooms`). Off unless given;
   * `roomTokens: true` verifies room tokens with the handshake's keys and rules.
   */
  rooms?: PresetRoomsOptions | false;
  /** Content rules (duplicates, links, mentions, repetition, caps, blocklist). Off unless given. */
  content?: ContentGuardOptions | false;
  /** Replay protection for the events that opt in. Off unless given. */
  replay?: ReplayGuardOptions | false;
  /** Logout on every node and the revocation denylist. On with auth. */
  logoutRevoke?: LogoutRevokeGuardOptions | false;
  /** Close connections idle for too long. On by default (10 minutes). */
  idleTimeout?: IdleTimeoutGuardOptions | false;
  /**
   * Refuse handshakes that did not come over TLS (directly or through a trusted proxy's
   * `X-Forwarded-Proto`). Default: on when `NODE_ENV` is `production`.
   */
  requireTLS?: boolean;
  /** Security headers on the handshake's HTTP responses. On by default. */
  securityHeaders?: SecurityHeadersOptions | false;
  /** Warn at start-up about dangerous server settings. Default `true`. */
  startupCheck?: boolean;
  /**
   * While nothing else listens to the security events, print one short line per kind
   * of refusal (a few a minute at most), so a developer sees why a client was refused.
   * `true` prints with `console.warn`; a function gets the lines. Default: on unless
   * `NODE_ENV` is `production` or `test`.
   */
  logRefusals?: boolean | ((line: string) => void);
  /**
   * Namespaces left WITHOUT any guard, by exact name (e.g. `['/status']`). Every other
   * namespace is guarded: those that exist when `portcullis()` runs, those created later
   * with `io.of()`, and the children of dynamic namespaces (`io.of(/^\/room-\w+$/)`).
   * The start-up check lists the ones named here. Default: none.
   */
  publicNamespaces?: readonly string[];
}

/**
 * The preset's own keys. Each guard's options are checked by the guard's factory (with
 * the path under the preset's key, see `option-paths.ts`); here only what the preset
 * reads itself, and which keys exist at all, so a misspelt top-level key is named with
 * its nearest known one.
 */
const guardOptions = opt.any('the options of its guard, or false');
const presetOptionsSpec: OptionSpec = opt.object({
  origins: opt.any('the allowed origins'),
  origin: guardOptions,
  auth: guardOptions,
  authorize: guardOptions,
  rateLimit: guardOptions,
  connectionLimit: guardOptions,
  sizeLimit: guardOptions,
  validate: guardOptions,
  sanitize: guardOptions,
  sessionExpiry: guardOptions,
  logoutRevoke: guardOptions,
  rooms: guardOptions,
  content: guardOptions,
  replay: guardOptions,
  idleTimeout: guardOptions,
  requireTLS: opt.boolean(),
  securityHeaders: guardOptions,
  startupCheck: opt.boolean(),
  logRefusals: opt.union(opt.boolean(), opt.func()),
  publicNamespaces: opt.array(
    opt.custom(
      'a namespace name starting with "/" (e.g. \'/status\')',
      (name) => typeof name === 'string' && name.startsWith('/'),
    ),
  ),
  // Core's settings, checked by configurePortcullis.
  trustedProxies: opt.any(),
  errorEvent: opt.any(),
  disconnectEvent: opt.any(),
  bus: opt.any(),
  escalation: opt.any(),
  namespaces: opt.removed(
    'every namespace is guarded now, including ones created later and dynamic ones; ' +
      "name the namespaces to leave open in publicNamespaces (e.g. publicNamespaces: ['/status'])",
  ),
});

/** Guards that only exist with authentication: options for them without it are a mistake. */
const NEED_AUTH = ['authorize', 'sessionExpiry', 'logoutRevoke'] as const;

/** Checks the shape of the options once, with messages that say how to fix them. */
export function checkPortcullisOptions(options: unknown): asserts options is PortcullisOptions {
  if (!isPlainObject(options)) {
    throw new PortcullisConfigError(
      'PORTCULLIS_CONFIG_MISSING',
      '',
      "options are required, e.g. portcullis(io, { origins: ['https://app.example.com'], auth: { secret, algorithms: ['HS256'] } }).",
      { factory: FACTORY },
    );
  }
  checkOptions(presetOptionsSpec, options, FACTORY);
  const given = options as PortcullisOptions;
  if (given.origin !== false && given.origins === undefined) {
    throw new PortcullisConfigError(
      'PORTCULLIS_CONFIG_MISSING',
      'origins',
      "list the origins allowed to connect (origins: ['https://app.example.com']), or turn the check off explicitly with origin: false.",
      { factory: FACTORY },
    );
  }
  if (given.auth === undefined) {
    throw new PortcullisConfigError(
      'PORTCULLIS_CONFIG_MISSING',
      'auth',
      "configure authentication (auth: { secret, algorithms: ['HS256'] }, or publicKeys / jwks), or leave it out explicitly with auth: false.",
      { factory: FACTORY },
    );
  }
  if (given.auth === false) {
    for (const key of NEED_AUTH) {
      const value = given[key];
      if (value !== undefined && value !== false) {
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_CONFLICT',
          key,
          `needs auth (it works on the verified user), and auth is false: configure auth, or remove ${key}.`,
          { factory: FACTORY },
        );
      }
    }
  }
}

export const FACTORY = 'portcullis';
