import { Redis } from 'ioredis';
import { describeRedis, pingRedis, startOwnRedis, testRedisUrl } from '@portcullis/testing';

describeRedis('Redis helpers', () => {
  it('reaches the Redis the global set-up found', async () => {
    const client = new Redis(testRedisUrl());
    try {
      const key = `portcullis:test:${process.pid}:${Date.now()}`;
      await client.set(key, 'ok', 'PX', 5000);
      expect(await client.get(key)).toBe('ok');
    } finally {
      client.disconnect();
    }
  });

  it('starts, stops and restarts its own redis-server on a free port', async () => {
    const own = await startOwnRedis();
    try {
      expect(await pingRedis(own.url)).toBe(true);
      await own.stop();
      expect(await pingRedis(own.url)).toBe(false);
      await own.start();
      expect(await pingRedis(own.url)).toBe(true);
    } finally {
      await own.stop();
    }
  });
});
