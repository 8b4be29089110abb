import { RateLimiterRedis } from 'rate-limiter-flexible';
import {
  RedisStoreError,
  batchWritesThisTurn,
  isIoredisClient,
  isNodeRedisClient,
  isRedisStoreError,
  type RedisClient,
} from '@portcullis/core';
import type { ClockSource } from './clock';
import type { WindowSpec } from './limit-spec';
import { KeyedMemoryWindow } from './memory-window';
import { StoreFailure, answerWithin, isLimitHit, type StoreAnswer } from './store-window';
import { SweepTimer, sweepPeriodFor } from './sweep-timer';

/** Where one described window is counted in Redis, and how. */
export interface RedisLeaseWindowOptions {
  readonly client: RedisClient;
  /** The Redis key of `user` is `${keyPrefix}:{user}`. */
  readonly keyPrefix: string;
  /** Points taken from Redis at once (see `leaseSizeFor`); 1 counts every packet there. */
  readonly leaseSize: number;
  /** Count in memory while Redis cannot answer. */
  readonly insurance: boolean;
  readonly timeoutMs: number;
}

/** Points a node holds for a key until they are spent or the window ends. */
interface Lease {
  points: number;
  /** When the Redis window the points came from ends, in epoch milliseconds. */
  endsAt: number;
  /** Redis had no points left for this window when they were taken. */
  last: boolean;
}

/**
 * `lease: undefined` (automatic): exact (1 point) for limits of 10 points or fewer,
 * a quarter of the points above that (60 per second: 15 at a time, so a user sending 50
 * a second costs 4 round trips a second). A number is used as given, within
 * [1, points]; `false` is 1.
 */
export function leaseSizeFor(spec: WindowSpec, lease: number | false | undefined): number {
  if (lease === false) return 1;
  if (lease !== undefined) return Math.max(1, Math.min(spec.points, Math.floor(lease)));
  return spec.points <= 10 ? 1 : Math.floor(spec.points / 4);
}

/** One vocabulary for Redis failures across guards: core's `RedisStoreError` kinds. */
function storeErrorOf(error: unknown): RedisStoreError {
  if (isRedisStoreError(error)) return error;
  // rate-limiter-flexible's words for `rejectIfRedisNotReady`.
  if (error instanceof Error && error.message === 'Redis connection is not ready') {
    return new RedisStoreError('not-ready', 'Redis is not connected.');
  }
  return new RedisStoreError('error', 'Redis refused the command.', error);
}

/** A lease this close to its window's end is not given back: the key may be gone by then. */
const GIVE_BACK_MARGIN_MS = 1000;

/**
 * One described window counted in Redis by rate-limiter-flexible's `RateLimiterRedis`,
 * with **leased quotas**: a node takes a block of points for a key in one
 * `consume(key, leaseSize)` and spends them here, synchronously; only when they run out
 * does it ask Redis again. Redis never grants more than the window's points in total,
 * so every node together stays within the limit: a lease taken when Redis holds fewer
 * points than asked keeps exactly what was left. What leases cost is the other way: up
 * to `leaseSize - 1` points per node may sit unused on a node the user stopped sending
 * to, until the window ends.
 *
 * - One take per key at a time: packets that arrive meanwhile wait for it, then spend.
 * - A key refused by Redis is answered here until its wait ends.
 * - While the client is not connected, or Redis fails or is slower than `timeoutMs`, the
 *   in-memory insurance answers (per process), or the answer is a failure that
 *   `onStoreError` decides; never a `RATE_LIMITED` made of an outage.
 */
export class RedisLeaseWindow {
  private readonly limiter: RateLimiterRedis;
  private readonly leases = new Map<string, Lease>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly taking = new Map<string, Promise<StoreAnswer>>();
  private readonly insurance: KeyedMemoryWindow | undefined;
  private readonly sweeper: SweepTimer;

  constructor(
    readonly spec: WindowSpec,
    private readonly options: RedisLeaseWindowOptions,
    /** For answers that come later than the check, and for the sweep. */
    private readonly clock: ClockSource,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: options.client,
      // node-redis is told so: rate-limiter-flexible guesses it from a constructor name.
      // (ioredis has a `sendCommand` too: its `call` tells it apart.)
      useRedisPackage: !isIoredisClient(options.client) && isNodeRedisClient(options.client),
      keyPrefix: options.keyPrefix,
      points: spec.points,
      duration: spec.durationMs / 1000,
      blockDuration: spec.blockDurationMs / 1000,
      // Never parked in the client's offline queue while Redis is down.
      rejectIfRedisNotReady: true,
    });
    this.insurance = options.insurance ? new KeyedMemoryWindow(spec, clock) : undefined;
    this.sweeper = new SweepTimer(sweepPeriodFor(spec), () => this.sweep());
  }

  /** `0` allowed, a positive number refused; a Promise only when Redis has to be asked. */
  consume(key: string, cost: number, now: number): number | Promise<StoreAnswer> {
    if (cost === 0) return 0;
    const blocked = this.blockedUntil.get(key);
    if (blocked !== undefined) {
      if (blocked > now) return blocked - now;
      this.blockedUntil.delete(key);
    }
    const lease = this.leases.get(key);
    if (lease !== undefined) {
      if (lease.endsAt <= now) {
        this.leases.delete(key);
      } else if (lease.points >= cost) {
        lease.points -= cost;
        return 0;
      } else if (lease.last && this.spec.blockDurationMs === 0) {
        // Redis had nothing left for this window when the lease was taken. (With a block
        // duration, Redis is asked: the take that crosses the limit starts the block.)
        return this.block(key, lease.endsAt - now, now);
      }
    }
    const inFlight = this.taking.get(key);
    if (inFlight !== undefined) {
      return inFlight.then(() => this.consume(key, cost, this.clock.now()));
    }
    const taking = this.take(key, cost, now);
    this.taking.set(key, taking);
    void taking.then(() => this.taking.delete(key));
    return taking;
  }

  /**
   * Gives the key's unspent lease back to Redis (`reward`), for the user's next socket on
   * another node: called when the user's last socket on this node leaves. Not near the
   * window's end (a reward after Redis dropped the key would start the next window in
   * credit), and not for a spent window under a block (the block must stand).
   */
  giveBack(key: string, now: number): void {
    const lease = this.leases.get(key);
    if (lease === undefined) return;
    this.leases.delete(key);
    if (lease.points <= 0 || lease.endsAt - now <= GIVE_BACK_MARGIN_MS) return;
    if (lease.last && this.spec.blockDurationMs > 0) return;
    batchWritesThisTurn(this.options.client);
    this.limiter.reward(`{${key}}`, lease.points).catch(() => undefined);
  }

  /** Keys held here (leases, blocks), expired ones included until the next sweep. */
  get size(): number {
    return this.leases.size + this.blockedUntil.size;
  }

  clear(): void {
    this.leases.clear();
    this.blockedUntil.clear();
    this.insurance?.clear();
    this.sweeper.stop();
  }

  /** Takes a lease of at least `cost` points from Redis and spends `cost` of it. */
  private take(key: string, cost: number, now: number): Promise<StoreAnswer> {
    const size = Math.max(cost, this.options.leaseSize);
    const held = this.leases.get(key);
    // Points left over that do not cover this cost are spent with the new lease.
    const carried = held !== undefined && held.endsAt > now ? held.points : 0;
    let consumed: Promise<unknown>;
    try {
      // Takes of other keys and other guards' commands in this turn leave in one write.
      batchWritesThisTurn(this.options.client);
      consumed = this.limiter.consume(`{${key}}`, size);
    } catch (error) {
      return Promise.resolve(this.fallback(key, cost, error));
    }
    const answer = consumed.then(
      (result) => {
        const { msBeforeNext, remainingPoints } = result as {
          msBeforeNext: number;
          remainingPoints: number;
        };
        this.lease(key, size + carried - cost, now + msBeforeNext, remainingPoints === 0);
        return 0;
      },
      (reason: unknown): StoreAnswer => {
        if (!isLimitHit(reason)) return this.fallback(key, cost, reason);
        // Redis counted the whole take; what it held before it is this node's to spend.
        const consumedBefore = (reason.consumedPoints ?? this.spec.points + size) - size;
        const left = Math.max(0, this.spec.points - consumedBefore) + carried;
        const wait = reason.msBeforeNext < 0 ? Infinity : Math.max(1, reason.msBeforeNext);
        if (left >= cost) {
          this.lease(key, left - cost, now + Math.min(wait, this.spec.durationMs), true);
          return 0;
        }
        this.leases.delete(key);
        return this.block(key, wait, now);
      },
    );
    return answerWithin(answer, this.options.timeoutMs, () =>
      this.fallback(
        key,
        cost,
        new RedisStoreError('timeout', `Redis did not answer within ${this.options.timeoutMs} ms.`),
      ),
    );
  }

  private lease(key: string, points: number, endsAt: number, last: boolean): void {
    const lease = this.leases.get(key);
    if (lease === undefined) this.leases.set(key, { points, endsAt, last });
    else {
      lease.points = points;
      lease.endsAt = endsAt;
      lease.last = last;
    }
    this.sweeper.arm();
  }

  private block(key: string, wait: number, now: number): number {
    this.blockedUntil.set(key, now + wait);
    this.sweeper.arm();
    return wait;
  }

  /** The insurance counts in memory; without one, the failure goes to `onStoreError`. */
  private fallback(key: string, cost: number, error: unknown): StoreAnswer {
    const failure = storeErrorOf(error);
    if (this.insurance === undefined) return new StoreFailure(failure);
    return this.insurance.consume(key, cost, this.clock.now());
  }

  private sweep(): boolean {
    const now = this.clock.now();
    for (const [key, lease] of this.leases) if (lease.endsAt <= now) this.leases.delete(key);
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
    return this.size > 0;
  }
}
