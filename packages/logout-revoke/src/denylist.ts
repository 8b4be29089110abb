import {
  GuardError,
  checkOptions,
  isThenable,
  opt,
  type MaybePromise,
  type OptionSpec,
  type PortcullisUser,
} from '@portcullis/core';
import { checkId, digest, issuedAtMsOf, sessionIdOf, tokenIdOf } from './identity';
import { isDenylistStore, memoryDenylistStore, type DenylistStore } from './store';

export interface DenylistOptions {
  /** Where revocations are kept. Default: in this process (one node only). */
  store?: DenylistStore;
  /**
   * The longest lifetime of a token your issuer signs. A revocation of a user or a session
   * is kept this long after it is made: by then every token it concerns has expired.
   * Default 86,400,000 (24 h).
   */
  maxTokenLifetimeMs?: number;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface RevokeUserOptions {
  /** Keep this session ("log out my other devices"): its sockets and tokens stay valid. */
  exceptSession?: string;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Every option `createDenylist` takes. */
export const createDenylistOptionsSpec: OptionSpec = opt.object({
  store: opt.custom(
    'a DenylistStore, e.g. memoryDenylistStore() or redisDenylistStore(redisClient)',
    isDenylistStore,
  ),
  maxTokenLifetimeMs: opt.duration({ min: 1 }),
  now: opt.func(),
});

/** Whether `value` is a denylist (from `createDenylist`, any copy of this package). */
export function isDenylist(value: unknown): value is Denylist {
  return typeof (value as { check?: unknown } | null)?.check === 'function';
}

/** A denylist option of the guard and the revoker. */
export const denylistSpec: OptionSpec = opt.custom(
  'a denylist from createDenylist({ store })',
  isDenylist,
);

// Key layout. User ids are kept readable; session and token ids are digested.
const userKey = (userId: string): string => `user:${userId}`;
const userExceptKey = (userId: string): string => `user-except:${userId}`;
const sessionKey = (sessionId: string): string => `session:${digest(sessionId)}`;
const tokenKey = (tokenId: string): string => `token:${digest(tokenId)}`;

/** Issued at or before `cutoffMs`? A credential without `issuedAt` cannot prove otherwise. */
function issuedBy(issuedAtMs: number | undefined, cutoffMs: number): boolean {
  return issuedAtMs === undefined || issuedAtMs <= cutoffMs;
}

/**
 * The list of revoked sessions, tokens and per-user cutoffs, and the one question asked
 * at each handshake: is this user's credential revoked? The answer costs one store
 * lookup (one `MGET` with Redis; synchronous in memory).
 */
export class Denylist {
  readonly store: DenylistStore;
  readonly maxTokenLifetimeMs: number;
  /** The clock revocations are stamped with. */
  readonly now: () => number;

  constructor(options: Readonly<DenylistOptions> = {}) {
    checkOptions(createDenylistOptionsSpec, options, 'createDenylist');
    const { store, maxTokenLifetimeMs = DEFAULT_MAX_TOKEN_LIFETIME_MS, now = Date.now } = options;
    this.store = store ?? memoryDenylistStore({ now });
    this.maxTokenLifetimeMs = maxTokenLifetimeMs;
    this.now = now;
  }

  /**
   * `SESSION_REVOKED` when the user's session or token is revoked, or the token was
   * issued at or before a cutoff of the user; `undefined` otherwise. Synchronous when
   * the store is; a failing store rejects (the caller decides: fail closed by default).
   */
  check(user: PortcullisUser): MaybePromise<GuardError | undefined> {
    const sessionId = sessionIdOf(user);
    const tokenId = tokenIdOf(user);
    const keys = [userKey(user.id), userExceptKey(user.id)];
    if (sessionId !== undefined) keys.push(sessionKey(sessionId));
    if (tokenId !== undefined) keys.push(tokenKey(tokenId));
    const values = this.store.getMany(keys);
    if (isThenable(values)) {
      return values.then((resolved) => this.decide(user, sessionId, tokenId, resolved));
    }
    return this.decide(user, sessionId, tokenId, values);
  }

  private decide(
    user: PortcullisUser,
    sessionId: string | undefined,
    tokenId: string | undefined,
    values: readonly (string | undefined)[],
  ): GuardError | undefined {
    const [userCutoff, userExcept] = values;
    let index = 2;
    const sessionRevoked = sessionId !== undefined && values[index++] !== undefined;
    const tokenRevoked = tokenId !== undefined && values[index] !== undefined;
    if (sessionRevoked || tokenRevoked) return new GuardError('SESSION_REVOKED');
    const issuedAtMs = issuedAtMsOf(user);
    if (userCutoff !== undefined && issuedBy(issuedAtMs, Number(userCutoff))) {
      return new GuardError('SESSION_REVOKED');
    }
    if (userExcept !== undefined) {
      const space = userExcept.indexOf(' ');
      const cutoff = Number(userExcept.slice(0, space));
      const keptSession = userExcept.slice(space + 1);
      const kept = sessionId !== undefined && digest(sessionId) === keptSession;
      if (!kept && issuedBy(issuedAtMs, cutoff)) return new GuardError('SESSION_REVOKED');
    }
    return undefined;
  }

  /** Refuses every token of the user issued up to now (except one session's, if asked). */
  async revokeUser(userId: string, options: RevokeUserOptions = {}): Promise<number> {
    checkId(userId, 'userId', 'revokeUser');
    const at = this.now();
    const ttl = this.maxTokenLifetimeMs;
    if (options.exceptSession === undefined) {
      await this.store.setMax(userKey(userId), at, ttl);
    } else {
      const kept = digest(checkId(options.exceptSession, 'exceptSession', 'revokeUser'));
      await this.store.set(userExceptKey(userId), `${at} ${kept}`, ttl);
    }
    return at;
  }

  /** Refuses every token of the user issued at or before `time` (epoch ms). */
  async revokeIssuedBefore(userId: string, time: number): Promise<void> {
    checkId(userId, 'userId', 'revokeIssuedBefore');
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw new TypeError('revokeIssuedBefore: time must be epoch milliseconds (a number).');
    }
    const ttl = time + this.maxTokenLifetimeMs - this.now();
    if (ttl <= 0) return; // every token issued by then has expired already
    await this.store.setMax(userKey(userId), time, ttl);
  }

  /** Refuses every token of the session. */
  async revokeSession(sessionId: string): Promise<void> {
    checkId(sessionId, 'sessionId', 'revokeSession');
    await this.store.set(sessionKey(sessionId), '1', this.maxTokenLifetimeMs);
  }

  /** Refuses the token with this `jti` until `expiresAt` (epoch ms), when it expires anyway. */
  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    checkId(tokenId, 'jti', 'revokeToken');
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      throw new TypeError(
        "revokeToken: expiresAt must be the token's expiry in epoch milliseconds (exp * 1000).",
      );
    }
    const ttl = expiresAt - this.now();
    if (ttl <= 0) return;
    await this.store.set(tokenKey(tokenId), '1', ttl);
  }
}

/** A denylist over a store (in memory by default). */
export function createDenylist(options: Readonly<DenylistOptions> = {}): Denylist {
  return new Denylist(options);
}
