import { randomUUID } from 'node:crypto';
import {
  closeIoredis,
  connectClient,
  delay,
  describeRedis,
  onCleanup,
  readyIoredis,
  startOwnRedis,
  testRedisUrl,
} from '@portcullis/testing';
import { createDenylist, redisDenylistStore } from 'portcullis';
import { honest, presetServer } from './helpers';

describeRedis('the preset in Redis mode: the handshake after authentication', () => {
  it('takes the connection lease while the denylist read is still out, not after it', async () => {
    const prefix = `handshake-${randomUUID().slice(0, 8)}`;
    const redis = await readyIoredis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    onCleanup(() => closeIoredis(redis));
    const inner = redisDenylistStore(redis, { prefix: `${prefix}:dl:` });
    // Places alice holds in Redis, seen while the denylist read was in flight.
    const placesDuringRead: number[] = [];
    const { server, guards } = await presetServer({
      connectionLimit: { redis, keyPrefix: `${prefix}:cl`, clusterMaxPerUser: 3 },
      logoutRevoke: {
        denylist: createDenylist({
          store: {
            async getMany(keys) {
              // A slow read: whatever started alongside it has reached Redis meanwhile.
              await delay(100);
              placesDuringRead.push(await redis.zcard(`${prefix}:cl:user:alice`));
              return inner.getMany(keys);
            },
            set: (key, value, ttl) => inner.set(key, value, ttl),
            setMax: (key, value, ttl) => inner.setMax(key, value, ttl),
          },
        }),
      },
    });
    onCleanup(() => guards.connectionLimit?.close());
    const socket = await connectClient(server.url, await honest('alice'));
    expect(socket.connected).toBe(true);
    expect(placesDuringRead).toEqual([1]);
    expect(guards.connectionLimit?.stats()).toMatchObject({ connections: 1, clusterEntries: 1 });
  });

  it('sends the per-user attempt take, the denylist read and the lease in one write', async () => {
    // A Redis of this test's own: every read it counts comes from this server's calls.
    const own = await startOwnRedis();
    onCleanup(() => own.stop());
    const redis = await readyIoredis(own.url, { maxRetriesPerRequest: 1 });
    const observer = await readyIoredis(own.url);
    const readsProcessed = async (): Promise<number> =>
      Number(/total_reads_processed:(\d+)/.exec(await observer.info('stats'))?.[1]);
    const { server, guards } = await presetServer({
      rateLimit: {
        redis,
        // Attempts per IP far above the test's: their leases are rarely taken.
        connections: { perIp: { points: 10_000, durationMs: 60_000 } },
      },
      connectionLimit: { redis, clusterMaxPerUser: 3 },
      logoutRevoke: { denylist: createDenylist({ store: redisDenylistStore(redis) }) },
    });
    onCleanup(() => guards.connectionLimit?.close());
    // The first handshake loads the scripts (EVAL after NOSCRIPT) and the IP's lease.
    await connectClient(server.url, await honest('warm-up'));
    const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const before = await readsProcessed();
    for (const user of users) {
      expect((await connectClient(server.url, await honest(user))).connected).toBe(true);
    }
    const reads = (await readsProcessed()) - before;
    // One read per handshake for its three calls (plus the observer's INFO); a write each
    // would have made three.
    expect(reads).toBeLessThanOrEqual(users.length + 3);
    expect(guards.connectionLimit?.stats()).toMatchObject({ clusterEntries: 11 });
  });
});
