import type { Redis } from 'ioredis';
import { createRedisAdapter, isRedisStoreError, type RedisClient } from '@portcullis/core';
import {
  describeRedis,
  onCleanup,
  readyIoredis,
  readyNodeRedis,
  startOwnRedis,
  type OwnRedis,
} from '@portcullis/testing';
import type { WindowSpec } from '../src/limit-spec';
import { RedisWindows } from '../src/redis-windows';
import { StoreFailure } from '../src/store-window';

// Windows long enough that a slow moment of the machine never starts a new one mid-test.
const BURST_AND_SUSTAINED: WindowSpec[] = [
  { points: 2, durationMs: 10_000, blockDurationMs: 0 },
  { points: 10, durationMs: 60_000, blockDurationMs: 0 },
];

/** How many times Redis ran a script (EVALSHA or EVAL), from its own statistics. */
async function scriptCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g))
    calls += Number(match[1]);
  return calls;
}

function windows(
  client: RedisClient,
  specs: WindowSpec[],
  options: { insurance?: boolean; timeoutMs?: number } = {},
): RedisWindows {
  return new RedisWindows(
    specs,
    'user',
    {
      adapter: createRedisAdapter(client, { commandTimeoutMs: options.timeoutMs ?? 500 }),
      keyPrefix: 'portcullis:test:windows',
      insurance: options.insurance ?? false,
    },
    { now: Date.now },
  );
}

describeRedis('Redis windows: one script call for every window of a scope', () => {
  let own: OwnRedis;
  let inspect: Redis;
  beforeEach(async () => {
    // A Redis of this test alone, so its command statistics count our calls only.
    own = await startOwnRedis();
    onCleanup(() => own.stop());
    inspect = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
  });

  it('counts both windows in one round trip and refuses with the longest wait', async () => {
    const scope = windows(
      await readyIoredis(own.url, { maxRetriesPerRequest: 1 }),
      BURST_AND_SUSTAINED,
    );
    // The first call on a fresh Redis loads the script (EVALSHA answers NOSCRIPT, then
    // EVAL): once per Redis, not per consume. Count from there.
    expect(await scope.consume('warm-up', 1, Date.now())).toBe(0);
    const before = await scriptCalls(inspect);
    expect(await scope.consume('ada', 1, Date.now())).toBe(0);
    expect(await scope.consume('ada', 1, Date.now())).toBe(0);
    const refused = await scope.consume('ada', 1, Date.now());
    expect(typeof refused).toBe('number');
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(10_000);
    expect((await scriptCalls(inspect)) - before).toBe(3);
    // Both windows counted every consume, the refused one included, under one hash slot.
    expect(await inspect.get('portcullis:test:windows:user:0:{ada}')).toBe('3');
    expect(await inspect.get('portcullis:test:windows:user:1:{ada}')).toBe('3');
    expect(await inspect.pttl('portcullis:test:windows:user:1:{ada}')).toBeGreaterThan(50_000);
  });

  it('answers a key over its limit from memory until its wait ends', async () => {
    const scope = windows(await readyIoredis(own.url, { maxRetriesPerRequest: 1 }), [
      { points: 1, durationMs: 60_000, blockDurationMs: 0 },
    ]);
    expect(await scope.consume('flood', 1, Date.now())).toBe(0);
    const first = await scope.consume('flood', 1, Date.now());
    expect(first).toBeGreaterThan(0);
    const calls = await scriptCalls(inspect);
    for (let index = 0; index < 50; index++)
      expect(await scope.consume('flood', 1, Date.now())).toBeGreaterThan(0);
    expect(await scriptCalls(inspect)).toBe(calls);
    // Another key is still asked.
    expect(await scope.consume('other', 1, Date.now())).toBe(0);
    expect(await scriptCalls(inspect)).toBe(calls + 1);
  });

  it('blocks from the consume that first crosses the limit, for the block duration', async () => {
    const scope = windows(await readyIoredis(own.url, { maxRetriesPerRequest: 1 }), [
      { points: 1, durationMs: 10_000, blockDurationMs: 30_000 },
    ]);
    expect(await scope.consume('ben', 1, Date.now())).toBe(0);
    const wait = await scope.consume('ben', 1, Date.now());
    expect(wait).toBeGreaterThan(25_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect(await inspect.pttl('portcullis:test:windows:user:0:{ben}')).toBeGreaterThan(25_000);
  });

  it('charges the cost to every window', async () => {
    const scope = windows(
      await readyIoredis(own.url, { maxRetriesPerRequest: 1 }),
      BURST_AND_SUSTAINED,
    );
    expect(await scope.consume('cy', 2, Date.now())).toBe(0);
    expect(await scope.consume('cy', 0, Date.now())).toBe(0);
    expect(await scope.consume('cy', 1, Date.now())).toBeGreaterThan(0);
    expect(await inspect.get('portcullis:test:windows:user:1:{cy}')).toBe('3');
  });

  it.each([
    ['ioredis', (url: string): Promise<RedisClient> => readyIoredis(url)],
    ['node-redis', async (url: string): Promise<RedisClient> => readyNodeRedis(url)],
  ])('loads the script again after Redis lost it (%s)', async (_name, connect) => {
    const scope = windows(await connect(own.url), BURST_AND_SUSTAINED);
    expect(await scope.consume('dee', 1, Date.now())).toBe(0);
    await inspect.script('FLUSH');
    expect(await scope.consume('dee', 1, Date.now())).toBe(0);
    expect(await scope.consume('dee', 1, Date.now())).toBeGreaterThan(0);
    expect(await inspect.get('portcullis:test:windows:user:0:{dee}')).toBe('3');
  });

  it('answers from the insurance, or as a failure, when Redis is slower than the timeout', async () => {
    const client = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
    const insured = windows(client, BURST_AND_SUSTAINED, { insurance: true, timeoutMs: 100 });
    const bare = windows(client, BURST_AND_SUSTAINED, { insurance: false, timeoutMs: 100 });
    await inspect.call('CLIENT', 'PAUSE', '3000', 'WRITE');
    const started = Date.now();
    const [fromInsurance, failure] = await Promise.all([
      insured.consume('eve', 1, Date.now()),
      bare.consume('eve', 1, Date.now()),
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fromInsurance).toBe(0);
    expect(failure).toBeInstanceOf(StoreFailure);
    const error = (failure as StoreFailure).error;
    expect(isRedisStoreError(error) && error.kind).toBe('timeout');
    // The insurance counts in memory: the third consume is refused there.
    expect(await insured.consume('eve', 1, Date.now())).toBe(0);
    expect(await insured.consume('eve', 1, Date.now())).toBeGreaterThan(0);
  });

  it('answers at once while the client is not connected: never parked in its offline queue', async () => {
    const client = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
    const insured = windows(client, BURST_AND_SUSTAINED, { insurance: true });
    const bare = windows(client, BURST_AND_SUSTAINED, { insurance: false });
    await own.stop();
    while (client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await insured.consume('fay', 1, Date.now())).toBe(0);
    const failure = await bare.consume('fay', 1, Date.now());
    expect(failure).toBeInstanceOf(StoreFailure);
    const error = (failure as StoreFailure).error;
    expect(isRedisStoreError(error) && error.kind).toBe('not-ready');
  });
});
