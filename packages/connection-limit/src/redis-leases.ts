import { randomUUID } from 'node:crypto';
import type { ResolvedClusterOptions } from './options';
import { sendCommand } from './redis-client';

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

/** Pushes a live entry's expiry forward (and puts it back if it was dropped). */
const REFRESH = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
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

  constructor(private readonly options: ResolvedClusterOptions) {}

  memberFor(socketId: string): string {
    return `${this.nodeId}:${socketId}`;
  }

  private keyFor(userId: string): string {
    return `${this.options.keyPrefix}:user:${userId}`;
  }

  /**
   * Takes a place for `member`, making room by dropping `replaced` when given. Resolves
   * `true` when taken, `false` at the cap; rejects when Redis fails or is too slow.
   */
  async acquire(userId: string, member: string, replaced?: string): Promise<boolean> {
    const key = this.keyFor(userId);
    const { leaseTtlMs, maxPerUser, storeTimeoutMs, redis } = this.options;
    const args = ['EVAL', ACQUIRE, '1', key, member, String(leaseTtlMs), String(maxPerUser)];
    args.push(replaced ?? '');
    let taken: boolean;
    try {
      taken = Number(await withTimeout(sendCommand(redis, args), storeTimeoutMs)) === 1;
    } catch (error) {
      // A late answer may still take the place: take it back (commands run in order).
      this.remove(key, member);
      throw error;
    }
    if (taken) {
      this.live.set(member, key);
      if (replaced !== undefined) this.live.delete(replaced);
      this.startHeartbeat();
    }
    return taken;
  }

  /** Gives the place back; a failure only delays it until the entry expires. */
  release(member: string): void {
    const key = this.live.get(member);
    if (key === undefined) return;
    this.live.delete(member);
    this.remove(key, member);
    if (this.live.size === 0) this.stopHeartbeat();
  }

  /** Stops the heartbeat and gives back every place this node holds. */
  async close(): Promise<void> {
    this.stopHeartbeat();
    const entries = [...this.live];
    this.live.clear();
    await Promise.allSettled(
      entries.map(([member, key]) =>
        withTimeout(
          sendCommand(this.options.redis, ['ZREM', key, member]),
          this.options.storeTimeoutMs,
        ),
      ),
    );
  }

  get size(): number {
    return this.live.size;
  }

  private remove(key: string, member: string): void {
    sendCommand(this.options.redis, ['ZREM', key, member]).catch(() => undefined);
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
    const { redis, leaseTtlMs, storeTimeoutMs } = this.options;
    const ttl = String(leaseTtlMs);
    const refreshes = [...this.live].map(([member, key]) =>
      withTimeout(sendCommand(redis, ['EVAL', REFRESH, '1', key, member, ttl]), storeTimeoutMs),
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
