import { randomUUID } from 'node:crypto';
import {
  createRedisAdapter,
  isClusterClient,
  isRedisStoreError,
  type RedisAdapter,
  type RedisScript,
} from '@portcullis/core';
import type { ResolvedClusterOptions } from './options';

/**
 * Takes a place in a user's sorted set of connections, scored by expiry. Entries whose
 * node stopped refreshing them (crashed, cut off) are dropped first, so they cannot hold
 * places forever. Redis's own clock decides, so nodes' clocks may differ.
 * KEYS[1] user key; ARGV: member, ttl ms, max, member being replaced (or '').
 * Returns 1 when taken, 0 when the user is at the cap.
 */
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local count = redis.call('ZCARD', KEYS[1])
  if ARGV[4] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[4]) then count = count - 1 end
  if count >= tonumber(ARGV[3]) then return 0 end
end
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[1], ARGV[4]) end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

/**
 * Gives a newcomer's place back to the older socket it had taken it from, in one step so
 * the user's count never dips and lets another node in: the newcomer never connected
 * (refused by a later middleware, or gone), and the older socket is still connected.
 * KEYS[1] user key; ARGV: newcomer's member, older member, ttl ms.
 */
const GIVE_BACK = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** Pushes a live entry's expiry forward (and puts it back if it was dropped). */
const REFRESH = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * Gives places back: KEYS[i] loses member ARGV[i]. One command for every socket that
 * left within a batch, whichever users they belonged to (a single server only: on a
 * Cluster the keys lie in different slots, and each goes as its own `ZREM`).
 */
const REMOVE_ALL = `
for i, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[i]) end
return #KEYS
`;

/** Places given back in one command at most; more go out in the next one at once. */
const MAX_RELEASE_BATCH = 500;

/** A command whose failure only delays a release until the entry expires. */
function ignore(): undefined {
  return undefined;
}

/** Nothing was sent (Redis not connected), so nothing needs undoing. */
function wasNotSent(error: unknown): boolean {
  return isRedisStoreError(error) && error.kind === 'not-ready';
}

/**
 * The cluster-wide per-user count: one sorted set per user, one entry per connection
 * (`<node id>:<socket id>`), refreshed by this node's heartbeat while connected.
 */
export class RedisLeases {
  private readonly nodeId = randomUUID();
  /** Entries this node holds: member -> key. */
  private readonly live = new Map<string, string>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private failing = false;
  /** Core's adapter: readiness, a deadline per command (`storeTimeoutMs`), `EVALSHA`. */
  private readonly redis: RedisAdapter;
  private readonly acquireScript: RedisScript;
  private readonly giveBackScript: RedisScript;
  private readonly refreshScript: RedisScript;
  private readonly removeAllScript: RedisScript;
  /** Places given back and not sent yet: user key -> members. */
  private readonly leaving = new Map<string, string[]>();
  private leavingCount = 0;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly oneCommandPerRelease: boolean;

  constructor(private readonly options: ResolvedClusterOptions) {
    this.redis = createRedisAdapter(options.redis, { commandTimeoutMs: options.storeTimeoutMs });
    this.acquireScript = this.redis.script(ACQUIRE);
    this.giveBackScript = this.redis.script(GIVE_BACK);
    this.refreshScript = this.redis.script(REFRESH);
    this.removeAllScript = this.redis.script(REMOVE_ALL);
    this.oneCommandPerRelease = options.releaseBatchMs === 0 || isClusterClient(options.redis);
  }

  memberFor(socketId: string): string {
    return `${this.nodeId}:${socketId}`;
  }

  private keyFor(userId: string): string {
    return `${this.options.keyPrefix}:user:${userId}`;
  }

  /**
   * Takes a place for `member`, taking over the place of `replaced` (an older socket of
   * this node, set aside for it) when given. Resolves `true` when taken, `false` at the
   * cap; rejects when Redis fails or is too slow.
   *
   * The older socket stays connected until the newcomer connects, but from now on the
   * newcomer holds the place and the older one no longer counts in Redis (nor is it
   * refreshed), as it no longer counts in the node's per-user count. `release(member,
   * replaced)` hands the place back if the newcomer never connects.
   */
  async acquire(userId: string, member: string, replaced?: string): Promise<boolean> {
    const key = this.keyFor(userId);
    const { leaseTtlMs, maxPerUser } = this.options;
    // A place this node gave back for the same user is counted free here at once: it
    // goes to Redis before the script, on the same connection, so Redis runs it first.
    if (this.leaving.has(key)) this.sendReleasesOf(key);
    let taken: boolean;
    try {
      const reply = await this.acquireScript.run(
        [key],
        [member, leaseTtlMs, maxPerUser, replaced ?? ''],
      );
      taken = Number(reply) === 1;
    } catch (error) {
      if (wasNotSent(error)) throw error;
      // A late answer may still take the place (and drop `replaced`): undo it (commands
      // run in order). `replaced` left `live` only if its socket left meanwhile.
      if (replaced !== undefined && this.live.has(replaced)) this.giveBack(key, member, replaced);
      else this.remove(key, member);
      throw error;
    }
    if (taken) {
      this.live.set(member, key);
      if (replaced !== undefined) this.live.delete(replaced);
      this.startHeartbeat();
    }
    return taken;
  }

  /**
   * Gives the place back; a failure only delays it until the entry expires. With
   * `replaced` (the still-connected older socket `member` took the place of, when it
   * did), the place goes back to it rather than to the cluster.
   */
  release(member: string, replaced?: string): void {
    const key = this.live.get(member);
    if (key === undefined) return;
    this.live.delete(member);
    if (replaced === undefined || this.live.has(replaced)) {
      this.remove(key, member);
    } else {
      // Counted and refreshed again even if this command fails: the heartbeat re-adds it.
      this.live.set(replaced, key);
      this.giveBack(key, member, replaced);
    }
    if (this.live.size === 0) this.stopHeartbeat();
  }

  /** Stops the heartbeat and gives back every place this node holds. */
  async close(): Promise<void> {
    this.stopHeartbeat();
    const entries = [...this.live];
    this.live.clear();
    await Promise.allSettled([
      this.sendReleases(),
      ...entries.map(([member, key]) => this.redis.command(['ZREM', key, member])),
    ]);
  }

  get size(): number {
    return this.live.size;
  }

  /** Gives a place back with the next batch (`releaseBatchMs`). */
  private remove(key: string, member: string): void {
    if (this.oneCommandPerRelease) {
      this.redis.command(['ZREM', key, member]).catch(ignore);
      return;
    }
    const members = this.leaving.get(key);
    if (members === undefined) this.leaving.set(key, [member]);
    else members.push(member);
    if (++this.leavingCount >= MAX_RELEASE_BATCH) this.sendReleases();
    else if (this.releaseTimer === undefined) {
      this.releaseTimer = setTimeout(() => this.sendReleases(), this.options.releaseBatchMs);
      this.releaseTimer.unref();
    }
  }

  /**
   * Sends the places given back for `key` now, by a plain `ZREM`: a script Redis does
   * not hold yet would be sent again after its `NOSCRIPT`, behind the commands that
   * follow it.
   */
  private sendReleasesOf(key: string): void {
    const members = this.leaving.get(key);
    if (members === undefined) return;
    this.leaving.delete(key);
    this.leavingCount -= members.length;
    this.redis.command(['ZREM', key, ...members]).catch(ignore);
  }

  /** Sends every place given back so far, in one command. */
  private sendReleases(): Promise<unknown> {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    if (this.leavingCount === 0) return Promise.resolve();
    // The script takes keys and members pairwise: a key once per member.
    const keys: string[] = [];
    const members: string[] = [];
    for (const [key, left] of this.leaving) {
      for (const member of left) {
        keys.push(key);
        members.push(member);
      }
    }
    this.leaving.clear();
    this.leavingCount = 0;
    return this.removeAllScript.run(keys, members).catch(ignore);
  }

  private giveBack(key: string, member: string, replaced: string): void {
    this.giveBackScript.run([key], [member, replaced, this.options.leaseTtlMs]).catch(ignore);
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => this.refresh(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat === undefined) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private refresh(): void {
    const ttl = this.options.leaseTtlMs;
    const refreshes = [...this.live].map(([member, key]) =>
      this.refreshScript.run([key], [member, ttl]),
    );
    Promise.all(refreshes).then(
      () => {
        this.failing = false;
      },
      (error: unknown) => {
        if (this.failing) return;
        this.failing = true;
        const reason = error instanceof Error ? error.message : String(error);
        process.emitWarning(
          `connection-limit could not refresh its connections in Redis (${reason}); ` +
            'they stop counting cluster-wide when their entries expire.',
          { code: 'PORTCULLIS_CONNECTION_LIMIT_STORE' },
        );
      },
    );
  }
}
