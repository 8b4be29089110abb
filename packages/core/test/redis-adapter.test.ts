import {
  createRedisAdapter,
  isRedisClient,
  isRedisStoreError,
  type RedisAdapter,
} from '@portcullis/core';
import {
  describeRedis,
  onCleanup,
  readyIoredis,
  readyNodeRedis,
  startOwnRedis,
} from '@portcullis/testing';

/** Adds ARGV[1] to KEYS[1] and returns the total. */
const ADD = `return redis.call('INCRBY', KEYS[1], ARGV[1])`;

async function ownRedis() {
  const redis = await startOwnRedis();
  onCleanup(() => redis.stop());
  return redis;
}

async function scriptCalls(adapter: RedisAdapter): Promise<{ evalsha: number; eval: number }> {
  const info = String(await adapter.command(['INFO', 'commandstats']));
  const count = (name: string): number =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { evalsha: count('evalsha'), eval: count('eval') };
}

describeRedis('the one Redis adapter in core', () => {
  it.each(['ioredis', 'node-redis'] as const)(
    'runs commands and scripts with %s, reloading a script Redis lost',
    async (kind) => {
      const redis = await ownRedis();
      const client =
        kind === 'ioredis' ? await readyIoredis(redis.url) : await readyNodeRedis(redis.url);
      expect(isRedisClient(client)).toBe(true);
      const adapter = createRedisAdapter(client);
      expect(adapter.ready()).toBe(true);
      expect(await adapter.command(['SET', 'k', 'v'])).toBe('OK');
      expect(await adapter.command(['MGET', 'k', 'missing'])).toEqual(['v', null]);
      const add = adapter.script(ADD);
      expect(await add.run(['n'], [2])).toBe(2);
      expect(await add.run(['n'], [3])).toBe(5);
      await adapter.command(['SCRIPT', 'FLUSH']);
      expect(await add.run(['n'], [1])).toBe(6);
      const calls = await scriptCalls(adapter);
      // EVALSHA every time; EVAL once for the first load and once after the flush.
      expect(calls.evalsha).toBe(3);
      expect(calls.eval).toBe(2);
    },
  );

  it('fails at once while the client is not connected, and after the deadline when Redis stalls', async () => {
    const redis = await ownRedis();
    const client = await readyIoredis(redis.url, { enableOfflineQueue: true });
    const adapter = createRedisAdapter(client, { commandTimeoutMs: 150 });
    // Redis answers nothing for a second: the command times out within its deadline.
    const blocker = await readyIoredis(redis.url);
    await blocker.call('CLIENT', 'PAUSE', '1000', 'ALL');
    const started = Date.now();
    const stalled = await adapter.command(['GET', 'x']).catch((error: unknown) => error);
    expect(isRedisStoreError(stalled) && stalled.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);

    await redis.stop();
    for (let tries = 0; tries < 50 && adapter.ready(); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const down = await adapter.command(['GET', 'x']).catch((error: unknown) => error);
    expect(isRedisStoreError(down) && down.kind).toBe('not-ready');
    const script = await adapter
      .script(ADD)
      .run(['n'], [1])
      .catch((error: unknown) => error);
    expect(isRedisStoreError(script) && script.kind).toBe('not-ready');
  });

  it('says which clients it takes', () => {
    expect(() => createRedisAdapter({} as never)).toThrow(/ioredis client .* node-redis client/);
    expect(() => createRedisAdapter({ call: async () => 1 }, { commandTimeoutMs: 0 })).toThrow(
      /commandTimeoutMs/,
    );
  });
});
