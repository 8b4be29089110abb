import type { Redis } from 'ioredis';
import { isRedisStoreError, type RedisClient } from '@portcullis/core';
import {
  describeRedis,
  onCleanup,
  readyIoredis,
  readyNodeRedis,
  startOwnRedis,
  type OwnRedis,
} from '@portcullis/testing';
import type { WindowSpec } from '../src/limit-spec';
import { RedisLeaseWindow, leaseSizeFor } from '../src/redis-lease-window';
import { StoreFailure, type StoreAnswer } from '../src/store-window';
import { scriptCalls } from './helpers';

const PREFIX = 'portcullis:test:lease';

function window(
  client: RedisClient,
  spec: WindowSpec,
  options: { leaseSize?: number; insurance?: boolean; timeoutMs?: number } = {},
): RedisLeaseWindow {
  const leased = new RedisLeaseWindow(
    spec,
    {
      client,
      keyPrefix: PREFIX,
      leaseSize: options.leaseSize ?? leaseSizeFor(spec, undefined),
      insurance: options.insurance ?? false,
      timeoutMs: options.timeoutMs ?? 500,
    },
    { now: Date.now },
  );
  onCleanup(() => leased.clear());
  return leased;
}

async function answer(pending: number | Promise<StoreAnswer>): Promise<StoreAnswer> {
  return pending;
}

/** Consumes one point `times` times in a row; answers how many were allowed. */
async function allowedOf(leased: RedisLeaseWindow, key: string, times: number): Promise<number> {
  let allowed = 0;
  for (let index = 0; index < times; index++) {
    if ((await answer(leased.consume(key, 1, Date.now()))) === 0) allowed++;
  }
  return allowed;
}

const MINUTE: WindowSpec = { points: 60, durationMs: 60_000, blockDurationMs: 0 };

describe('lease sizes', () => {
  it('are exact for small limits, a quarter of large ones, and what the option says', () => {
    expect(leaseSizeFor({ points: 5, durationMs: 5000, blockDurationMs: 0 }, undefined)).toBe(1);
    expect(leaseSizeFor({ points: 10, durationMs: 1000, blockDurationMs: 0 }, undefined)).toBe(1);
    expect(leaseSizeFor(MINUTE, undefined)).toBe(15);
    expect(leaseSizeFor({ points: 1200, durationMs: 60_000, blockDurationMs: 0 }, undefined)).toBe(
      300,
    );
    expect(leaseSizeFor(MINUTE, false)).toBe(1);
    expect(leaseSizeFor(MINUTE, 25)).toBe(25);
    expect(leaseSizeFor(MINUTE, 500)).toBe(60);
  });
});

describeRedis('leased quotas in Redis (rate-limiter-flexible)', () => {
  let own: OwnRedis;
  let inspect: Redis;
  beforeEach(async () => {
    // A Redis of this test alone, so its command statistics count our calls only.
    own = await startOwnRedis();
    onCleanup(() => own.stop());
    inspect = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
  });

  it('asks Redis once per lease and answers the packets between from memory, synchronously', async () => {
    const leased = window(await readyIoredis(own.url), MINUTE);
    const before = await scriptCalls(inspect);
    let synchronous = 0;
    let allowed = 0;
    for (let index = 0; index < 60; index++) {
      const pending = leased.consume('ada', 1, Date.now());
      if (typeof pending === 'number') synchronous++;
      if ((await answer(pending)) === 0) allowed++;
    }
    expect(allowed).toBe(60);
    // Four leases of 15: four round trips, 56 packets answered without one.
    expect((await scriptCalls(inspect)) - before).toBe(4);
    expect(synchronous).toBe(56);
    expect(await inspect.get(`${PREFIX}:{ada}`)).toBe('60');
    // Redis had nothing left after the fourth lease: the 61st is refused without asking.
    const refused = await answer(leased.consume('ada', 1, Date.now()));
    expect(refused).toBeGreaterThan(50_000);
    expect((await scriptCalls(inspect)) - before).toBe(4);
  });

  it('counts every packet in Redis with a lease of 1 (lease: false), as rate-limiter-flexible does', async () => {
    const leased = window(await readyIoredis(own.url), MINUTE, { leaseSize: 1 });
    const before = await scriptCalls(inspect);
    expect(await allowedOf(leased, 'bo', 10)).toBe(10);
    expect((await scriptCalls(inspect)) - before).toBe(10);
    expect(await inspect.get(`${PREFIX}:{bo}`)).toBe('10');
  });

  it('never lets two nodes together past the limit: a short lease keeps what Redis had left', async () => {
    const client = await readyIoredis(own.url);
    // Two nodes sharing Redis: each its own leases, one user sending through both.
    const nodeA = window(client, MINUTE, { leaseSize: 25 });
    const nodeB = window(await readyNodeRedis(own.url), MINUTE, { leaseSize: 25 });
    let allowed = 0;
    for (let index = 0; index < 100; index++) {
      const node = index % 3 === 0 ? nodeB : nodeA;
      if ((await answer(node.consume('cy', 1, Date.now()))) === 0) allowed++;
    }
    // A takes 25, B 25, A's second take finds 10 left and keeps those 10.
    expect(allowed).toBe(60);
    expect(Number(await inspect.get(`${PREFIX}:{cy}`))).toBeGreaterThanOrEqual(60);
  });

  it('makes packets that arrive during a take wait for it: one take, not one per packet', async () => {
    const leased = window(await readyIoredis(own.url), MINUTE);
    const before = await scriptCalls(inspect);
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => answer(leased.consume('dee', 1, Date.now()))),
    );
    expect(answers.every((value) => value === 0)).toBe(true);
    expect((await scriptCalls(inspect)) - before).toBe(1);
    expect(await inspect.get(`${PREFIX}:{dee}`)).toBe('15');
  });

  it('takes a cost above the lease size whole', async () => {
    const leased = window(await readyIoredis(own.url), MINUTE, { leaseSize: 2 });
    expect(await answer(leased.consume('eli', 5, Date.now()))).toBe(0);
    expect(await inspect.get(`${PREFIX}:{eli}`)).toBe('5');
    expect(await answer(leased.consume('eli', 0, Date.now()))).toBe(0);
  });

  it('gives an unspent lease back, except near its window end, where the key may be gone', async () => {
    const leased = window(await readyIoredis(own.url), MINUTE);
    expect(await answer(leased.consume('kit', 1, Date.now()))).toBe(0);
    expect(await answer(leased.consume('lou', 1, Date.now()))).toBe(0);
    expect(await inspect.get(`${PREFIX}:{kit}`)).toBe('15');
    leased.giveBack('kit', Date.now());
    // Half a second before the window ends: kept, so no key is made anew in credit.
    leased.giveBack('lou', Date.now() + 59_500);
    const end = Date.now() + 5000;
    while ((await inspect.get(`${PREFIX}:{kit}`)) !== '1' && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await inspect.get(`${PREFIX}:{kit}`)).toBe('1');
    expect(await inspect.get(`${PREFIX}:{lou}`)).toBe('15');
    expect(leased.size).toBe(0);
  });

  it('blocks from the take that first crosses the limit, for the block duration', async () => {
    const leased = window(await readyIoredis(own.url), {
      points: 1,
      durationMs: 10_000,
      blockDurationMs: 30_000,
    });
    expect(await answer(leased.consume('fin', 1, Date.now()))).toBe(0);
    const wait = await answer(leased.consume('fin', 1, Date.now()));
    expect(wait).toBeGreaterThan(25_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect(await inspect.pttl(`${PREFIX}:{fin}`)).toBeGreaterThan(25_000);
    // Answered here until the block ends: Redis is not asked again.
    const calls = await scriptCalls(inspect);
    for (let index = 0; index < 20; index++)
      expect(leased.consume('fin', 1, Date.now())).toBeGreaterThan(0);
    expect(await scriptCalls(inspect)).toBe(calls);
  });

  it.each([
    ['ioredis', (url: string): Promise<RedisClient> => readyIoredis(url)],
    ['node-redis', async (url: string): Promise<RedisClient> => readyNodeRedis(url)],
  ])('keeps counting after Redis lost its scripts (%s)', async (_name, connect) => {
    const leased = window(await connect(own.url), MINUTE, { leaseSize: 1 });
    expect(await allowedOf(leased, 'gus', 2)).toBe(2);
    await inspect.script('FLUSH');
    expect(await allowedOf(leased, 'gus', 2)).toBe(2);
    expect(await inspect.get(`${PREFIX}:{gus}`)).toBe('4');
  });

  it('answers from the insurance, or as a failure, when Redis is slower than the timeout', async () => {
    const client = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
    const spec: WindowSpec = { points: 2, durationMs: 10_000, blockDurationMs: 0 };
    const insured = window(client, spec, { insurance: true, timeoutMs: 100 });
    const bare = window(client, spec, { insurance: false, timeoutMs: 100 });
    await inspect.call('CLIENT', 'PAUSE', '3000', 'WRITE');
    const started = Date.now();
    const [fromInsurance, failure] = await Promise.all([
      answer(insured.consume('hal', 1, Date.now())),
      answer(bare.consume('hal', 1, Date.now())),
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fromInsurance).toBe(0);
    expect(failure).toBeInstanceOf(StoreFailure);
    const error = (failure as StoreFailure).error;
    expect(isRedisStoreError(error) && error.kind).toBe('timeout');
  });

  it('spends a lease taken before an outage during it, then asks the insurance or fails', async () => {
    const client = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
    const leased = window(client, MINUTE, { leaseSize: 3, insurance: false });
    expect(await answer(leased.consume('jo', 1, Date.now()))).toBe(0);
    await own.stop();
    while (client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
    // Redis granted these points before it went away: they are this node's to spend.
    expect(leased.consume('jo', 1, Date.now())).toBe(0);
    expect(leased.consume('jo', 1, Date.now())).toBe(0);
    const failure = await answer(leased.consume('jo', 1, Date.now()));
    expect(failure).toBeInstanceOf(StoreFailure);
  });

  it('answers at once while the client is not connected: never parked in its offline queue', async () => {
    const client = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
    const spec: WindowSpec = { points: 2, durationMs: 10_000, blockDurationMs: 0 };
    const insured = window(client, spec, { insurance: true });
    const bare = window(client, spec, { insurance: false });
    await own.stop();
    while (client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await answer(insured.consume('ivy', 1, Date.now()))).toBe(0);
    expect(await answer(insured.consume('ivy', 1, Date.now()))).toBe(0);
    // The insurance counts in memory: the third is refused there.
    expect(await answer(insured.consume('ivy', 1, Date.now()))).toBeGreaterThan(0);
    const failure = await answer(bare.consume('ivy', 1, Date.now()));
    expect(failure).toBeInstanceOf(StoreFailure);
    const error = (failure as StoreFailure).error;
    expect(isRedisStoreError(error) && error.kind).toBe('not-ready');
  });
});
